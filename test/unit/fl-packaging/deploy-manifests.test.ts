import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  CHART_DIR,
  DEPLOY_DIR,
  HELM,
  HELM_NOTE,
  ROOT,
  type YamlMap,
  at,
  durationSeconds,
  isMap,
  listAt,
  listFiles,
  loadDocument,
  loadDocuments,
  mapAt,
  overlayProblems,
  readText,
  renderObjects,
  tolerates,
} from './helpers';

/**
 * The plain manifests: the Karpenter v1 NodePools (Spot, and on-demand for the deadline safety net) and EC2NodeClass,
 * and the Argo CD Applications of both clusters (the chart for each, the Karpenter manifests for EKS, NVIDIA's device
 * plugin chart for AKS).
 */

const renderIt = HELM ? it : it.skip;

const karpenterDocuments = listFiles(join(DEPLOY_DIR, 'karpenter'), '.yaml').flatMap((path) => loadDocuments(path));
const byKind = (kind: string): YamlMap[] => karpenterDocuments.filter((document) => document.kind === kind);
const nodePoolNamed = (name: string): YamlMap => byKind('NodePool').find((pool) => at(pool, ['metadata', 'name']) === name) ?? {};
const nodePool = nodePoolNamed('spot-gpu');
const onDemandPool = nodePoolNamed('on-demand-gpu');
const nodeClass = byKind('EC2NodeClass')[0] ?? {};
const values = loadDocument(join(CHART_DIR, 'values.yaml'));

interface Requirement {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[];
}

function requirement(key: string, pool: YamlMap = nodePool): Requirement | undefined {
  return listAt(pool, ['spec', 'template', 'spec', 'requirements']).find((item): item is Requirement => isMap(item) && item.key === key);
}

describe('Karpenter NodePool (karpenter.sh/v1)', () => {
  it('is two v1 NodePools (Spot, and on-demand) and one v1 EC2NodeClass, and nothing else', () => {
    expect(karpenterDocuments.map((document) => `${String(document.apiVersion)}/${String(document.kind)}/${String(at(document, ['metadata', 'name']))}`).sort()).toStrictEqual([
      'karpenter.k8s.aws/v1/EC2NodeClass/spot-gpu',
      'karpenter.sh/v1/NodePool/on-demand-gpu',
      'karpenter.sh/v1/NodePool/spot-gpu',
    ]);
  });

  it('has an on-demand NodePool for the deadline safety net: the same GPUs, weighted below Spot, tainted so no pod fits it unasked', () => {
    expect(requirement('karpenter.sh/capacity-type', onDemandPool)).toStrictEqual({ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] });
    for (const key of ['kubernetes.io/arch', 'karpenter.k8s.aws/instance-family', 'karpenter.k8s.aws/instance-size', 'karpenter.k8s.aws/instance-gpu-count']) {
      expect(requirement(key, onDemandPool)).toStrictEqual(requirement(key));
    }
    expect(Number(at(onDemandPool, ['spec', 'weight']))).toBeLessThan(Number(at(nodePool, ['spec', 'weight'])));
    expect(listAt(onDemandPool, ['spec', 'template', 'spec', 'taints'])).toContainEqual({ key: 'spot-on.io/capacity', value: 'on-demand', effect: 'NoSchedule' });
    expect(Number(at(onDemandPool, ['spec', 'limits', 'nvidia.com/gpu']))).toBeGreaterThan(0);
    expect(Number(at(onDemandPool, ['spec', 'limits', 'nvidia.com/gpu']))).toBeLessThanOrEqual(Number(at(nodePool, ['spec', 'limits', 'nvidia.com/gpu'])));
    // The EKS trainers do not tolerate its taint unless the release opts in (trainer.onDemandFallback).
    const eksTrainer = loadDocument(join(CHART_DIR, 'values-eks.yaml'));
    expect(tolerates(listAt(eksTrainer, ['trainer', 'tolerations']), { key: 'spot-on.io/capacity', value: 'on-demand', effect: 'NoSchedule' })).toBe(false);
  });

  it('gives the on-demand NodePool the Spot one\'s node class, trainer label, GPU taint and disruption rules', () => {
    expect(at(nodePool, ['spec', 'weight'])).toEqual(expect.any(Number));
    expect(at(onDemandPool, ['spec', 'weight'])).toEqual(expect.any(Number));
    expect(mapAt(onDemandPool, ['spec', 'template', 'spec', 'nodeClassRef'])).toStrictEqual(mapAt(nodePool, ['spec', 'template', 'spec', 'nodeClassRef']));
    expect(mapAt(onDemandPool, ['spec', 'template', 'metadata', 'labels'])).toMatchObject(mapAt(nodePool, ['spec', 'template', 'metadata', 'labels']));
    expect(listAt(onDemandPool, ['spec', 'template', 'spec', 'taints'])).toStrictEqual([...listAt(nodePool, ['spec', 'template', 'spec', 'taints']), { key: 'spot-on.io/capacity', value: 'on-demand', effect: 'NoSchedule' }]);
    expect(mapAt(onDemandPool, ['spec', 'disruption'])).toStrictEqual(mapAt(nodePool, ['spec', 'disruption']));
    for (const field of ['expireAfter', 'terminationGracePeriod']) expect(at(onDemandPool, ['spec', 'template', 'spec', field])).toBe(at(nodePool, ['spec', 'template', 'spec', field]));
    expect(at(onDemandPool, ['metadata', 'annotations', 'argocd.argoproj.io/sync-options'])).toBe('Prune=false');
  });

  renderIt(`is reachable for EKS trainers only with trainer.onDemandFallback: the chart then tolerates its extra taint${HELM_NOTE}`, () => {
    const extraTaints = listAt(onDemandPool, ['spec', 'template', 'spec', 'taints']).filter((taint) => !listAt(nodePool, ['spec', 'template', 'spec', 'taints']).some((spot) => JSON.stringify(spot) === JSON.stringify(taint)));
    expect(extraTaints).toHaveLength(1);
    const tolerationsOf = (objects: readonly YamlMap[]) => listAt(objects.find((object) => object.kind === 'Deployment' && at(object, ['metadata', 'name']) === 'fl-trainer'), ['spec', 'template', 'spec', 'tolerations']);
    const taint = extraTaints[0] as { key: string; value: string; effect: string };
    expect(tolerates(tolerationsOf(renderObjects('eks')), taint)).toBe(false);
    expect(tolerates(tolerationsOf(renderObjects('eks', { 'trainer.onDemandFallback': true })), taint)).toBe(true);
  });

  it('asks for Spot capacity only, on amd64 Linux', () => {
    expect(requirement('karpenter.sh/capacity-type')).toStrictEqual({ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] });
    expect(requirement('kubernetes.io/arch')).toStrictEqual({ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] });
    expect(requirement('kubernetes.io/os')).toStrictEqual({ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] });
  });

  it('allows the NVIDIA GPU families g4dn, g5 and g6 with one GPU per node', () => {
    expect(requirement('karpenter.k8s.aws/instance-family')).toStrictEqual({ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['g4dn', 'g5', 'g6'] });
    expect(requirement('karpenter.k8s.aws/instance-gpu-manufacturer')?.values).toStrictEqual(['nvidia']);
    expect(requirement('karpenter.k8s.aws/instance-gpu-count')?.values).toStrictEqual(['1']);
  });

  it('taints its nodes nvidia.com/gpu:NoSchedule and labels them as trainer nodes', () => {
    expect(listAt(nodePool, ['spec', 'template', 'spec', 'taints'])).toStrictEqual([{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }]);
    expect(at(nodePool, ['spec', 'template', 'metadata', 'labels', 'spot-on.io/role'])).toBe('trainer');
  });

  it('uses the v1 shape: nodeClassRef by group, kubelet settings not on the NodePool', () => {
    expect(mapAt(nodePool, ['spec', 'template', 'spec', 'nodeClassRef'])).toStrictEqual({
      group: 'karpenter.k8s.aws',
      kind: 'EC2NodeClass',
      name: at(nodeClass, ['metadata', 'name']),
    });
    expect(at(nodePool, ['spec', 'template', 'spec', 'kubelet'])).toBeUndefined();
    expect(at(nodePool, ['spec', 'disruption', 'expireAfter'])).toBeUndefined();
  });

  it('never consolidates a node with a trainer on it, and replaces drifted nodes one at a time', () => {
    const disruption = mapAt(nodePool, ['spec', 'disruption']);
    expect(disruption.consolidationPolicy).toBe('WhenEmpty');
    expect(durationSeconds(String(disruption.consolidateAfter))).toBeGreaterThan(0);
    expect(listAt(disruption, ['budgets'])).toContainEqual({ nodes: '1', reasons: ['Drifted'] });
  });

  it('drains slower than a trainer flushes, and expires nodes', () => {
    const trainerGrace = Number(at(values, ['trainer', 'terminationGracePeriodSeconds']));
    expect(durationSeconds(String(at(nodePool, ['spec', 'template', 'spec', 'terminationGracePeriod'])))).toBeGreaterThan(trainerGrace);
    expect(durationSeconds(String(at(nodePool, ['spec', 'template', 'spec', 'expireAfter'])))).toBeGreaterThan(0);
  });

  it('limits how many GPUs it may buy', () => {
    expect(at(nodePool, ['spec', 'limits', 'nvidia.com/gpu'])).toEqual(expect.any(Number));
  });

  it('is protected from an Argo CD prune (deleting it would delete its nodes)', () => {
    for (const document of karpenterDocuments) {
      expect(at(document, ['metadata', 'annotations', 'argocd.argoproj.io/sync-options'])).toBe('Prune=false');
    }
  });
});

describe('Karpenter EC2NodeClass (karpenter.k8s.aws/v1)', () => {
  it('selects the Bottlerocket (NVIDIA variant) or AL2023 AMIs by alias', () => {
    const terms = listAt(nodeClass, ['spec', 'amiSelectorTerms']);
    expect(terms).toHaveLength(1);
    expect(at(terms[0], ['alias'])).toMatch(/^(bottlerocket|al2023)@(latest|v\d+(\.\d+)*)$/);
  });

  it('discovers subnets and security groups, and names the node role', () => {
    expect(listAt(nodeClass, ['spec', 'subnetSelectorTerms']).length).toBeGreaterThan(0);
    expect(listAt(nodeClass, ['spec', 'securityGroupSelectorTerms']).length).toBeGreaterThan(0);
    expect(at(nodeClass, ['spec', 'role'])).toEqual(expect.any(String));
  });

  it('lets trainer pods read their instance id through IMDSv2 (tokens required, two hops)', () => {
    expect(mapAt(nodeClass, ['spec', 'metadataOptions'])).toMatchObject({ httpTokens: 'required', httpPutResponseHopLimit: 2 });
  });

  it('encrypts its volumes and has room for the CUDA image', () => {
    const devices = listAt(nodeClass, ['spec', 'blockDeviceMappings']);
    for (const device of devices) expect(at(device, ['ebs', 'encrypted'])).toBe(true);
    const data = devices.find((device) => at(device, ['deviceName']) === '/dev/xvdb');
    expect(parseInt(String(at(data, ['ebs', 'volumeSize'])), 10)).toBeGreaterThanOrEqual(50);
  });
});

describe('Argo CD Applications', () => {
  const applications = new Map(
    listFiles(join(DEPLOY_DIR, 'argocd'), '.yaml').map((path) => [path.slice(path.lastIndexOf('/') + 1), loadDocument(path)]),
  );
  const app = (name: string): YamlMap => applications.get(name) ?? {};
  const cdkConfig = JSON.parse(readText(join(ROOT, 'cdk/config.example.json'))) as unknown;

  it('has the chart for each cluster, the Karpenter manifests for EKS and the NVIDIA device plugin for AKS', () => {
    expect([...applications.keys()].sort()).toStrictEqual(['aks-fl-training.yaml', 'aks-nvidia-device-plugin.yaml', 'eks-fl-training.yaml', 'eks-karpenter.yaml']);
  });

  it.each(['aks-fl-training.yaml', 'eks-fl-training.yaml', 'eks-karpenter.yaml'])('%s: syncs automatically with prune and selfHeal from a path of this repository', (name) => {
    const application = app(name);
    expect(application).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { namespace: 'argocd' } });
    expect(at(application, ['spec', 'syncPolicy', 'automated'])).toStrictEqual({ prune: true, selfHeal: true });
    const path = String(at(application, ['spec', 'source', 'path']));
    expect(statSync(join(ROOT, path)).isDirectory()).toBe(true);
  });

  it.each([
    ['eks-fl-training.yaml', 'values-eks.yaml'],
    ['aks-fl-training.yaml', 'values-aks.yaml'],
  ])('%s: renders fl-training/chart with %s into the trainer namespace', (name, valuesFile) => {
    const application = app(name);
    expect(at(application, ['spec', 'source', 'path'])).toBe('fl-training/chart');
    expect(listAt(application, ['spec', 'source', 'helm', 'valueFiles'])).toStrictEqual([valuesFile]);
    expect(existsSync(join(CHART_DIR, valuesFile))).toBe(true);
    expect(at(application, ['spec', 'destination', 'namespace'])).toBe(at(cdkConfig, ['eks', 'trainer', 'namespace']));
    expect(listAt(application, ['spec', 'syncPolicy', 'syncOptions'])).toContain('CreateNamespace=true');
    expect(overlayProblems(values, at(application, ['spec', 'source', 'helm', 'valuesObject']))).toStrictEqual([]);
  });

  it('AKS: leaves the trainer replica count to the failover functions, also during syncs', () => {
    const application = app('aks-fl-training.yaml');
    expect(listAt(application, ['spec', 'ignoreDifferences'])).toContainEqual({
      group: 'apps',
      kind: 'Deployment',
      name: 'fl-trainer',
      namespace: 'fl',
      jsonPointers: ['/spec/replicas'],
    });
    expect(listAt(application, ['spec', 'syncPolicy', 'syncOptions'])).toContain('RespectIgnoreDifferences=true');
  });

  it('EKS: points trainers at the aggregator by a private DNS name, not an address or a placeholder', () => {
    const url = new URL(String(at(app('eks-fl-training.yaml'), ['spec', 'source', 'helm', 'valuesObject', 'fl', 'aggregatorUrl'])));
    expect(url.protocol).toMatch(/^https?:$/);
    expect(url.hostname).not.toMatch(/^[\d.]+$/);
    expect(url.hostname).not.toMatch(/REPLACE-ME/i);
    expect(url.hostname.split('.').length).toBeGreaterThanOrEqual(3);
    expect(url.port).toBe(String(at(values, ['aggregator', 'service', 'port'])));
  });

  it('AKS: gives the aggregator its fixed private IP, the brain URL and the Key Vault (per installation)', () => {
    const object = at(app('aks-fl-training.yaml'), ['spec', 'source', 'helm', 'valuesObject']);
    expect(at(object, ['aggregator', 'service', 'privateIp'])).toEqual(expect.any(String));
    expect(at(object, ['aggregator', 'brainUrl'])).toMatch(/^https:\/\/.+\/api\/signals$/);
    expect(at(object, ['keys', 'csi', 'azure', 'keyVaultName'])).toEqual(expect.any(String));
  });

  it('EKS: names both key-ring secrets the trainers need by their CDK outputs, and their region (per installation)', () => {
    const text = readText(join(DEPLOY_DIR, 'argocd/eks-fl-training.yaml'));
    const aws = at(app('eks-fl-training.yaml'), ['spec', 'source', 'helm', 'valuesObject', 'keys', 'csi', 'aws']);
    expect(Object.keys(isMap(aws) ? aws : {}).sort()).toStrictEqual(['flushKeysSecretArn', 'region', 'trainerKeysSecretArn']);
    expect(text).toContain('FlushKeysSecretArn');
    expect(text).toContain('TrainerKeysSecretArn');
  });

  it.each(['eks-fl-training.yaml', 'aks-fl-training.yaml'])('%s: sets only the per-purpose keys section, not the single signing key it replaced', (name) => {
    const object = at(app(name), ['spec', 'source', 'helm', 'valuesObject']);
    expect(at(object, ['signingSecret'])).toBeUndefined();
    expect(at(object, ['keys', 'csi'])).toEqual(expect.any(Object));
  });

  it.each(['eks-fl-training.yaml', 'aks-fl-training.yaml'])('%s: leaves fl.shard unset, so the aggregator assigns shards', (name) => {
    expect(at(app(name), ['spec', 'source', 'helm', 'valuesObject', 'fl', 'shard'])).toBeUndefined();
  });

  describe('AKS: the NVIDIA device plugin (without it nvidia.com/gpu is never allocatable on the GPU pools)', () => {
    const plugin = app('aks-nvidia-device-plugin.yaml');
    const pluginValues = at(plugin, ['spec', 'source', 'helm', 'valuesObject']);
    const aksTerraform = readText(join(ROOT, 'terraform-azure/main.aks.tf'));
    const poolBody = (name: string) => {
      const start = aksTerraform.indexOf(`resource "azurerm_kubernetes_cluster_node_pool" "${name}"`);
      return aksTerraform.slice(start, aksTerraform.indexOf('\n}\n', start));
    };
    const gpuPool = poolBody('gpu_spot');
    const gpuLabels = Object.fromEntries(
      [.../node_labels\s*=\s*\{([^}]*)\}/.exec(gpuPool)?.[1]?.matchAll(/"([^"]+)"\s*=\s*"([^"]*)"/g) ?? []].map((match) => [match[1] ?? '', match[2] ?? '']),
    );

    it("installs NVIDIA's chart at a pinned version into kube-system of the AKS cluster, kept in sync", () => {
      expect(mapAt(plugin, ['spec', 'source'])).toMatchObject({ repoURL: 'https://nvidia.github.io/k8s-device-plugin', chart: 'nvidia-device-plugin' });
      expect(String(at(plugin, ['spec', 'source', 'targetRevision']))).toMatch(/^\d+\.\d+\.\d+$/);
      expect(at(plugin, ['spec', 'destination'])).toStrictEqual({ name: at(app('aks-fl-training.yaml'), ['spec', 'destination', 'name']), namespace: 'kube-system' });
      expect(at(plugin, ['spec', 'syncPolicy', 'automated'])).toStrictEqual({ prune: true, selfHeal: true });
    });

    it('selects the gpuspot nodes by a label terraform puts on them, replacing the chart\'s NFD-label affinity', () => {
      const terms = listAt(pluginValues, ['affinity', 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms']);
      expect(terms).toHaveLength(1);
      const expressions = listAt(terms[0], ['matchExpressions']);
      expect(expressions.length).toBeGreaterThan(0);
      for (const expression of expressions) {
        const { key, operator, values: allowed } = expression as { key: string; operator: string; values: string[] };
        expect([key, operator, allowed.includes(gpuLabels[key] ?? '(no such label on gpu_spot)')]).toStrictEqual([key, 'In', true]);
        expect(key.startsWith('feature.node.kubernetes.io/')).toBe(false);
      }
      expect(at(pluginValues, ['nodeSelector'])).toBeUndefined();
    });

    it('tolerates the nvidia.com/gpu taint and every taint terraform declares on either GPU pool (gpuspot, gpuondemand)', () => {
      const tolerations = listAt(pluginValues, ['tolerations']);
      expect(tolerates(tolerations, { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' })).toBe(true);
      const declared = ['gpu_spot', 'gpu_on_demand'].flatMap((pool) => [...poolBody(pool).matchAll(/"([^"=:]+)=([^":]*):(NoSchedule|NoExecute)"/g)].map((match) => ({ pool, key: match[1] ?? '', value: match[2] ?? '', effect: match[3] ?? '' })));
      expect(declared.map(({ pool, key }) => `${pool}: ${key}`)).toStrictEqual(['gpu_spot: kubernetes.azure.com/scalesetpriority', 'gpu_on_demand: spot-on.io/capacity']);
      for (const taint of declared) expect({ ...taint, tolerated: tolerates(tolerations, taint) }).toStrictEqual({ ...taint, tolerated: true });
    });

    it('selects the on-demand pool\'s nodes too (the label is on both pools)', () => {
      const onDemandLabels = Object.fromEntries(
        [.../node_labels\s*=\s*\{([^}]*)\}/.exec(poolBody('gpu_on_demand'))?.[1]?.matchAll(/"([^"]+)"\s*=\s*"([^"]*)"/g) ?? []].map((match) => [match[1] ?? '', match[2] ?? '']),
      );
      const terms = listAt(pluginValues, ['affinity', 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms']);
      for (const expression of listAt(terms[0], ['matchExpressions'])) {
        const { key, values: allowed } = expression as { key: string; values: string[] };
        expect([key, allowed.includes(onDemandLabels[key] ?? '(no such label on gpu_on_demand)')]).toStrictEqual([key, true]);
      }
    });
  });

  it('EKS: deploys the Karpenter manifests as plain YAML', () => {
    const application = app('eks-karpenter.yaml');
    expect(at(application, ['spec', 'source', 'path'])).toBe('fl-training/deploy/karpenter');
    expect(at(application, ['spec', 'source', 'helm'])).toBeUndefined();
    expect(at(application, ['spec', 'destination', 'name'])).toBe(at(app('eks-fl-training.yaml'), ['spec', 'destination', 'name']));
  });
});
