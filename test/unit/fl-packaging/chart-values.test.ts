import { join } from 'node:path';
import { trainingDataBucketName } from '../../../cdk/lib/training-data';
import {
  CHART_DIR,
  CLUSTERS,
  DEPLOY_DIR,
  ROOT,
  SPOT_NOTICE_SECONDS,
  at,
  listAt,
  listFiles,
  loadDocument,
  loadDocuments,
  mapAt,
  mergeValues,
  overlayProblems,
  readText,
  tolerates,
} from './helpers';

/**
 * The chart's metadata and values: everything parses, the cluster overlays only set declared keys, and they carry
 * the scheduling that the clusters need (the Karpenter NodePools' trainer label on EKS, the GPU pools' labels and
 * taints on AKS), which is cross-checked against the Karpenter manifests and terraform-azure, and a shutdown budget that
 * fits each cloud's Spot notice.
 */

const chart = loadDocument(join(CHART_DIR, 'Chart.yaml'));
const values = loadDocument(join(CHART_DIR, 'values.yaml'));
const eks = loadDocument(join(CHART_DIR, 'values-eks.yaml'));
const aks = loadDocument(join(CHART_DIR, 'values-aks.yaml'));
const merged = { eks: mergeValues(values, eks), aks: mergeValues(values, aks) };
const nodePool = loadDocuments(join(DEPLOY_DIR, 'karpenter/nodepool-spot-gpu.yaml')).find((document) => document.kind === 'NodePool');
const onDemandNodePool = loadDocuments(join(DEPLOY_DIR, 'karpenter/nodepool-on-demand-gpu.yaml')).find((document) => document.kind === 'NodePool');
const aksTerraform = readText(join(ROOT, 'terraform-azure/main.aks.tf'));
const cdkConfig = JSON.parse(readText(join(ROOT, 'cdk/config.example.json'))) as unknown;

/** A terraform `name = { "k" = "v" ... }` map inside one resource block, read from the HCL text. */
function terraformMap(resource: string, attribute: string): Record<string, string> {
  const start = aksTerraform.indexOf(resource);
  if (start === -1) throw new Error(`${resource} not found in main.aks.tf`);
  const body = aksTerraform.slice(start, aksTerraform.indexOf('\n}\n', start));
  const block = new RegExp(`${attribute}\\s*=\\s*\\{([^}]*)\\}`).exec(body)?.[1];
  if (block === undefined) throw new Error(`${attribute} not found in ${resource}`);
  return Object.fromEntries([...block.matchAll(/"([^"]+)"\s*=\s*"([^"]*)"/g)].map((match) => [match[1] ?? '', match[2] ?? '']));
}

describe('Chart.yaml', () => {
  it('is a Helm 3 (apiVersion v2) application chart with a semantic version', () => {
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'spot-on-fl', type: 'application', appVersion: expect.any(String) });
    expect(String(chart.version)).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
  });
});

describe('values overlays', () => {
  it.each([
    ['values-eks.yaml', eks],
    ['values-aks.yaml', aks],
  ])('%s sets only keys that values.yaml declares, with the same kinds', (_name, overlay) => {
    expect(overlayProblems(values, overlay)).toStrictEqual([]);
  });

  it('catches an undeclared key and a kind mismatch (the checker itself)', () => {
    expect(overlayProblems(values, { trainer: { replica: 3, resources: 'big', nodeSelector: { any: 'thing' } } })).toStrictEqual([
      'trainer.replica: not declared in values.yaml',
      'trainer.resources: string where values.yaml has a map',
    ]);
  });

  it.each(CLUSTERS)('%s: fits the trainer shutdown in the Spot notice: Blob fallback start < flush deadline < grace period <= notice', (cluster) => {
    const cloud = at(merged[cluster], ['fl', 'cloud']) as keyof typeof SPOT_NOTICE_SECONDS;
    const flush = Number(at(merged[cluster], ['trainer', 'sigtermFlushSeconds']));
    const fallbackStart = flush - Number(at(merged[cluster], ['trainer', 'blobFallbackReserveSeconds']));
    const grace = Number(at(merged[cluster], ['trainer', 'terminationGracePeriodSeconds']));
    expect(cloud in SPOT_NOTICE_SECONDS).toBe(true);
    expect(fallbackStart).toBeGreaterThan(0);
    expect(fallbackStart).toBeLessThan(flush);
    expect(flush).toBeLessThan(grace);
    expect(grace).toBeLessThanOrEqual(SPOT_NOTICE_SECONDS[cloud]);
  });

  it('keeps the Blob fallback reserve at the trainer\'s fixed 15 s (no setting passes another one yet)', () => {
    expect(at(values, ['trainer', 'blobFallbackReserveSeconds'])).toBe(15);
    for (const cluster of CLUSTERS) expect(at(merged[cluster], ['trainer', 'blobFallbackReserveSeconds'])).toBe(15);
  });

  it.each(CLUSTERS)('%s: gives the aggregator (on regular nodes) time to finish a round checkpoint', (cluster) => {
    expect(at(merged[cluster], ['aggregator', 'terminationGracePeriodSeconds'])).toBeGreaterThanOrEqual(120);
  });

  it.each(CLUSTERS)('%s: has no trainer PDB (Spot drains evict through the Eviction API, which honours it)', (cluster) => {
    expect(at(merged[cluster], ['trainer', 'podDisruptionBudget', 'enabled'])).toBe(false);
  });

  it.each(CLUSTERS)('%s: syncs the key rings through the Secrets Store CSI driver', (cluster) => {
    expect(at(merged[cluster], ['keys', 'source'])).toBe('csi');
  });

  it.each(['eks', 'aks'] as const)('%s: requests and limits one GPU per trainer', (cluster) => {
    const resources = mapAt(merged[cluster], ['trainer', 'resources']);
    expect(at(resources, ['requests', 'nvidia.com/gpu'])).toBe(1);
    expect(at(resources, ['limits', 'nvidia.com/gpu'])).toBe(1);
    expect(at(resources, ['limits', 'memory'])).toBe(at(resources, ['requests', 'memory']));
  });

  it.each(['eks', 'aks'] as const)('%s: probes /healthz on the named port', (cluster) => {
    for (const workload of ['trainer', 'aggregator']) {
      for (const probe of ['startup', 'readiness', 'liveness']) {
        expect(at(merged[cluster], [workload, 'probes', probe, 'httpGet'])).toStrictEqual({ path: '/healthz', port: 'http' });
      }
    }
  });
});

describe('values.yaml defaults', () => {
  it('runs non-root with a read-only root filesystem, no capabilities and the runtime seccomp profile', () => {
    expect(mapAt(values, ['podSecurityContext'])).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(mapAt(values, ['containerSecurityContext'])).toStrictEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('references secrets by name only', () => {
    expect(mapAt(values, ['keys'])).toMatchObject({ source: 'existing', trainerSecretName: 'spot-on-trainer-keys', aggregatorSecretName: 'spot-on-aggregator-keys' });
    expect(at(values, ['signingSecret'])).toBeUndefined();
    expect(at(values, ['storage', 'existingSecret'])).toBe('');
    const text = ['values.yaml', 'values-eks.yaml', 'values-aks.yaml', 'examples/eks.yaml', 'examples/aks.yaml'].map((file) => readText(join(CHART_DIR, file))).join('\n');
    expect(text).not.toMatch(/AccountKey=|SharedAccessSignature=|sig=|BEGIN [A-Z ]*PRIVATE KEY/);
  });

  it('declares the key-ring settings under the names other code reads (preflight), one Secret per workload', () => {
    expect(mapAt(values, ['keys'])).toStrictEqual({
      source: 'existing',
      trainerSecretName: 'spot-on-trainer-keys',
      aggregatorSecretName: 'spot-on-aggregator-keys',
      csi: {
        mountPath: '/mnt/secrets-store/keys',
        azure: { keyVaultName: '', signalKeysSecretName: 'spoton-signal-keys', trainerKeysSecretName: 'spoton-trainer-keys', addonIdentityClientId: '' },
        aws: { flushKeysSecretArn: '', trainerKeysSecretArn: '', region: '', usePodIdentity: true },
      },
    });
  });

  it('requires each release to say where its data is staged: data.url has no default', () => {
    expect(mapAt(values, ['data'])).toStrictEqual({ url: '' });
  });

  it('serves the trainer on the port and under the names the AWS and Azure sides expect', () => {
    expect(at(values, ['trainer', 'port'])).toBe(at(cdkConfig, ['eks', 'trainer', 'port']));
    expect(at(values, ['trainer', 'serviceAccount', 'name'])).toBe('fl-trainer');
    expect(at(values, ['aggregator', 'serviceAccount', 'name'])).toBe('fl-aggregator');
    const workloads = readText(join(ROOT, 'terraform-azure/variables.aks.tf'));
    expect(workloads).toMatch(/service_account\s*=\s*"fl-aggregator"/);
    expect(workloads).toMatch(/service_account\s*=\s*"fl-trainer"/);
  });
});

describe('examples: where each cluster reads its training data', () => {
  const example = (cluster: 'eks' | 'aks') => loadDocument(join(CHART_DIR, 'examples', `${cluster}.yaml`));

  it('eks: an s3:// URL in the bucket the CDK stack names for the example account and region', () => {
    const url = String(at(example('eks'), ['data', 'url']));
    expect(url).toBe(`s3://${trainingDataBucketName(String(at(cdkConfig, ['account'])), String(at(cdkConfig, ['region'])))}/fl-demo-001`);
  });

  it('aks: a blob:// URL in the container terraform creates (storage.data_container_name), under the run id', () => {
    const variables = readText(join(ROOT, 'terraform-azure/variables.tf'));
    const container = /data_container_name\s*=\s*optional\(string,\s*"([^"]+)"\)/.exec(variables)?.[1];
    expect(container).toBe('spot-on-data');
    expect(at(example('aks'), ['data', 'url'])).toBe(`blob://${container}/${String(at(example('aks'), ['fl', 'runId']))}`);
  });

  it('aks: pins one shard of the run to AWS, so a failover pauses it instead of training it on Azure', () => {
    const shards = String(at(example('aks'), ['fl', 'shards'])).split(',');
    expect(shards).toStrictEqual(['shard-0:any', 'shard-1:any', 'shard-2:aws']);
    expect(shards).toHaveLength(Number(at(merged.eks, ['trainer', 'replicas'])));
  });
});

describe('values-eks.yaml (Karpenter Spot GPU nodes)', () => {
  it('selects by a label both NodePools put on their nodes, so the on-demand taint alone decides (trainer.onDemandFallback)', () => {
    const selector = mapAt(merged.eks, ['trainer', 'nodeSelector']);
    expect(selector).toStrictEqual({ 'spot-on.io/role': 'trainer' });
    for (const pool of [nodePool, onDemandNodePool]) {
      const labels = mapAt(pool, ['spec', 'template', 'metadata', 'labels']);
      for (const [key, value] of Object.entries(selector)) expect([at(pool, ['metadata', 'name']), key, labels[key]]).toStrictEqual([at(pool, ['metadata', 'name']), key, value]);
    }
    expect(at(merged.eks, ['trainer', 'onDemandFallback'])).toBe(false);
    expect(tolerates(listAt(merged.eks, ['trainer', 'tolerations']), { key: 'spot-on.io/capacity', value: 'on-demand', effect: 'NoSchedule' })).toBe(false);
  });

  it("tolerates every taint of the NodePool", () => {
    const taints = listAt(nodePool, ['spec', 'template', 'spec', 'taints']);
    expect(taints.length).toBeGreaterThan(0);
    for (const taint of taints) {
      expect(tolerates(listAt(merged.eks, ['trainer', 'tolerations']), taint as { key: string; effect: string })).toBe(true);
    }
  });

  it('runs trainers only (the aggregator lives on AKS) and gets Entra tokens without the AKS webhook', () => {
    expect(at(merged.eks, ['fl', 'cloud'])).toBe('aws');
    expect(at(merged.eks, ['aggregator', 'enabled'])).toBe(false);
    expect(at(merged.eks, ['trainer', 'enabled'])).toBe(true);
    expect(at(merged.eks, ['trainer', 'replicas'])).toBeGreaterThan(0);
    expect(at(merged.eks, ['azure', 'workloadIdentity', 'enabled'])).toBe(false);
    expect(at(merged.eks, ['azure', 'federatedTokenProjection', 'enabled'])).toBe(true);
  });

});

describe('values-aks.yaml (gpuspot Spot pool, aggregator on userpool)', () => {
  const gpuLabels = terraformMap('resource "azurerm_kubernetes_cluster_node_pool" "gpu_spot"', 'node_labels');
  const onDemandLabels = terraformMap('resource "azurerm_kubernetes_cluster_node_pool" "gpu_on_demand"', 'node_labels');
  const userLabels = terraformMap('resource "azurerm_kubernetes_cluster_node_pool" "user"', 'node_labels');

  it('selects the nodes of both GPU pools (Spot, and the on-demand safety net) by labels terraform puts on both', () => {
    const selector = mapAt(merged.aks, ['trainer', 'nodeSelector']);
    expect(Object.keys(selector).length).toBeGreaterThan(0);
    for (const [key, value] of Object.entries(selector)) expect([key, gpuLabels[key], onDemandLabels[key]]).toStrictEqual([key, value, value]);
    expect([gpuLabels['kubernetes.azure.com/scalesetpriority'], onDemandLabels['spot-on.io/capacity']]).toStrictEqual(['spot', 'on-demand']);
  });

  it('tolerates the AKS Spot taint, the on-demand pool\'s taint and the nvidia.com/gpu taint', () => {
    const tolerations = listAt(merged.aks, ['trainer', 'tolerations']);
    expect(aksTerraform).toContain('"kubernetes.azure.com/scalesetpriority=spot:NoSchedule"');
    expect(aksTerraform).toContain('"spot-on.io/capacity=on-demand:NoSchedule"');
    expect(tolerates(tolerations, { key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', effect: 'NoSchedule' })).toBe(true);
    expect(tolerates(tolerations, { key: 'spot-on.io/capacity', value: 'on-demand', effect: 'NoSchedule' })).toBe(true);
    expect(tolerates(tolerations, { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' })).toBe(true);
    // The aggregator must stay off the GPU pools: it tolerates neither.
    const aggregator = listAt(merged.aks, ['aggregator', 'tolerations']);
    expect(tolerates(aggregator, { key: 'spot-on.io/capacity', value: 'on-demand', effect: 'NoSchedule' })).toBe(false);
  });

  it('puts the aggregator on the userpool behind an internal load balancer in the userpool\'s subnet', () => {
    const selector = mapAt(merged.aks, ['aggregator', 'nodeSelector']);
    for (const [key, value] of Object.entries(selector)) expect([key, userLabels[key]]).toStrictEqual([key, value]);
    expect(at(merged.aks, ['aggregator', 'enabled'])).toBe(true);
    expect(at(merged.aks, ['aggregator', 'service', 'type'])).toBe('LoadBalancer');
    // main.network.tf names the AKS subnets snet-aks-<key>; the userpool is placed in aks["user"].
    const userPool = aksTerraform.slice(aksTerraform.indexOf('resource "azurerm_kubernetes_cluster_node_pool" "user"'));
    expect(userPool).toMatch(/vnet_subnet_id\s*=\s*azurerm_subnet\.aks\["user"\]\.id/);
    expect(readText(join(ROOT, 'terraform-azure/main.network.tf'))).toMatch(/name\s*=\s*"snet-aks-\$\{each\.key\}"/);
    expect(at(merged.aks, ['aggregator', 'service', 'subnet'])).toBe('snet-aks-user');
  });

  it('fails back only when as many AWS trainers report as the EKS release runs', () => {
    expect(at(merged.aks, ['aggregator', 'backupTrigger', 'enabled'])).toBe(true);
    expect(at(merged.aks, ['aggregator', 'minAwsTrainers'])).toBe(at(merged.eks, ['trainer', 'replicas']));
  });

  it('leaves the shard to the aggregator: failover scales one Deployment to several trainers', () => {
    expect(at(merged.aks, ['fl', 'shard'])).toBe('');
  });

  it('starts the trainers at 0 replicas and keeps the count the failover functions set', () => {
    expect(at(merged.aks, ['trainer', 'replicas'])).toBe(0);
    expect(at(merged.aks, ['trainer', 'preserveLiveReplicas'])).toBe(true);
  });

  it('uses AKS workload identity, and a PDB for the aggregator only (it runs on the regular userpool)', () => {
    expect(at(merged.aks, ['fl', 'cloud'])).toBe('azure');
    expect(at(merged.aks, ['azure', 'workloadIdentity', 'enabled'])).toBe(true);
    expect(at(merged.aks, ['azure', 'federatedTokenProjection', 'enabled'])).toBe(false);
    expect(mapAt(merged.aks, ['aggregator', 'podDisruptionBudget'])).toStrictEqual({ enabled: true, maxUnavailable: 1 });
  });

  it('reads the key rings from the Key Vault secrets terraform writes', () => {
    // Wherever terraform-azure declares var.key_vault (variables*.tf).
    const variables = listFiles(join(ROOT, 'terraform-azure'), '.tf')
      .filter((path) => /\/variables[^/]*\.tf$/.test(path))
      .map((path) => readText(path))
      .join('\n');
    const terraformDefault = (name: string): string | undefined => new RegExp(`${name}\\s*=\\s*optional\\(string,\\s*"([^"]+)"\\)`).exec(variables)?.[1];
    expect({
      signal: at(merged.aks, ['keys', 'csi', 'azure', 'signalKeysSecretName']),
      trainer: at(merged.aks, ['keys', 'csi', 'azure', 'trainerKeysSecretName']),
    }).toStrictEqual({ signal: terraformDefault('signal_keys_secret_name'), trainer: terraformDefault('trainer_keys_secret_name') });
  });
});
