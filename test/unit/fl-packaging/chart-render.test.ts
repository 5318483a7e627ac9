import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CHART_DIR, type YamlMap, at, findOnPath, isMap, listAt, loadDocument, mapAt, valuePathExists } from './helpers';

/**
 * Renders the chart with helm (`helm lint`, `helm template`) for both cluster overlays and checks the objects.
 * helm is not installed on the machines this repository is built on and cannot be downloaded there, so without it
 * these tests are skipped, visibly; chart-templates.test.ts and chart-values.test.ts check what needs no renderer.
 */

jest.setTimeout(60_000);

const HELM = findOnPath('helm');
const renderIt = HELM ? it : it.skip;
const NOTE = HELM ? '' : ' (skipped: helm is not on PATH)';

const TENANT = '11111111-2222-3333-4444-555555555555';
const AGGREGATOR_ID = '22222222-3333-4444-5555-666666666666';
const TRAINER_ID = '33333333-4444-5555-6666-777777777777';

const SETTINGS = {
  eks: {
    'fl.shard': 'shard-0',
    'fl.aggregatorUrl': 'http://10.101.8.10:8080',
    'storage.accountUrl': 'https://spotontest.blob.core.windows.net',
    'azure.tenantId': TENANT,
    'azure.trainerClientId': TRAINER_ID,
  },
  aks: {
    'fl.runId': 'fl-test-001',
    'fl.shard': 'shard-1',
    'aggregator.brainUrl': 'https://func-spot-on.azurewebsites.net/api/signals',
    'storage.accountUrl': 'https://spotontest.blob.core.windows.net',
    'azure.tenantId': TENANT,
    'azure.aggregatorClientId': AGGREGATOR_ID,
    'azure.trainerClientId': TRAINER_ID,
  },
} as const;
type Cluster = keyof typeof SETTINGS;

function helm(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(HELM ?? 'helm', args, { encoding: 'utf8', timeout: 50_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** values file, settings, and the Kubernetes version of the clusters (the chart needs >= 1.30; AKS runs 1.33). */
function helmArgs(cluster: Cluster, settings: Readonly<Record<string, string>> = SETTINGS[cluster]): string[] {
  return ['--kube-version', '1.33.0', '-f', join(CHART_DIR, `values-${cluster}.yaml`), ...Object.entries(settings).flatMap(([key, value]) => ['--set-string', `${key}=${value}`])];
}

const rendered = new Map<Cluster, YamlMap[]>();

function render(cluster: Cluster): YamlMap[] {
  const cached = rendered.get(cluster);
  if (cached) return cached;
  const result = helm(['template', 'spot-on-fl', CHART_DIR, '--namespace', 'fl', ...helmArgs(cluster)]);
  if (result.status !== 0) throw new Error(`helm template (${cluster}) failed: ${result.stderr}`);
  const documents = parseAllDocuments(result.stdout, { uniqueKeys: true });
  const errors = documents.flatMap((document) => document.errors.map((error) => error.message));
  if (errors.length > 0) throw new Error(`helm template (${cluster}) rendered invalid YAML: ${errors.join('; ')}`);
  const objects = documents.map((document) => document.toJS() as unknown).filter(isMap);
  rendered.set(cluster, objects);
  return objects;
}

function find(cluster: Cluster, kind: string, name: string): YamlMap | undefined {
  return render(cluster).find((object) => object.kind === kind && at(object, ['metadata', 'name']) === name);
}

function podSpec(cluster: Cluster, deployment: string): YamlMap {
  return mapAt(find(cluster, 'Deployment', deployment), ['spec', 'template', 'spec']);
}

function container(cluster: Cluster, deployment: string): YamlMap {
  const first = listAt(podSpec(cluster, deployment), ['containers'])[0];
  if (!isMap(first)) throw new Error(`${deployment}: no container`);
  return first;
}

function env(cluster: Cluster, deployment: string): Map<string, unknown> {
  return new Map(listAt(container(cluster, deployment), ['env']).filter(isMap).map((entry) => [String(entry.name), entry.value ?? entry.valueFrom]));
}

describe(`helm${NOTE}`, () => {
  it('sets only values that values.yaml declares (runs with or without helm)', () => {
    const values = loadDocument(join(CHART_DIR, 'values.yaml'));
    const paths = Object.values(SETTINGS).flatMap((settings) => Object.keys(settings));
    expect(paths.filter((path) => !valuePathExists(values, path.split('.')))).toStrictEqual([]);
  });

  renderIt.each(['eks', 'aks'] as const)(`lints the chart with values-%s.yaml${NOTE}`, (cluster) => {
    const result = helm(['lint', CHART_DIR, '--strict', ...helmArgs(cluster)]);
    expect({ status: result.status, output: `${result.stdout}${result.stderr}` }).toMatchObject({ status: 0 });
  });

  renderIt(`refuses to render without fl.runId or fl.shard, naming the setting${NOTE}`, () => {
    const { 'fl.runId': _runId, ...noRunId } = SETTINGS.aks;
    const withoutRunId = helm(['template', 'spot-on-fl', CHART_DIR, ...helmArgs('aks', noRunId)]);
    expect([withoutRunId.status === 0, withoutRunId.stderr]).toStrictEqual([false, expect.stringContaining('fl.runId is required')]);
    const { 'fl.shard': _shard, ...noShard } = SETTINGS.eks;
    const withoutShard = helm(['template', 'spot-on-fl', CHART_DIR, ...helmArgs('eks', noShard)]);
    expect([withoutShard.status === 0, withoutShard.stderr]).toStrictEqual([false, expect.stringContaining('fl.shard is required')]);
  });

  renderIt(`refuses a client id that is not a GUID${NOTE}`, () => {
    const result = helm(['template', 'spot-on-fl', CHART_DIR, ...helmArgs('aks', { ...SETTINGS.aks, 'azure.trainerClientId': 'REPLACE-ME' })]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('azure.trainerClientId must be the client id');
  });

  renderIt.each(['eks', 'aks'] as const)(`%s: trainers have probes, a flush-sized grace period, a GPU and a locked-down container${NOTE}`, (cluster) => {
    const pod = podSpec(cluster, 'fl-trainer');
    const trainer = container(cluster, 'fl-trainer');
    expect(at(find(cluster, 'Deployment', 'fl-trainer'), ['spec', 'template', 'metadata', 'labels', 'app.kubernetes.io/name'])).toBe('fl-trainer');
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(120);
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
    const variables = env(cluster, 'fl-trainer');
    expect(variables.get('SPOTON_CLIENT_ID')).toStrictEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(variables.get('SPOTON_NODE_NAME')).toStrictEqual({ fieldRef: { fieldPath: 'spec.nodeName' } });
    expect(variables.get('SPOTON_HMAC_SECRET')).toStrictEqual({ secretKeyRef: { name: 'spot-on-signing', key: 'signing-secret' } });
    expect(variables.get('SPOTON_CLOUD')).toBe(cluster === 'eks' ? 'aws' : 'azure');
    expect(variables.get('SPOTON_SHARD')).toBe(SETTINGS[cluster]['fl.shard']);
    expect(variables.get('TRAINER_PORT')).toBe('8080');
    expect(variables.get('SPOTON_SIGTERM_GRACE_MS')).toBe('100000');
    expect(render(cluster).filter((object) => object.kind === 'Secret')).toStrictEqual([]);
  });

  renderIt(`eks: trainers on the Karpenter Spot GPU NodePool, no aggregator, the reflex RBAC, Entra token projected${NOTE}`, () => {
    const pod = podSpec('eks', 'fl-trainer');
    expect(pod.nodeSelector).toStrictEqual({ 'karpenter.sh/nodepool': 'spot-gpu', 'karpenter.sh/capacity-type': 'spot' });
    expect(pod.tolerations).toStrictEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(at(find('eks', 'Deployment', 'fl-trainer'), ['spec', 'replicas'])).toBe(2);
    expect(find('eks', 'Deployment', 'fl-aggregator')).toBeUndefined();
    expect(find('eks', 'PodDisruptionBudget', 'fl-trainer')).toBeUndefined();
    expect(find('eks', 'ClusterRole', 'spot-on-reflex-node-reader')).toBeDefined();
    expect(find('eks', 'ClusterRoleBinding', 'spot-on-reflex-node-reader')).toBeDefined();
    expect(env('eks', 'fl-trainer').get('AZURE_CLIENT_ID')).toBe(TRAINER_ID);
    expect(env('eks', 'fl-trainer').get('AZURE_FEDERATED_TOKEN_FILE')).toBe('/var/run/secrets/azure/tokens/azure-identity-token');
  });

  renderIt(`aks: standby trainers on gpuspot, the aggregator on userpool, workload identity, PDBs${NOTE}`, () => {
    const trainerDeployment = find('aks', 'Deployment', 'fl-trainer');
    expect(at(trainerDeployment, ['spec', 'replicas'])).toBe(0);
    const pod = podSpec('aks', 'fl-trainer');
    expect(pod.nodeSelector).toStrictEqual({ 'spot-on.io/role': 'trainer', 'kubernetes.azure.com/scalesetpriority': 'spot' });
    expect(pod.tolerations).toContainEqual({ key: 'kubernetes.azure.com/scalesetpriority', operator: 'Equal', value: 'spot', effect: 'NoSchedule' });
    expect(at(trainerDeployment, ['spec', 'template', 'metadata', 'labels', 'azure.workload.identity/use'])).toBe('true');
    expect(at(find('aks', 'ServiceAccount', 'fl-trainer'), ['metadata', 'annotations', 'azure.workload.identity/client-id'])).toBe(TRAINER_ID);
    expect(at(find('aks', 'ServiceAccount', 'fl-aggregator'), ['metadata', 'annotations', 'azure.workload.identity/client-id'])).toBe(AGGREGATOR_ID);
    expect(podSpec('aks', 'fl-aggregator').nodeSelector).toStrictEqual({ 'spot-on.io/role': 'aggregator' });
    expect(at(find('aks', 'Deployment', 'fl-aggregator'), ['spec', 'strategy', 'type'])).toBe('Recreate');
    expect(at(container('aks', 'fl-aggregator'), ['lifecycle', 'preStop', 'sleep', 'seconds'])).toBe(5);
    const aggregatorEnv = env('aks', 'fl-aggregator');
    expect(aggregatorEnv.get('SPOTON_RUN_ID')).toBe('fl-test-001');
    expect(aggregatorEnv.get('SPOTON_AGGREGATOR_PORT')).toBe('8080');
    expect(aggregatorEnv.get('SPOTON_BLOB_ACCOUNT_URL')).toBe(SETTINGS.aks['storage.accountUrl']);
    expect(aggregatorEnv.get('SPOTON_BRAIN_URL')).toBe(SETTINGS.aks['aggregator.brainUrl']);
    expect(at(find('aks', 'Service', 'fl-aggregator'), ['spec', 'type'])).toBe('LoadBalancer');
    for (const name of ['fl-trainer', 'fl-aggregator']) {
      expect(at(find('aks', 'PodDisruptionBudget', name), ['spec', 'maxUnavailable'])).toBe(1);
    }
    expect(find('aks', 'ClusterRole', 'spot-on-reflex-node-reader')).toBeUndefined();
  });
});
