/**
 * The objects a simulated cluster holds, in the Kubernetes shapes the Spot-On code reads: nodes (with the
 * `spec.providerID` EKS sets), pods (node, IP, phase, labels) and deployments with a `scale` subresource.
 */

export interface SimNode {
  readonly name: string;
  /** EKS: `aws:///<az>/<instance-id>`; AKS: `azure:///subscriptions/.../virtualMachines/<n>`. */
  readonly providerID: string;
  readonly labels: Readonly<Record<string, string>>;
  ready: boolean;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

export interface SimPod {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly nodeName: string;
  podIP: string | undefined;
  phase: PodPhase;
  /** Passes its readiness probe (the trainer's flush endpoint is up). */
  ready?: boolean;
}

export interface SimDeployment {
  readonly name: string;
  readonly namespace: string;
  replicas: number;
  /**
   * Every replica counts as ready at once: a stand-in for a Deployment controller where no simulator runs pods
   * (brain tests, the bench). Otherwise ready replicas are the namespace's ready pods.
   */
  readonly podsReadyAtOnce?: boolean;
}

export type ScaleListener = (deployment: SimDeployment, previousReplicas: number) => void;

/** A mutable cluster; the simulator changes it, the API server serves it. */
export class ClusterState {
  readonly nodes = new Map<string, SimNode>();
  readonly pods = new Map<string, SimPod>();
  readonly deployments = new Map<string, SimDeployment>();
  private readonly scaleListeners = new Set<ScaleListener>();
  private resourceVersion = 1;

  constructor(readonly name: string) {}

  /** Monotonic resourceVersion, bumped on every change as the API server does. */
  get version(): string {
    return String(this.resourceVersion);
  }

  touch(): void {
    this.resourceVersion++;
  }

  addNode(node: SimNode): void {
    this.nodes.set(node.name, node);
    this.touch();
  }

  removeNode(name: string): void {
    this.nodes.delete(name);
    for (const [key, pod] of this.pods) if (pod.nodeName === name) this.pods.delete(key);
    this.touch();
  }

  addPod(pod: SimPod): void {
    this.pods.set(`${pod.namespace}/${pod.name}`, pod);
    this.touch();
  }

  removePod(namespace: string, name: string): void {
    this.pods.delete(`${namespace}/${name}`);
    this.touch();
  }

  /** Running pods that pass their readiness probe (in the simulator every pod of a namespace is the Deployment's). */
  readyPods(namespace: string): number {
    return [...this.pods.values()].filter((pod) => pod.namespace === namespace && pod.phase === 'Running' && pod.ready === true).length;
  }

  /** Marks a pod ready (its readiness probe passed). */
  markReady(namespace: string, name: string): void {
    const pod = this.pods.get(`${namespace}/${name}`);
    if (pod === undefined) return;
    pod.ready = true;
    this.touch();
  }

  deployment(namespace: string, name: string): SimDeployment | undefined {
    return this.deployments.get(`${namespace}/${name}`);
  }

  addDeployment(deployment: SimDeployment): void {
    this.deployments.set(`${deployment.namespace}/${deployment.name}`, deployment);
    this.touch();
  }

  /** Sets a deployment's replicas through its scale subresource and tells the listeners (the "controller"). */
  scale(namespace: string, name: string, replicas: number): SimDeployment | undefined {
    const deployment = this.deployment(namespace, name);
    if (deployment === undefined) return undefined;
    const previous = deployment.replicas;
    deployment.replicas = replicas;
    this.touch();
    if (previous !== replicas) for (const listener of this.scaleListeners) listener(deployment, previous);
    return deployment;
  }

  onScale(listener: ScaleListener): () => void {
    this.scaleListeners.add(listener);
    return () => this.scaleListeners.delete(listener);
  }
}

/** Equality-based label selector (`a=b,c=d`, `a==b`, `a!=b`), the subset Spot-On uses. */
export function matchesLabelSelector(labels: Readonly<Record<string, string>>, selector: string): boolean {
  return selector
    .split(',')
    .map((term) => term.trim())
    .filter((term) => term !== '')
    .every((term) => {
      const match = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
      if (match === null) return labels[term] !== undefined; // existence: `key`
      const [, key = '', operator, value] = match;
      return operator === '!=' ? labels[key] !== value : labels[key] === value;
    });
}
