import { join } from 'node:path';
import { parse } from 'yaml';
import { AGGREGATOR_SETTINGS } from '../../../fl-training/aggregator/main';
import { TRAINER_SETTINGS } from '../../../fl-training/trainer/main';
import { KEY_PURPOSES, KEY_RING_SETTINGS, type KeyPurpose } from '../../../protocol/keys';
import { tracesEndpoint } from '../../../protocol/tracer';
import {
  CHART_DIR,
  CLUSTERS,
  type Cluster,
  HELM,
  HELM_NOTE as NOTE,
  type Override,
  SPOT_NOTICE_SECONDS,
  type YamlMap,
  at,
  helm,
  isMap,
  listAt,
  loadDocument,
  mapAt,
  mergeValues,
  overlayProblems,
  readText,
  renderObjects,
  ROOT,
  templateArgs,
} from './helpers';

/**
 * Renders the chart with helm (`helm lint --strict`, `helm template`) for both cluster overlays plus their example
 * settings (fl-training/chart/examples/) and checks the objects. Without helm on PATH these tests are skipped,
 * visibly; chart-templates.test.ts and chart-values.test.ts check what needs no renderer.
 */

jest.setTimeout(60_000);

const renderIt = HELM ? it : it.skip;

const example = (cluster: Cluster): YamlMap => loadDocument(join(CHART_DIR, 'examples', `${cluster}.yaml`));
const values = loadDocument(join(CHART_DIR, 'values.yaml'));
const merged = (cluster: Cluster): unknown => mergeValues(mergeValues(values, loadDocument(join(CHART_DIR, `values-${cluster}.yaml`))), example(cluster));

const rendered = new Map<Cluster, YamlMap[]>();

function render(cluster: Cluster): YamlMap[] {
  const cached = rendered.get(cluster) ?? renderObjects(cluster);
  rendered.set(cluster, cached);
  return cached;
}

function find(objects: readonly YamlMap[], kind: string, name: string): YamlMap | undefined {
  return objects.find((object) => object.kind === kind && at(object, ['metadata', 'name']) === name);
}

function podSpec(objects: readonly YamlMap[], deployment: string): YamlMap {
  return mapAt(find(objects, 'Deployment', deployment), ['spec', 'template', 'spec']);
}

function container(objects: readonly YamlMap[], deployment: string): YamlMap {
  const first = listAt(podSpec(objects, deployment), ['containers'])[0];
  if (!isMap(first)) throw new Error(`${deployment}: no container`);
  return first;
}

function env(objects: readonly YamlMap[], deployment: string): Map<string, unknown> {
  return new Map(listAt(container(objects, deployment), ['env']).filter(isMap).map((entry) => [String(entry.name), entry.value ?? entry.valueFrom]));
}

/** A render that must fail: its status and the message helm printed. */
function refusal(cluster: Cluster, overrides: Readonly<Record<string, Override>>): { rendered: boolean; stderr: string } {
  const result = helm(templateArgs(cluster, overrides));
  return { rendered: result.status === 0, stderr: result.stderr };
}

const refused = (message: string) => ({ rendered: false, stderr: expect.stringContaining(message) });

const KEY_RING_ENV = new Set(Object.values(KEY_RING_SETTINGS));

/** The key-ring variables of a workload: env name -> `<Secret>/<data key>` (protocol/keys.ts names the variables). */
function keyRings(objects: readonly YamlMap[], deployment: string): Record<string, string> {
  return Object.fromEntries(
    [...env(objects, deployment)].filter(([name]) => KEY_RING_ENV.has(name)).map(([name, from]) => [name, `${String(at(from, ['secretKeyRef', 'name']))}/${String(at(from, ['secretKeyRef', 'key']))}`]),
  );
}

/** What the provider is asked to fetch: the `objects` parameter, parsed (Azure wraps each object in a YAML string). */
function providerObjects(spc: YamlMap | undefined): { objectName: string; objectAlias: string; objectType: string }[] {
  const provider = at(spc, ['spec', 'provider']);
  const objects: unknown = parse(String(at(spc, ['spec', 'parameters', 'objects'])));
  const list = provider === 'azure' ? listAt(objects, ['array']).map((item) => parse(String(item)) as unknown) : objects;
  if (!Array.isArray(list)) throw new Error(`${String(provider)} objects: expected a list`);
  return list.map((item) => ({ objectName: String(at(item, ['objectName'])), objectAlias: String(at(item, ['objectAlias'])), objectType: String(at(item, ['objectType'])) }));
}

/** The Secret a SecretProviderClass syncs, as `<Secret>: <data key> <- <object alias>, ...`. */
function syncedSecrets(spc: YamlMap | undefined): string[] {
  return listAt(spc, ['spec', 'secretObjects']).map(
    (secret) => `${String(at(secret, ['secretName']))}: ${listAt(secret, ['data']).map((item) => `${String(at(item, ['key']))} <- ${String(at(item, ['objectName']))}`).join(', ')}`,
  );
}

/** Every Deployment's environment variable names, across all containers. */
function allEnvNames(objects: readonly YamlMap[]): string[] {
  return objects
    .filter((object) => object.kind === 'Deployment')
    .flatMap((object) => listAt(object, ['spec', 'template', 'spec', 'containers']))
    .flatMap((item) => (isMap(item) && Array.isArray(item.env) ? item.env : []))
    .map((entry) => String(at(entry, ['name'])));
}

describe(`helm${NOTE}`, () => {
  it('the example settings set only values that values.yaml declares (runs with or without helm)', () => {
    expect(CLUSTERS.map((cluster) => overlayProblems(values, example(cluster)))).toStrictEqual([[], []]);
  });

  it("the EKS example's key-ring ARNs are two different secrets in the stack's account and region (runs with or without helm)", () => {
    const cdkConfig = JSON.parse(readText(join(ROOT, 'cdk/config.example.json'))) as unknown;
    const aws = mapAt(example('eks'), ['keys', 'csi', 'aws']);
    const arns = [aws.flushKeysSecretArn, aws.trainerKeysSecretArn].map(String);
    for (const arn of arns) {
      expect(arn.split(':').slice(0, 6)).toStrictEqual(['arn', 'aws', 'secretsmanager', String(at(cdkConfig, ['region'])), String(at(cdkConfig, ['account'])), 'secret']);
    }
    expect(new Set(arns).size).toBe(2);
    expect(aws.region).toBe(at(cdkConfig, ['region']));
  });

  renderIt.each(CLUSTERS)(`lints the chart with values-%s.yaml and its example settings${NOTE}`, (cluster) => {
    const [, , ...rest] = templateArgs(cluster);
    const result = helm(['lint', '--strict', ...rest]);
    expect({ status: result.status, output: `${result.stdout}${result.stderr}` }).toMatchObject({ status: 0 });
  });

  renderIt.each(CLUSTERS)(`%s: trainers have probes, a GPU and a locked-down container${NOTE}`, (cluster) => {
    const objects = render(cluster);
    const pod = podSpec(objects, 'fl-trainer');
    const trainer = container(objects, 'fl-trainer');
    expect(at(find(objects, 'Deployment', 'fl-trainer'), ['spec', 'template', 'metadata', 'labels', 'app.kubernetes.io/name'])).toBe('fl-trainer');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(mapAt(pod, ['securityContext'])).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(mapAt(trainer, ['securityContext'])).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(listAt(trainer, ['ports'])).toStrictEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      expect(at(trainer, [probe, 'httpGet'])).toStrictEqual({ path: '/healthz', port: 'http' });
    }
    expect(at(trainer, ['resources', 'limits', 'nvidia.com/gpu'])).toBe(1);
    expect(at(trainer, ['lifecycle'])).toBeUndefined();
    expect(listAt(trainer, ['volumeMounts'])).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    const variables = env(objects, 'fl-trainer');
    expect(variables.get('SPOTON_CLIENT_ID')).toStrictEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(variables.get('SPOTON_TRAINER_KEYS')).toStrictEqual({ secretKeyRef: { name: 'spot-on-trainer-keys', key: 'trainer' } });
    expect(variables.get('SPOTON_CLOUD')).toBe(cluster === 'eks' ? 'aws' : 'azure');
    expect(variables.get('TRAINER_PORT')).toBe('8080');
    expect(objects.filter((object) => object.kind === 'Secret')).toStrictEqual([]);
  });

  renderIt.each(CLUSTERS)(`%s: passes the node name and never a made-up instance id (capacity-lost counts real ones)${NOTE}`, (cluster) => {
    const variables = env(render(cluster), 'fl-trainer');
    expect(variables.get('SPOTON_NODE_NAME')).toStrictEqual({ fieldRef: { fieldPath: 'spec.nodeName' } });
    expect(variables.has('SPOTON_INSTANCE_ID')).toBe(false);
  });

  renderIt.each(CLUSTERS)(`%s: sets only environment variables the trainer and the aggregator read${NOTE}`, (cluster) => {
    const objects = render(cluster);
    // Read outside the settings tables: AZURE_* by the Azure SDK's DefaultAzureCredential, SPOTON_TF_BACKEND by
    // fl-training/task/backend.ts (initBackend).
    const outsideSettings = (name: string): boolean => name.startsWith('AZURE_') || name === 'SPOTON_TF_BACKEND';
    const unknown = (deployment: string, settings: Record<string, { env: string }>): string[] => {
      if (!find(objects, 'Deployment', deployment)) return [];
      const known = new Set(Object.values(settings).map((spec) => spec.env));
      return [...env(objects, deployment).keys()].filter((name) => !known.has(name) && !outsideSettings(name));
    };
    expect({ trainer: unknown('fl-trainer', TRAINER_SETTINGS), aggregator: unknown('fl-aggregator', AGGREGATOR_SETTINGS) }).toStrictEqual({ trainer: [], aggregator: [] });
  });

  renderIt.each(CLUSTERS)(`%s: the shutdown budget fits the Spot notice: fallback start < flush deadline < grace period <= notice${NOTE}`, (cluster) => {
    const objects = render(cluster);
    const cloud = String(env(objects, 'fl-trainer').get('SPOTON_CLOUD')) as keyof typeof SPOT_NOTICE_SECONDS;
    const flushSeconds = Number(env(objects, 'fl-trainer').get('SPOTON_SIGTERM_GRACE_MS')) / 1000;
    const fallbackStart = flushSeconds - Number(at(merged(cluster), ['trainer', 'blobFallbackReserveSeconds']));
    const grace = Number(podSpec(objects, 'fl-trainer').terminationGracePeriodSeconds);
    expect(fallbackStart).toBeGreaterThan(0);
    expect(fallbackStart).toBeLessThan(flushSeconds);
    expect(flushSeconds).toBeLessThan(grace);
    expect(grace).toBeLessThanOrEqual(SPOT_NOTICE_SECONDS[cloud]);
  });

  renderIt(`refuses a shutdown budget that does not fit, naming the setting${NOTE}`, () => {
    expect(refusal('aks', { 'trainer.terminationGracePeriodSeconds': 60 })).toStrictEqual(refused('trainer.terminationGracePeriodSeconds (60) must be at most the azure Spot notice (30 s)'));
    expect(refusal('eks', { 'trainer.sigtermFlushSeconds': 120 })).toStrictEqual(refused('trainer.sigtermFlushSeconds (120) must be less than trainer.terminationGracePeriodSeconds (120)'));
    expect(refusal('aks', { 'trainer.sigtermFlushSeconds': 15 })).toStrictEqual(refused('trainer.sigtermFlushSeconds (15) must be more than trainer.blobFallbackReserveSeconds (15)'));
  });

  renderIt(`refuses to render without fl.runId or with a client id that is not a GUID${NOTE}`, () => {
    expect(refusal('aks', { 'fl.runId': null })).toStrictEqual(refused('fl.runId is required'));
    expect(refusal('aks', { 'azure.trainerClientId': 'REPLACE-ME' })).toStrictEqual(refused('azure.trainerClientId must be the client id'));
  });

  renderIt(`eks: tolerates the on-demand NodePool's taint only with trainer.onDemandFallback${NOTE}`, () => {
    const onDemand = { key: 'spot-on.io/capacity', operator: 'Equal', value: 'on-demand', effect: 'NoSchedule' };
    expect(at(values, ['trainer', 'onDemandFallback'])).toBe(false);
    expect(podSpec(render('eks'), 'fl-trainer').tolerations).not.toContainEqual(onDemand);
    const pod = podSpec(renderObjects('eks', { 'trainer.onDemandFallback': true }), 'fl-trainer');
    expect(pod.tolerations).toStrictEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }, onDemand]);
    expect(pod.nodeSelector).toStrictEqual(podSpec(render('eks'), 'fl-trainer').nodeSelector);
    expect(podSpec(renderObjects('eks', { 'trainer.onDemandFallback': false }), 'fl-trainer').tolerations).not.toContainEqual(onDemand);
  });

  renderIt(`refuses trainer.onDemandFallback on AKS, or with a node selector that pins the Spot NodePool${NOTE}`, () => {
    expect(refusal('aks', { 'trainer.onDemandFallback': true })).toStrictEqual(refused('trainer.onDemandFallback is for EKS'));
    for (const label of ['karpenter.sh/nodepool', 'karpenter.sh/capacity-type']) {
      // --set splits keys on unescaped dots.
      const key = `trainer.nodeSelector.${label.replaceAll('.', '\\.')}`;
      expect(refusal('eks', { 'trainer.onDemandFallback': true, [key]: 'spot' })).toStrictEqual(refused(`trainer.nodeSelector ${label} pins one of them`));
    }
  });

  renderIt(`eks: pins the shard when fl.shard is set${NOTE}`, () => {
    expect(env(renderObjects('eks', { 'fl.shard': 'shard-0' }), 'fl-trainer').get('SPOTON_SHARD')).toBe('shard-0');
  });

  renderIt(`aks: leaves the shard to the aggregator (no SPOTON_SHARD), so scaled-out trainers train different shards${NOTE}`, () => {
    expect(env(render('aks'), 'fl-trainer').has('SPOTON_SHARD')).toBe(false);
    expect(env(render('eks'), 'fl-trainer').has('SPOTON_SHARD')).toBe(false);
  });

  renderIt.each(CLUSTERS)(`%s: gives every workload this cloud's data URL (SPOTON_DATA_URL), in its own cloud's store${NOTE}`, (cluster) => {
    const objects = render(cluster);
    const url = at(example(cluster), ['data', 'url']);
    const workloads = cluster === 'eks' ? ['fl-trainer'] : ['fl-aggregator', 'fl-trainer'];
    expect(workloads.map((workload) => env(objects, workload).get('SPOTON_DATA_URL'))).toStrictEqual(workloads.map(() => url));
    expect(String(url)).toMatch(cluster === 'eks' ? /^s3:\/\/[^/]+\/\S+$/ : /^blob:\/\/[^/]+\/\S+$/);
  });

  renderIt(`refuses a missing data.url for either workload, naming the outputs that give it${NOTE}`, () => {
    const missing =
      "data.url is required with trainers or the aggregator: where this cloud's training data is staged (SPOTON_DATA_URL), s3://<bucket>/<prefix> on AWS " +
      '(CDK output TrainingDataBucketName) or blob://<container>/<prefix> on Azure (terraform output training_data_container)';
    expect(refusal('eks', { 'data.url': '' })).toStrictEqual(refused(missing));
    expect(refusal('aks', { 'data.url': null })).toStrictEqual(refused(missing));
    expect(refusal('aks', { 'data.url': '', 'trainer.enabled': false })).toStrictEqual(refused(missing));
    // Neither workload: nothing reads data, so nothing is required.
    expect(renderObjects('aks', { 'data.url': '', 'trainer.enabled': false, 'aggregator.enabled': false })).toStrictEqual(
      renderObjects('aks', { 'trainer.enabled': false, 'aggregator.enabled': false }),
    );
  });

  renderIt(`refuses a data.url in the other cloud's store, or not a data URL at all${NOTE}`, () => {
    expect(refusal('eks', { 'data.url': 'blob://spot-on-data/fl-demo-001' })).toStrictEqual(
      refused('data.url "blob://spot-on-data/fl-demo-001" is not in the trainers\' cloud: trainers on fl.cloud aws read their data from s3:// only'),
    );
    expect(refusal('aks', { 'data.url': 's3://spot-on-data/fl-demo-001' })).toStrictEqual(
      refused('data.url "s3://spot-on-data/fl-demo-001" is not in the trainers\' cloud: trainers on fl.cloud azure read their data from blob:// only'),
    );
    // The aggregator reads Blob whatever fl.cloud says; without trainers its own check speaks.
    expect(refusal('aks', { 'data.url': 's3://spot-on-data/fl-demo-001', 'trainer.enabled': false })).toStrictEqual(
      refused('data.url "s3://spot-on-data/fl-demo-001" is not in Azure: the aggregator reads its test set from blob://<container>/<prefix> only'),
    );
    for (const url of ['gs://bucket/run', 'https://aiflmcdevblob.blob.core.windows.net/spot-on-data/run', 's3://', 'spot-on-data/run']) {
      expect(refusal('eks', { 'data.url': url })).toStrictEqual(refused(`data.url must be s3://<bucket>/<prefix> or blob://<container>/<prefix>, got "${url}"`));
    }
  });

  renderIt(`aks: the aggregator's shards pin shard-2 to AWS, one shard per EKS trainer${NOTE}`, () => {
    const shards = env(render('aks'), 'fl-aggregator').get('SPOTON_SHARDS');
    expect(shards).toBe('shard-0:any,shard-1:any,shard-2:aws');
    expect(String(shards).split(',')).toHaveLength(Number(at(find(render('eks'), 'Deployment', 'fl-trainer'), ['spec', 'replicas'])));
  });

  renderIt(`renders no trainer PDB on either cloud (Spot drains honour PDBs); keeps the aggregator's${NOTE}`, () => {
    expect(CLUSTERS.map((cluster) => find(render(cluster), 'PodDisruptionBudget', 'fl-trainer'))).toStrictEqual([undefined, undefined]);
    expect(at(find(render('aks'), 'PodDisruptionBudget', 'fl-aggregator'), ['spec', 'maxUnavailable'])).toBe(1);
  });

  renderIt(`renders no cluster-scoped RBAC (cdk/k8s/reflex-rbac.yaml is the single owner)${NOTE}`, () => {
    const kinds = CLUSTERS.flatMap((cluster) => render(cluster).map((object) => String(object.kind)));
    expect(kinds.filter((kind) => kind.startsWith('Cluster'))).toStrictEqual([]);
  });

  renderIt(`eks: trainers on the Karpenter Spot GPU NodePool, no aggregator, Entra token projected${NOTE}`, () => {
    const objects = render('eks');
    const pod = podSpec(objects, 'fl-trainer');
    // The trainer label selects both NodePools; without the on-demand toleration only spot-gpu admits the pods.
    expect(pod.nodeSelector).toStrictEqual({ 'spot-on.io/role': 'trainer' });
    expect(pod.tolerations).toStrictEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(at(find(objects, 'Deployment', 'fl-trainer'), ['spec', 'replicas'])).toBe(3);
    expect(find(objects, 'Deployment', 'fl-aggregator')).toBeUndefined();
    expect(env(objects, 'fl-trainer').get('SPOTON_AGGREGATOR_URL')).toBe(at(example('eks'), ['fl', 'aggregatorUrl']));
    expect(env(objects, 'fl-trainer').get('AZURE_CLIENT_ID')).toBe(at(example('eks'), ['azure', 'trainerClientId']));
    expect(env(objects, 'fl-trainer').get('AZURE_FEDERATED_TOKEN_FILE')).toBe('/var/run/secrets/azure/tokens/azure-identity-token');
  });

  renderIt(`aks: standby trainers on gpuspot, the aggregator on userpool, workload identity${NOTE}`, () => {
    const objects = render('aks');
    const trainerDeployment = find(objects, 'Deployment', 'fl-trainer');
    expect(at(trainerDeployment, ['spec', 'replicas'])).toBe(0);
    const pod = podSpec(objects, 'fl-trainer');
    expect(pod.nodeSelector).toStrictEqual({ 'spot-on.io/role': 'trainer' });
    expect(pod.tolerations).toContainEqual({ key: 'spot-on.io/capacity', operator: 'Equal', value: 'on-demand', effect: 'NoSchedule' });
    expect(pod.tolerations).toContainEqual({ key: 'kubernetes.azure.com/scalesetpriority', operator: 'Equal', value: 'spot', effect: 'NoSchedule' });
    expect(at(trainerDeployment, ['spec', 'template', 'metadata', 'labels', 'azure.workload.identity/use'])).toBe('true');
    expect(at(find(objects, 'ServiceAccount', 'fl-trainer'), ['metadata', 'annotations', 'azure.workload.identity/client-id'])).toBe(at(example('aks'), ['azure', 'trainerClientId']));
    expect(at(find(objects, 'ServiceAccount', 'fl-aggregator'), ['metadata', 'annotations', 'azure.workload.identity/client-id'])).toBe(at(example('aks'), ['azure', 'aggregatorClientId']));
    expect(podSpec(objects, 'fl-aggregator').nodeSelector).toStrictEqual({ 'spot-on.io/role': 'aggregator' });
    expect(at(find(objects, 'Deployment', 'fl-aggregator'), ['spec', 'strategy', 'type'])).toBe('Recreate');
    expect(at(container(objects, 'fl-aggregator'), ['lifecycle', 'preStop', 'sleep', 'seconds'])).toBe(5);
    const aggregatorEnv = env(objects, 'fl-aggregator');
    expect(aggregatorEnv.get('SPOTON_RUN_ID')).toBe(at(example('aks'), ['fl', 'runId']));
    expect(aggregatorEnv.get('SPOTON_AGGREGATOR_PORT')).toBe('8080');
    expect(aggregatorEnv.get('SPOTON_BLOB_ACCOUNT_URL')).toBe(at(example('aks'), ['storage', 'accountUrl']));
  });

  renderIt(`aks: the aggregator's internal load balancer sits at the fixed private IP${NOTE}`, () => {
    const service = find(render('aks'), 'Service', 'fl-aggregator');
    expect(at(service, ['spec', 'type'])).toBe('LoadBalancer');
    expect(mapAt(service, ['metadata', 'annotations'])).toStrictEqual({
      'service.beta.kubernetes.io/azure-load-balancer-internal': 'true',
      'service.beta.kubernetes.io/azure-load-balancer-ipv4': at(example('aks'), ['aggregator', 'service', 'privateIp']),
      'service.beta.kubernetes.io/azure-load-balancer-internal-subnet': 'snet-aks-user',
    });
    expect(refusal('aks', { 'aggregator.service.privateIp': null })).toStrictEqual(refused('aggregator.service.privateIp must be'));
    expect(refusal('aks', { 'aggregator.service.privateIp': 'REPLACE-ME' })).toStrictEqual(refused('aggregator.service.privateIp must be'));
    expect(refusal('eks', { 'aggregator.enabled': true, 'fl.runId': 'x', 'aggregator.brainUrl': 'https://b/api/signals', 'aggregator.service.type': 'LoadBalancer' })).toStrictEqual(
      refused('aggregator.service.type LoadBalancer is an Azure internal load balancer'),
    );
  });

  renderIt(`aks: the aggregator signals the brain and fails back at the EKS release's trainer count${NOTE}`, () => {
    const aggregatorEnv = env(render('aks'), 'fl-aggregator');
    expect(aggregatorEnv.get('SPOTON_BRAIN_URL')).toBe(at(example('aks'), ['aggregator', 'brainUrl']));
    expect(aggregatorEnv.get('SPOTON_MIN_AWS_TRAINERS')).toBe(String(at(find(render('eks'), 'Deployment', 'fl-trainer'), ['spec', 'replicas'])));
  });

  renderIt(`requires aggregator.brainUrl unless the backup trigger is explicitly off${NOTE}`, () => {
    expect(refusal('aks', { 'aggregator.brainUrl': null })).toStrictEqual(refused('aggregator.brainUrl is required'));
    const optedOut = env(renderObjects('aks', { 'aggregator.brainUrl': null, 'aggregator.backupTrigger.enabled': false }), 'fl-aggregator');
    expect([optedOut.has('SPOTON_BRAIN_URL'), optedOut.has('SPOTON_MIN_AWS_TRAINERS')]).toStrictEqual([false, false]);
    expect(refusal('aks', { 'aggregator.backupTrigger.enabled': false })).toStrictEqual(refused('aggregator.brainUrl is set but aggregator.backupTrigger.enabled is false'));
    expect(refusal('aks', { 'aggregator.minAwsTrainers': 0 })).toStrictEqual(refused('aggregator.minAwsTrainers must be at least 1'));
  });

  renderIt.each(CLUSTERS)(`%s: each workload gets exactly its key rings, each from its own Secret; no single HMAC key any more${NOTE}`, (cluster) => {
    const objects = render(cluster);
    const trainerRings: Partial<Record<KeyPurpose, string>> = cluster === 'eks' ? { trainer: 'spot-on-trainer-keys/trainer', flush: 'spot-on-trainer-keys/flush' } : { trainer: 'spot-on-trainer-keys/trainer' };
    const byEnv = (rings: Partial<Record<KeyPurpose, string>>): Record<string, string> =>
      Object.fromEntries(KEY_PURPOSES.flatMap((purpose) => (rings[purpose] ? [[KEY_RING_SETTINGS[purpose], rings[purpose]]] : [])));
    expect(keyRings(objects, 'fl-trainer')).toStrictEqual(byEnv(trainerRings));
    if (cluster === 'aks') {
      expect(keyRings(objects, 'fl-aggregator')).toStrictEqual(byEnv({ signal: 'spot-on-aggregator-keys/signal', trainer: 'spot-on-aggregator-keys/trainer' }));
    }
    expect(allEnvNames(objects).filter((name) => name === 'SPOTON_HMAC_SECRET' || /HMAC|SIGNING/.test(name))).toStrictEqual([]);
  });

  renderIt(`the flush keys follow fl.cloud, not the overlay: an Azure trainer gets none, an AWS one does${NOTE}`, () => {
    expect(keyRings(renderObjects('eks', { 'fl.cloud': 'azure', 'trainer.terminationGracePeriodSeconds': 30, 'trainer.sigtermFlushSeconds': 20, 'keys.source': 'existing', 'data.url': 'blob://spot-on-data/run' }), 'fl-trainer')).toStrictEqual({
      SPOTON_TRAINER_KEYS: 'spot-on-trainer-keys/trainer',
    });
    expect(keyRings(renderObjects('aks', { 'fl.cloud': 'aws', 'aggregator.enabled': false, 'azure.workloadIdentity.enabled': false, 'keys.source': 'existing', 'trainer.terminationGracePeriodSeconds': 120, 'trainer.sigtermFlushSeconds': 100, 'data.url': 's3://spot-on-data/run' }), 'fl-trainer')).toStrictEqual({
      SPOTON_TRAINER_KEYS: 'spot-on-trainer-keys/trainer',
      SPOTON_FLUSH_KEYS: 'spot-on-trainer-keys/flush',
    });
  });

  renderIt(`the Secret names come from keys.trainerSecretName and keys.aggregatorSecretName${NOTE}`, () => {
    const objects = renderObjects('aks', { 'keys.trainerSecretName': 'tk', 'keys.aggregatorSecretName': 'ak' });
    expect(keyRings(objects, 'fl-trainer')).toStrictEqual({ SPOTON_TRAINER_KEYS: 'tk/trainer' });
    expect(keyRings(objects, 'fl-aggregator')).toStrictEqual({ SPOTON_SIGNAL_KEYS: 'ak/signal', SPOTON_TRAINER_KEYS: 'ak/trainer' });
    expect(syncedSecrets(find(objects, 'SecretProviderClass', 'fl-trainer-keys'))).toStrictEqual(['tk: trainer <- trainer']);
    expect(syncedSecrets(find(objects, 'SecretProviderClass', 'fl-aggregator-keys'))).toStrictEqual(['ak: signal <- signal, trainer <- trainer']);
  });

  renderIt(`aks: each workload syncs only its own Key Vault key rings into its own Secret, with its own workload identity${NOTE}`, () => {
    const objects = render('aks');
    const aks = example('aks');
    const azure = mapAt(merged('aks'), ['keys', 'csi', 'azure']);
    const expected = [
      {
        workload: 'fl-aggregator',
        clientId: at(aks, ['azure', 'aggregatorClientId']),
        objects: [
          { objectName: azure.signalKeysSecretName, objectAlias: 'signal', objectType: 'secret' },
          { objectName: azure.trainerKeysSecretName, objectAlias: 'trainer', objectType: 'secret' },
        ],
        synced: ['spot-on-aggregator-keys: signal <- signal, trainer <- trainer'],
      },
      {
        workload: 'fl-trainer',
        clientId: at(aks, ['azure', 'trainerClientId']),
        objects: [{ objectName: azure.trainerKeysSecretName, objectAlias: 'trainer', objectType: 'secret' }],
        synced: ['spot-on-trainer-keys: trainer <- trainer'],
      },
    ];
    for (const { workload, clientId, objects: fetched, synced } of expected) {
      const spc = find(objects, 'SecretProviderClass', `${workload}-keys`);
      expect(at(spc, ['apiVersion'])).toBe('secrets-store.csi.x-k8s.io/v1');
      expect(at(spc, ['metadata', 'labels', 'app.kubernetes.io/name'])).toBe(workload);
      expect(mapAt(spc, ['spec'])).toMatchObject({
        provider: 'azure',
        parameters: { usePodIdentity: 'false', clientID: clientId, keyvaultName: at(aks, ['keys', 'csi', 'azure', 'keyVaultName']), tenantId: at(aks, ['azure', 'tenantId']) },
      });
      expect(providerObjects(spc)).toStrictEqual(fetched);
      expect(syncedSecrets(spc)).toStrictEqual(synced);
      expect(listAt(podSpec(objects, workload), ['volumes'])).toContainEqual({
        name: 'keys',
        csi: { driver: 'secrets-store.csi.k8s.io', readOnly: true, volumeAttributes: { secretProviderClass: `${workload}-keys` } },
      });
      expect(listAt(container(objects, workload), ['volumeMounts'])).toContainEqual({ name: 'keys', mountPath: '/mnt/secrets-store/keys', readOnly: true });
    }
    expect(objects.filter((object) => object.kind === 'SecretProviderClass').map((object) => at(object, ['metadata', 'name']))).toStrictEqual(['fl-aggregator-keys', 'fl-trainer-keys']);
  });

  renderIt(`a trainer's SecretProviderClass never fetches or syncs the signal keys, on either cloud${NOTE}`, () => {
    const signalVaultSecret = String(at(merged('aks'), ['keys', 'csi', 'azure', 'signalKeysSecretName']));
    for (const objects of [render('aks'), render('eks'), renderObjects('aks', { 'keys.csi.azure.addonIdentityClientId': '44444444-5555-6666-7777-888888888888' })]) {
      const spc = find(objects, 'SecretProviderClass', 'fl-trainer-keys');
      expect(spc).toBeDefined();
      const fetched = providerObjects(spc);
      expect(fetched.filter((object) => object.objectAlias === 'signal' || object.objectName === signalVaultSecret)).toStrictEqual([]);
      expect(syncedSecrets(spc).filter((line) => line.includes('signal') || line.startsWith('spot-on-aggregator-keys'))).toStrictEqual([]);
    }
  });

  renderIt(`aks: refuses the Key Vault CSI source without its vault, tenant or secret names, naming the value${NOTE}`, () => {
    expect(refusal('aks', { 'keys.csi.azure.keyVaultName': '' })).toStrictEqual(refused('keys.csi.azure.keyVaultName is required with keys.source csi on Azure (terraform output key_vault_name)'));
    expect(refusal('aks', { 'azure.tenantId': '' })).toStrictEqual(refused('azure.tenantId is required with keys.source csi on Azure'));
    expect(refusal('aks', { 'keys.csi.azure.signalKeysSecretName': '' })).toStrictEqual(
      refused('keys.csi.azure.signalKeysSecretName is required with keys.source csi on Azure and the aggregator (terraform key_vault.signal_keys_secret_name)'),
    );
    expect(refusal('aks', { 'keys.csi.azure.trainerKeysSecretName': '' })).toStrictEqual(refused('keys.csi.azure.trainerKeysSecretName is required with keys.source csi on Azure (terraform key_vault.trainer_keys_secret_name)'));
    // Trainers alone never need the signal keys, so their release does not need the name either.
    const trainersOnly = renderObjects('aks', { 'aggregator.enabled': false, 'keys.csi.azure.signalKeysSecretName': '' });
    expect(providerObjects(find(trainersOnly, 'SecretProviderClass', 'fl-trainer-keys')).map((object) => object.objectAlias)).toStrictEqual(['trainer']);
  });

  renderIt(`aks: can fetch the key rings with the CSI add-on's node identity instead (terraform's key_vault_csi)${NOTE}`, () => {
    const addon = '44444444-5555-6666-7777-888888888888';
    const objects = renderObjects('aks', { 'keys.csi.azure.addonIdentityClientId': addon });
    for (const workload of ['fl-aggregator', 'fl-trainer']) {
      const parameters = mapAt(find(objects, 'SecretProviderClass', `${workload}-keys`), ['spec', 'parameters']);
      expect([parameters.useVMManagedIdentity, parameters.userAssignedIdentityID, parameters.clientID, parameters.usePodIdentity]).toStrictEqual(['true', addon, undefined, undefined]);
    }
    expect(refusal('aks', { 'keys.csi.azure.addonIdentityClientId': 'REPLACE-ME' })).toStrictEqual(refused('keys.csi.azure.addonIdentityClientId must be the client id'));
  });

  renderIt(`eks: the trainer syncs the flush and trainer key rings from Secrets Manager by ARN and mounts them${NOTE}`, () => {
    const objects = render('eks');
    const aws = mapAt(example('eks'), ['keys', 'csi', 'aws']);
    const spc = find(objects, 'SecretProviderClass', 'fl-trainer-keys');
    expect(mapAt(spc, ['spec'])).toMatchObject({ provider: 'aws', parameters: { region: aws.region, usePodIdentity: 'true' } });
    expect(providerObjects(spc)).toStrictEqual([
      { objectName: aws.trainerKeysSecretArn, objectAlias: 'trainer', objectType: 'secretsmanager' },
      { objectName: aws.flushKeysSecretArn, objectAlias: 'flush', objectType: 'secretsmanager' },
    ]);
    expect(syncedSecrets(spc)).toStrictEqual(['spot-on-trainer-keys: trainer <- trainer, flush <- flush']);
    expect(objects.filter((object) => object.kind === 'SecretProviderClass').map((object) => at(object, ['metadata', 'name']))).toStrictEqual(['fl-trainer-keys']);
    expect(listAt(podSpec(objects, 'fl-trainer'), ['volumes'])).toContainEqual({
      name: 'keys',
      csi: { driver: 'secrets-store.csi.k8s.io', readOnly: true, volumeAttributes: { secretProviderClass: 'fl-trainer-keys' } },
    });
    expect(listAt(container(objects, 'fl-trainer'), ['volumeMounts'])).toContainEqual({ name: 'keys', mountPath: '/mnt/secrets-store/keys', readOnly: true });
  });

  renderIt(`eks: refuses the Secrets Manager CSI source without both ARNs, with a name instead of an ARN, or for the aggregator${NOTE}`, () => {
    expect(refusal('eks', { 'keys.csi.aws.flushKeysSecretArn': '' })).toStrictEqual(refused('keys.csi.aws.flushKeysSecretArn is required with keys.source csi on AWS (the CDK output FlushKeysSecretArn)'));
    expect(refusal('eks', { 'keys.csi.aws.trainerKeysSecretArn': '' })).toStrictEqual(refused('keys.csi.aws.trainerKeysSecretArn is required with keys.source csi on AWS (the CDK output TrainerKeysSecretArn)'));
    expect(refusal('eks', { 'keys.csi.aws.flushKeysSecretArn': 'FlushKeys' })).toStrictEqual(
      refused('keys.csi.aws.flushKeysSecretArn must be the ARN of a Secrets Manager secret (the CDK output FlushKeysSecretArn), got "FlushKeys"'),
    );
    expect(refusal('eks', { 'keys.csi.aws.trainerKeysSecretArn': 'REPLACE-ME' })).toStrictEqual(refused('keys.csi.aws.trainerKeysSecretArn must be the ARN of a Secrets Manager secret'));
    expect(refusal('eks', { 'aggregator.enabled': true, 'fl.runId': 'x', 'aggregator.brainUrl': 'https://b/api/signals', 'storage.accountUrl': 'https://a.blob.core.windows.net' })).toStrictEqual(
      refused("keys.source csi on AWS syncs the trainers' key rings only; the aggregator runs on Azure"),
    );
  });

  renderIt(`eks: IRSA instead of Pod Identity needs the role annotation${NOTE}`, () => {
    expect(refusal('eks', { 'keys.csi.aws.usePodIdentity': false })).toStrictEqual(refused('keys.csi.aws.usePodIdentity false (IRSA) needs the eks.amazonaws.com/role-arn annotation'));
    const irsa = renderObjects('eks', { 'keys.csi.aws.usePodIdentity': false, 'trainer.serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn': 'arn:aws:iam::123456789012:role/fl-trainer' });
    expect(at(find(irsa, 'SecretProviderClass', 'fl-trainer-keys'), ['spec', 'parameters', 'usePodIdentity'])).toBe('false');
  });

  renderIt(`refuses an unknown keys.source, a missing Secret name, and one Secret for both workloads${NOTE}`, () => {
    expect(refusal('aks', { 'keys.source': 'vault' })).toStrictEqual(refused('keys.source must be existing or csi, got "vault"'));
    expect(refusal('eks', { 'keys.trainerSecretName': '' })).toStrictEqual(refused('keys.trainerSecretName is required with trainers'));
    expect(refusal('aks', { 'keys.aggregatorSecretName': '' })).toStrictEqual(refused('keys.aggregatorSecretName is required with the aggregator'));
    expect(refusal('aks', { 'keys.aggregatorSecretName': 'spot-on-trainer-keys' })).toStrictEqual(
      refused('keys.trainerSecretName and keys.aggregatorSecretName are both "spot-on-trainer-keys": each workload needs its own Secret'),
    );
    expect(refusal('aks', { 'keys.source': 'existing', 'keys.trainerSecretName': 'spot-on-aggregator-keys' })).toStrictEqual(refused('each workload needs its own Secret'));
  });

  renderIt(`source existing renders no SecretProviderClass and no CSI volume, and still reads each workload's Secret${NOTE}`, () => {
    for (const cluster of CLUSTERS) {
      const objects = renderObjects(cluster, { 'keys.source': 'existing', 'keys.csi.azure.keyVaultName': '', 'keys.csi.aws.flushKeysSecretArn': '', 'keys.csi.aws.trainerKeysSecretArn': '' });
      expect(objects.filter((object) => object.kind === 'SecretProviderClass')).toStrictEqual([]);
      expect(listAt(podSpec(objects, 'fl-trainer'), ['volumes']).map((volume) => at(volume, ['name']))).not.toContain('keys');
      expect(listAt(container(objects, 'fl-trainer'), ['volumeMounts']).map((mount) => at(mount, ['name']))).not.toContain('keys');
      expect(keyRings(objects, 'fl-trainer')).toStrictEqual(keyRings(render(cluster), 'fl-trainer'));
      if (cluster === 'aks') {
        expect(listAt(podSpec(objects, 'fl-aggregator'), ['volumes']).map((volume) => at(volume, ['name']))).toStrictEqual(['tmp']);
        expect(keyRings(objects, 'fl-aggregator')).toStrictEqual({ SPOTON_SIGNAL_KEYS: 'spot-on-aggregator-keys/signal', SPOTON_TRAINER_KEYS: 'spot-on-aggregator-keys/trainer' });
      }
    }
  });
});

describe(`helm: tracing (OTEL_EXPORTER_OTLP_ENDPOINT)${NOTE}`, () => {
  const OTLP = 'OTEL_EXPORTER_OTLP_ENDPOINT';
  const COLLECTOR = 'http://otel-collector.observability.svc.cluster.local:4318';
  /** The workloads each cluster's release runs. */
  const workloads = (objects: readonly YamlMap[]): string[] => objects.filter((object) => object.kind === 'Deployment').map((object) => String(at(object, ['metadata', 'name'])));
  /** Each Deployment's OTEL_* variables, name -> value, with every occurrence (a duplicate would show twice). */
  const otelEnv = (objects: readonly YamlMap[]): Record<string, string[]> =>
    Object.fromEntries(
      workloads(objects).map((deployment) => [
        deployment,
        listAt(container(objects, deployment), ['env'])
          .filter(isMap)
          .filter((entry) => String(entry.name).startsWith('OTEL_'))
          .map((entry) => `${String(entry.name)}=${String(entry.value)}`),
      ]),
    );

  it('is off by default: values.yaml declares tracing.otlpEndpoint empty and neither overlay nor example sets it (runs with or without helm)', () => {
    expect(at(values, ['tracing', 'otlpEndpoint'])).toBe('');
    expect(CLUSTERS.map((cluster) => at(merged(cluster), ['tracing', 'otlpEndpoint']))).toStrictEqual(['', '']);
  });

  renderIt.each(CLUSTERS)(`%s: renders no OTEL_* variable on any workload by default, so nothing is sent${NOTE}`, (cluster) => {
    const objects = render(cluster);
    expect(workloads(objects)).toStrictEqual(cluster === 'eks' ? ['fl-trainer'] : ['fl-aggregator', 'fl-trainer']);
    expect(otelEnv(objects)).toStrictEqual(Object.fromEntries(workloads(objects).map((deployment) => [deployment, []])));
    expect(allEnvNames(objects).filter((name) => name.startsWith('OTEL_'))).toStrictEqual([]);
  });

  renderIt.each(CLUSTERS)(`%s: with tracing.otlpEndpoint set, every workload gets OTEL_EXPORTER_OTLP_ENDPOINT once, with that value${NOTE}`, (cluster) => {
    const objects = renderObjects(cluster, { 'tracing.otlpEndpoint': COLLECTOR });
    expect(workloads(objects)).toStrictEqual(workloads(render(cluster)));
    expect(otelEnv(objects)).toStrictEqual(Object.fromEntries(workloads(objects).map((deployment) => [deployment, [`${OTLP}=${COLLECTOR}`]])));
    // What the processes make of it (protocol/tracer.ts): the collector's OTLP/HTTP traces path.
    for (const deployment of workloads(objects)) {
      expect(tracesEndpoint(Object.fromEntries([...env(objects, deployment)].map(([name, value]) => [name, typeof value === 'string' ? value : undefined])))).toBe(`${COLLECTOR}/v1/traces`);
    }
    // Nothing else changes: the variable is the whole difference.
    const withoutOtlp = (all: readonly YamlMap[]): unknown =>
      JSON.parse(JSON.stringify(all), (key: string, value: unknown) => (key === 'env' && Array.isArray(value) ? value.filter((entry) => !(isMap(entry) && entry.name === OTLP)) : value)) as unknown;
    expect(withoutOtlp(objects)).toStrictEqual(render(cluster));
  });

  renderIt(`the set variable is one the processes read: tracer.ts reads it, and it is the only addition to the trainer's and the aggregator's settings${NOTE}`, () => {
    const objects = renderObjects('aks', { 'tracing.otlpEndpoint': COLLECTOR });
    const read = new Set([...Object.values(TRAINER_SETTINGS), ...Object.values(AGGREGATOR_SETTINGS)].map((spec) => spec.env));
    const extra = [...new Set(allEnvNames(objects))].filter((name) => !read.has(name) && !name.startsWith('AZURE_') && name !== 'SPOTON_TF_BACKEND');
    expect(extra).toStrictEqual([OTLP]);
    expect(tracesEndpoint({ [OTLP]: undefined })).toBeUndefined();
    expect(tracesEndpoint({ [OTLP]: COLLECTOR })).toBe(`${COLLECTOR}/v1/traces`);
  });

  renderIt(`refuses a tracing.otlpEndpoint that is not an http(s) base URL, or that extraEnv sets too${NOTE}`, () => {
    expect(refusal('eks', { 'tracing.otlpEndpoint': 'otel-collector:4318' })).toStrictEqual(refused('tracing.otlpEndpoint must be the http(s) URL of an OTLP/HTTP collector'));
    expect(refusal('aks', { 'tracing.otlpEndpoint': 'grpc://otel-collector:4317' })).toStrictEqual(refused('got "grpc://otel-collector:4317"'));
    expect(refusal('aks', { 'tracing.otlpEndpoint': `${COLLECTOR}/v1/traces` })).toStrictEqual(refused('the processes append /v1/traces themselves'));
    expect(refusal('aks', { 'tracing.otlpEndpoint': COLLECTOR, [`aggregator.extraEnv.${OTLP}`]: 'http://other:4318' })).toStrictEqual(
      refused(`aggregator.extraEnv.${OTLP} and tracing.otlpEndpoint are both set`),
    );
    expect(refusal('eks', { 'tracing.otlpEndpoint': COLLECTOR, [`trainer.extraEnv.${OTLP}`]: 'http://other:4318' })).toStrictEqual(refused(`trainer.extraEnv.${OTLP} and tracing.otlpEndpoint are both set`));
    // An https collector with a path prefix is a base URL too.
    expect(otelEnv(renderObjects('eks', { 'tracing.otlpEndpoint': 'https://collector.example.internal/otlp' }))).toStrictEqual({ 'fl-trainer': [`${OTLP}=https://collector.example.internal/otlp`] });
  });
});
