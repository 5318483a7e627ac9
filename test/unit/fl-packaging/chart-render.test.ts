import { join } from 'node:path';
import { AGGREGATOR_SETTINGS } from '../../../fl-training/aggregator/main';
import { TRAINER_SETTINGS } from '../../../fl-training/trainer/main';
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
  renderObjects,
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

describe(`helm${NOTE}`, () => {
  it('the example settings set only values that values.yaml declares (runs with or without helm)', () => {
    expect(CLUSTERS.map((cluster) => overlayProblems(values, example(cluster)))).toStrictEqual([[], []]);
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
    expect(variables.get('SPOTON_HMAC_SECRET')).toStrictEqual({ secretKeyRef: { name: 'spot-on-signing', key: 'signing-secret' } });
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

  renderIt(`eks: pins the shard when fl.shard is set${NOTE}`, () => {
    expect(env(renderObjects('eks', { 'fl.shard': 'shard-0' }), 'fl-trainer').get('SPOTON_SHARD')).toBe('shard-0');
  });

  renderIt(`aks: leaves the shard to the aggregator (no SPOTON_SHARD), so scaled-out trainers train different shards${NOTE}`, () => {
    expect(env(render('aks'), 'fl-trainer').has('SPOTON_SHARD')).toBe(false);
    expect(env(render('eks'), 'fl-trainer').has('SPOTON_SHARD')).toBe(false);
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
    expect(pod.nodeSelector).toStrictEqual({ 'karpenter.sh/nodepool': 'spot-gpu', 'karpenter.sh/capacity-type': 'spot' });
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
    expect(pod.nodeSelector).toStrictEqual({ 'spot-on.io/role': 'trainer', 'kubernetes.azure.com/scalesetpriority': 'spot' });
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

  renderIt(`aks: each workload syncs the Key Vault signing key with its own workload identity and mounts it${NOTE}`, () => {
    const objects = render('aks');
    const aks = example('aks');
    for (const [workload, clientId] of [
      ['fl-aggregator', at(aks, ['azure', 'aggregatorClientId'])],
      ['fl-trainer', at(aks, ['azure', 'trainerClientId'])],
    ] as const) {
      const spc = find(objects, 'SecretProviderClass', `${workload}-signing`);
      expect(at(spc, ['apiVersion'])).toBe('secrets-store.csi.x-k8s.io/v1');
      expect(mapAt(spc, ['spec'])).toMatchObject({
        provider: 'azure',
        parameters: { usePodIdentity: 'false', clientID: clientId, keyvaultName: at(aks, ['signingSecret', 'csi', 'azure', 'keyVaultName']), tenantId: at(aks, ['azure', 'tenantId']) },
        secretObjects: [{ secretName: 'spot-on-signing', type: 'Opaque', data: [{ objectName: 'signing-secret', key: 'signing-secret' }] }],
      });
      expect(String(at(spc, ['spec', 'parameters', 'objects']))).toContain('objectName: spoton-signing-secret');
      expect(listAt(podSpec(objects, workload), ['volumes'])).toContainEqual({
        name: 'signing-secret',
        csi: { driver: 'secrets-store.csi.k8s.io', readOnly: true, volumeAttributes: { secretProviderClass: `${workload}-signing` } },
      });
      expect(listAt(container(objects, workload), ['volumeMounts'])).toContainEqual({ name: 'signing-secret', mountPath: '/mnt/secrets-store/signing', readOnly: true });
    }
    expect(refusal('aks', { 'signingSecret.csi.azure.keyVaultName': '' })).toStrictEqual(refused('signingSecret.csi.azure.keyVaultName is required'));
  });

  renderIt(`aks: can fetch the signing key with the CSI add-on's node identity instead (terraform's key_vault_csi)${NOTE}`, () => {
    const addon = '44444444-5555-6666-7777-888888888888';
    const objects = renderObjects('aks', { 'signingSecret.csi.azure.addonIdentityClientId': addon });
    for (const workload of ['fl-aggregator', 'fl-trainer']) {
      const parameters = mapAt(find(objects, 'SecretProviderClass', `${workload}-signing`), ['spec', 'parameters']);
      expect([parameters.useVMManagedIdentity, parameters.userAssignedIdentityID, parameters.clientID, parameters.usePodIdentity]).toStrictEqual(['true', addon, undefined, undefined]);
    }
    expect(refusal('aks', { 'signingSecret.csi.azure.addonIdentityClientId': 'REPLACE-ME' })).toStrictEqual(refused('signingSecret.csi.azure.addonIdentityClientId must be the client id'));
  });

  renderIt(`eks: the trainer syncs the Secrets Manager signing key through the AWS provider and mounts it${NOTE}`, () => {
    const objects = render('eks');
    const spc = find(objects, 'SecretProviderClass', 'fl-trainer-signing');
    const secretName = String(at(example('eks'), ['signingSecret', 'csi', 'aws', 'secretName']));
    expect(mapAt(spc, ['spec'])).toMatchObject({
      provider: 'aws',
      parameters: { region: at(example('eks'), ['signingSecret', 'csi', 'aws', 'region']), usePodIdentity: 'true' },
      secretObjects: [{ secretName: 'spot-on-signing', type: 'Opaque', data: [{ objectName: 'signing-secret', key: 'signing-secret' }] }],
    });
    expect(String(at(spc, ['spec', 'parameters', 'objects']))).toContain(`objectName: "${secretName}"`);
    expect(find(objects, 'SecretProviderClass', 'fl-aggregator-signing')).toBeUndefined();
    expect(listAt(podSpec(objects, 'fl-trainer'), ['volumes'])).toContainEqual(expect.objectContaining({ name: 'signing-secret' }));
    expect(refusal('eks', { 'signingSecret.csi.aws.secretName': '' })).toStrictEqual(refused('signingSecret.csi.aws.secretName is required'));
    expect(refusal('eks', { 'signingSecret.csi.aws.usePodIdentity': false })).toStrictEqual(refused('needs the eks.amazonaws.com/role-arn annotation'));
  });

  renderIt(`source existing renders no SecretProviderClass and no CSI volume${NOTE}`, () => {
    const objects = renderObjects('aks', { 'signingSecret.source': 'existing' });
    expect(objects.filter((object) => object.kind === 'SecretProviderClass')).toStrictEqual([]);
    expect(listAt(podSpec(objects, 'fl-trainer'), ['volumes']).map((volume) => at(volume, ['name']))).toStrictEqual(['tmp']);
    expect(env(objects, 'fl-trainer').get('SPOTON_HMAC_SECRET')).toStrictEqual({ secretKeyRef: { name: 'spot-on-signing', key: 'signing-secret' } });
  });
});
