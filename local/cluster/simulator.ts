/**
 * The cluster simulator: an EKS cluster of Spot GPU nodes and an AKS cluster with a Spot and an on-demand GPU pool,
 * each node running trainer pods as real trainer processes. It plays what the clouds do around Spot-On: EC2 reclaims
 * a warned instance after its notice, Karpenter launches replacements, AKS adds GPU nodes when the (emulated)
 * agent pool finishes scaling, and the Deployment controller runs as many Azure trainer pods as the brain asked
 * for and nodes allow. Nodes and pods are served through each cluster's Kubernetes API (kube-api.ts).
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { Cloud } from '../../protocol/run-status';
import type { InstanceMetadataServer } from './instance-metadata';
import type { ClusterState } from './state';
import { TrainerProcess, type TrainerEnd, type TrainerPodSpec } from './trainer-process';

export const TRAINER_NAMESPACE = 'fl';
export const TRAINER_DEPLOYMENT = 'fl-trainer';
/** The labels the chart puts on trainer pods (the interruption Lambda selects on the first). */
export const TRAINER_LABELS = { 'app.kubernetes.io/name': 'fl-trainer', 'app.kubernetes.io/component': 'trainer' } as const;
export const TRAINER_LABEL_SELECTOR = 'app.kubernetes.io/name=fl-trainer';
/** The node label terraform-azure puts on both GPU pools, and the chart's AKS trainers select on. */
export const TRAINER_NODE_LABEL = ['spot-on.io/role', 'trainer'] as const;

/** One trainer pod's life, for the report's placement chart. */
export interface PlacementInterval {
  readonly clientId: string;
  readonly cloud: Cloud;
  readonly node: string;
  /** Known once the trainer registered (the aggregator assigns Azure pods' shards). */
  shard?: string;
  readonly from: number;
  to?: number;
  end?: TrainerEnd | 'scaled-in';
}

export interface SimulatorOptions {
  readonly eks: ClusterState;
  readonly aks: ClusterState;
  /** Environment every trainer process gets (aggregator URL, HMAC key, port, Blob fallback). */
  readonly trainerEnv: NodeJS.ProcessEnv;
  /** What each cloud's trainers get on top (their chart release's settings). */
  readonly cloudEnv?: Readonly<Record<Cloud, Readonly<Record<string, string>>>>;
  readonly onEvent: (component: 'cluster' | 'trainer', event: string, detail: string) => void;
  /** Folder for the trainer pods' logs (<clientId>.log); none when absent. */
  readonly logDir?: string;
  /** IMDS for the EKS nodes; without it, AWS pods are told their instance id (SPOTON_INSTANCE_ID). */
  readonly instanceMetadata?: InstanceMetadataServer;
}

const AZ = 'us-west-2a';

function instanceId(): string {
  return `i-0${randomBytes(8).toString('hex')}`;
}

export class ClusterSimulator {
  readonly placements: PlacementInterval[] = [];
  private readonly trainers = new Map<string, { process: TrainerProcess; placement: PlacementInterval }>();
  private readonly scaledIn = new Set<string>();
  /** Set once a trainer finished the run: the Deployment then has nothing left to run. */
  private runComplete = false;
  /** Set by stop(): no controller starts pods any more. */
  private stopped = false;
  private awsNodes = 0;
  private azureNodes = 0;
  private awsPodIps = 0;
  private azurePodIps = 0;
  private readonly stopScaleListener: () => void;

  constructor(private readonly options: SimulatorOptions) {
    options.aks.addDeployment({ name: TRAINER_DEPLOYMENT, namespace: TRAINER_NAMESPACE, replicas: 0 });
    this.stopScaleListener = options.aks.onScale((deployment, previous) => {
      options.onEvent('cluster', 'deployment-scaled', `AKS ${deployment.name} replicas ${previous} -> ${deployment.replicas}`);
      this.reconcileAzure();
    });
  }

  /** Trainer pods alive now, per cloud. */
  live(cloud?: Cloud): TrainerProcess[] {
    return [...this.trainers.values()].map((t) => t.process).filter((p) => p.running && (cloud === undefined || p.spec.cloud === cloud));
  }

  /** Shards held by live trainers that have registered. */
  heldShards(): Set<string> {
    return new Set(this.live().flatMap((p) => (p.shard === undefined ? [] : [p.shard])));
  }

  /**
   * Karpenter launches a Spot GPU node and a trainer pod of the EKS release is scheduled on it: without a shard,
   * as the chart renders it (the aggregator assigns one), unless `shard` pins one. Returns the instance id.
   */
  launchAwsNode(shard?: string, id = instanceId()): string {
    const index = ++this.awsNodes;
    const nodeName = `ip-10-0-${index}-${10 + index}.us-west-2.compute.internal`;
    this.options.eks.addNode({
      name: nodeName,
      providerID: `aws:///${AZ}/${id}`,
      labels: { 'karpenter.sh/capacity-type': 'spot', 'karpenter.sh/nodepool': 'spot-gpu', 'node.kubernetes.io/instance-type': 'g5.xlarge' },
      ready: true,
    });
    this.options.onEvent('cluster', 'aws-node-launched', `${nodeName} (${id})${shard ? ` for ${shard}` : ''}`);
    const suffix = randomBytes(3).toString('hex').slice(0, 5);
    this.startPod(this.options.eks, { clientId: `fl-trainer-aws-${suffix}`, cloud: 'aws', ...(shard ? { shard } : {}), nodeName, instanceId: id, ...(this.options.instanceMetadata ? { metadataEndpoint: this.options.instanceMetadata.endpointFor(nodeName) } : {}), podIP: `127.0.1.${++this.awsPodIps}` });
    return id;
  }

  /** EC2 takes the instance back: whatever still runs on it dies without warning. */
  terminateAwsNode(id: string): void {
    const node = [...this.options.eks.nodes.values()].find((n) => n.providerID.endsWith(`/${id}`));
    if (node === undefined) return;
    for (const { process } of this.trainers.values()) if (process.spec.nodeName === node.name) process.kill();
    this.options.eks.removeNode(node.name);
    this.options.onEvent('cluster', 'aws-node-terminated', `${node.name} (${id})`);
  }

  /** The kubelet stops every AWS trainer gracefully (node shutdown): each flushes on SIGTERM. Nodes go NotReady. */
  shutDownAwsNodes(): void {
    for (const node of this.options.eks.nodes.values()) node.ready = false;
    this.options.eks.touch();
    for (const process of this.live('aws')) process.terminate();
    this.options.onEvent('cluster', 'aws-nodes-not-ready', 'kubelet stops every trainer pod (SIGTERM: flush)');
  }

  /** Instance ids of the AWS nodes now in the cluster. */
  awsInstanceIds(): string[] {
    return [...this.options.eks.nodes.values()].map((n) => n.providerID.split('/').pop() ?? '');
  }

  /** Removes every AWS node (after an outage or reclaim) without touching processes that already ended. */
  removeAwsNodes(): void {
    for (const id of this.awsInstanceIds()) this.terminateAwsNode(id);
  }

  /**
   * AKS finished scaling a GPU pool (Spot, or the on-demand pool of the deadline safety net): its ready nodes are now
   * `ready`. Nodes carry the labels terraform-azure gives each pool.
   */
  syncGpuPool(pool: string, capacity: 'spot' | 'on-demand', ready: number): void {
    const nodes = [...this.options.aks.nodes.values()].filter((n) => n.labels.agentpool === pool);
    for (let i = nodes.length; i < ready; i++) {
      const name = `aks-${pool}-${String(++this.azureNodes).padStart(5, '0')}-vmss000000`;
      const capacityLabel: Record<string, string> = capacity === 'spot' ? { 'kubernetes.azure.com/scalesetpriority': 'spot' } : { 'spot-on.io/capacity': 'on-demand' };
      this.options.aks.addNode({
        name,
        providerID: `azure:///subscriptions/local/resourceGroups/mc/providers/Microsoft.Compute/virtualMachineScaleSets/aks-${pool}/virtualMachines/${this.azureNodes}`,
        labels: { agentpool: pool, [TRAINER_NODE_LABEL[0]]: TRAINER_NODE_LABEL[1], ...capacityLabel },
        ready: true,
      });
      this.options.onEvent('cluster', 'azure-node-ready', name);
    }
    for (const node of nodes.slice(ready)) {
      for (const { process } of this.trainers.values()) if (process.spec.nodeName === node.name) process.kill();
      this.options.aks.removeNode(node.name);
      this.options.onEvent('cluster', 'azure-node-removed', node.name);
    }
    this.reconcileAzure();
  }

  /**
   * The Deployment controller: run min(replicas, trainer nodes) trainer pods, one per node, on either GPU pool (the
   * chart's AKS nodeSelector is the trainer role label alone). Like the chart's AKS pods they carry no shard; the
   * aggregator assigns one at registration, and a pod with nothing to do waits.
   */
  private reconcileAzure(): void {
    if (this.stopped) return;
    const replicas = this.options.aks.deployment(TRAINER_NAMESPACE, TRAINER_DEPLOYMENT)?.replicas ?? 0;
    const running = this.live('azure');
    for (const process of running.slice(replicas)) {
      this.scaledIn.add(process.spec.clientId);
      process.terminate();
    }
    const busyNodes = new Set(running.slice(0, replicas).map((p) => p.spec.nodeName));
    const freeNodes = [...this.options.aks.nodes.values()].filter((n) => n.labels[TRAINER_NODE_LABEL[0]] === TRAINER_NODE_LABEL[1] && n.ready && !busyNodes.has(n.name));
    for (let i = running.length; i < replicas && freeNodes.length > 0 && !this.runComplete; i++) {
      const node = freeNodes.shift()!;
      const suffix = randomBytes(3).toString('hex').slice(0, 5);
      this.startPod(this.options.aks, { clientId: `fl-trainer-${suffix}`, cloud: 'azure', nodeName: node.name, podIP: `127.0.2.${++this.azurePodIps}` });
    }
  }

  private startPod(cluster: ClusterState, spec: TrainerPodSpec): void {
    const pod = { name: spec.clientId, namespace: TRAINER_NAMESPACE, labels: TRAINER_LABELS, nodeName: spec.nodeName, podIP: spec.podIP, phase: 'Running' as const };
    cluster.addPod(pod);
    const placement: PlacementInterval = { clientId: spec.clientId, cloud: spec.cloud, node: spec.nodeName, ...(spec.shard ? { shard: spec.shard } : {}), from: Date.now() };
    this.placements.push(placement);
    const logFile = this.options.logDir ? path.join(this.options.logDir, `${spec.clientId}.log`) : undefined;
    const process = new TrainerProcess(spec, { ...this.options.trainerEnv, ...this.options.cloudEnv?.[spec.cloud] }, (p, event, detail) => {
      if (event === 'registered') placement.shard = p.shard;
      if (event === 'ready') cluster.markReady(TRAINER_NAMESPACE, spec.clientId);
      if (event === 'flush-durable') this.options.onEvent('trainer', 'flush-durable', `${p.spec.clientId}: ${detail.examples} examples of round ${detail.round ?? '-'} ${String(detail.outcome)}, durable ${detail.ms} ms after the request`);
      if (event === 'trainer-failed') this.options.onEvent('trainer', 'trainer-failed', `${p.spec.clientId}: exit ${String(detail.code)} ${String(detail.log)}`);
    }, logFile);
    this.trainers.set(spec.clientId, { process, placement });
    this.options.onEvent('trainer', 'trainer-started', `${spec.clientId} on ${spec.cloud} ${spec.nodeName} (${spec.shard ?? 'shard from the aggregator'}, pod IP ${spec.podIP})`);
    void process.ended.then((end) => {
      placement.to = Date.now();
      placement.end = this.scaledIn.has(spec.clientId) && end !== 'killed' ? 'scaled-in' : end;
      if (end === 'complete') this.runComplete = true;
      cluster.removePod(TRAINER_NAMESPACE, spec.clientId);
      this.options.onEvent('trainer', 'trainer-ended', `${spec.clientId} ${placement.end}`);
      if (spec.cloud === 'azure') this.reconcileAzure();
    });
  }

  /** Every trainer process, finished or not. */
  allTrainers(): TrainerProcess[] {
    return [...this.trainers.values()].map((t) => t.process);
  }

  /** Ends every trainer still running (SIGTERM, then SIGKILL) and stops watching. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopped = true;
    this.stopScaleListener();
    const running = this.live();
    for (const process of running) process.terminate();
    const timer = setTimeout(() => running.forEach((p) => p.kill()), graceMs);
    await Promise.all(running.map((p) => p.ended));
    clearTimeout(timer);
  }
}
