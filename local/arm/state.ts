/**
 * The emulated ARM state: managed clusters, their agent pools, and the long-running operations that change
 * them. No I/O and an injected clock: an operation is InProgress until its due time and then Succeeded or
 * Failed; `settle()` applies every operation that is due, so the state is the same whether or not anyone
 * polled in between (https://learn.microsoft.com/azure/azure-resource-manager/management/async-operations).
 */
import { randomUUID } from 'node:crypto';
import { ArmRequestError } from './errors';
import { checkPreconditions, operationInProgress, type OperationKind, type PutPlan } from './agent-pool-rules';
import type { AgentPoolSpec, ClusterRef, PoolRef } from './model';

/** An agent pool's provisioning state. */
export type ProvisioningState = OperationKind | 'Succeeded' | 'Failed';

/** A stored agent pool. */
export interface PoolRecord {
  readonly name: string;
  spec: AgentPoolSpec;
  provisioningState: ProvisioningState;
  eTag: string;
  /** Nodes that exist and are ready (the emulator's view; ARM shows `count`, the desired size). */
  readyNodeCount: number;
  /** The operation that last changed the pool. */
  lastOperationId?: string;
}

/** A stored managed cluster. */
export interface ClusterRecord {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly location: string;
  readonly kubernetesVersion: string;
  readonly pools: Map<string, PoolRecord>;
}

/** The error an operation ends with. */
export interface OperationFailure {
  readonly code: string;
  readonly message: string;
}

/** Status values of an ARM asynchronous operation. */
export type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed';

/** One long-running operation on an agent pool. */
export interface OperationRecord {
  readonly id: string;
  readonly subscriptionId: string;
  readonly location: string;
  readonly pool: PoolRef;
  readonly kind: OperationKind;
  readonly startedAt: number;
  readonly dueAt: number;
  readonly fromCount: number;
  readonly toCount: number;
  /** Set when the operation is to fail at its due time. */
  readonly failure?: OperationFailure;
  status: OperationStatus;
  endedAt?: number;
}

/** Conditional request headers of a PUT. */
export interface PreconditionHeaders {
  readonly ifMatch?: string;
  readonly ifNoneMatch?: string;
}

/** Options of {@link ArmState}. */
export interface ArmStateOptions {
  readonly clock?: () => number;
  readonly newId?: () => string;
  /** Called for each operation as it ends (from whichever call settles it). */
  readonly onOperationEnded?: (operation: OperationRecord) => void;
}

const key = (...parts: string[]): string => parts.map((part) => part.toLowerCase()).join('/');

/** Clusters, pools and operations, keyed case-insensitively as ARM names are. */
export class ArmState {
  private readonly clusters = new Map<string, ClusterRecord>();
  private readonly operations = new Map<string, OperationRecord>();
  private readonly clock: () => number;
  private readonly newId: () => string;
  private readonly onOperationEnded: (operation: OperationRecord) => void;

  constructor(options: ArmStateOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.newId = options.newId ?? randomUUID;
    this.onOperationEnded = options.onOperationEnded ?? (() => undefined);
  }

  /** Adds a cluster (no pools yet). */
  addCluster(cluster: Omit<ClusterRecord, 'pools'>): ClusterRecord {
    const record: ClusterRecord = { ...cluster, pools: new Map() };
    this.clusters.set(key(cluster.subscriptionId, cluster.resourceGroup, cluster.name), record);
    return record;
  }

  /** Adds a pool that already exists, settled, with its nodes ready (a seed). */
  addSettledPool(ref: ClusterRef, spec: AgentPoolSpec, name: string): PoolRecord {
    const cluster = this.requireCluster(ref);
    const record: PoolRecord = { name, spec, provisioningState: 'Succeeded', eTag: this.newId(), readyNodeCount: spec.count };
    cluster.pools.set(name.toLowerCase(), record);
    return record;
  }

  /** True when the subscription has a cluster in that resource group (ARM's resource group existence). */
  hasResourceGroup(subscriptionId: string, resourceGroup: string): boolean {
    const prefix = key(subscriptionId, resourceGroup) + '/';
    return [...this.clusters.keys()].some((k) => k.startsWith(prefix));
  }

  /** Clusters, all or those of a subscription (and resource group). */
  listClusters(subscriptionId?: string, resourceGroup?: string): ClusterRecord[] {
    this.settle();
    const same = (a: string, b: string | undefined): boolean => b === undefined || a.toLowerCase() === b.toLowerCase();
    return [...this.clusters.values()].filter((c) => same(c.subscriptionId, subscriptionId) && same(c.resourceGroup, resourceGroup));
  }

  findCluster(ref: ClusterRef): ClusterRecord | undefined {
    this.settle();
    return this.clusters.get(key(ref.subscriptionId, ref.resourceGroup, ref.cluster));
  }

  findPool(ref: PoolRef): PoolRecord | undefined {
    return this.findCluster(ref)?.pools.get(ref.pool.toLowerCase());
  }

  findOperation(subscriptionId: string, operationId: string): OperationRecord | undefined {
    this.settle();
    const operation = this.operations.get(operationId.toLowerCase());
    return operation?.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() ? operation : undefined;
  }

  /** Every operation so far, oldest first. */
  listOperations(): OperationRecord[] {
    this.settle();
    return [...this.operations.values()];
  }

  /**
   * Answers 404 for a missing cluster, 412 for a failed If-Match / If-None-Match and 409 while the pool's
   * operation runs; returns the pool (undefined when the PUT would create it).
   */
  assertPutAllowed(ref: PoolRef, headers: PreconditionHeaders): PoolRecord | undefined {
    this.settle();
    const existing = this.requireCluster(ref).pools.get(ref.pool.toLowerCase());
    checkPreconditions(existing?.eTag, headers);
    if (existing !== undefined && isRunning(existing.provisioningState)) {
      throw operationInProgress(existing.name, existing.provisioningState);
    }
    return existing;
  }

  /**
   * Checks as {@link assertPutAllowed} does, then stores the plan and starts its operation.
   * The plan must have been made against the pool as `findPool` returns it now.
   */
  beginPoolPut(
    ref: PoolRef,
    headers: PreconditionHeaders,
    plan: PutPlan,
    run: { readonly durationMs: number; readonly failure?: OperationFailure },
  ): { pool: PoolRecord; operation: OperationRecord; created: boolean } {
    const cluster = this.requireCluster(ref);
    const existing = this.assertPutAllowed(ref, headers);
    const now = this.clock();
    const operation: OperationRecord = {
      id: this.newId(),
      subscriptionId: cluster.subscriptionId,
      location: cluster.location,
      pool: { ...ref, pool: existing?.name ?? ref.pool },
      kind: plan.kind,
      startedAt: now,
      dueAt: now + Math.max(0, run.durationMs),
      fromCount: existing?.readyNodeCount ?? 0,
      toCount: plan.spec.count,
      ...(run.failure === undefined ? {} : { failure: run.failure }),
      status: 'InProgress',
    };
    const pool: PoolRecord = existing ?? { name: ref.pool, spec: plan.spec, provisioningState: plan.kind, eTag: '', readyNodeCount: 0 };
    pool.spec = plan.spec;
    pool.provisioningState = plan.kind;
    pool.eTag = this.newId();
    pool.lastOperationId = operation.id;
    cluster.pools.set(ref.pool.toLowerCase(), pool);
    this.operations.set(operation.id.toLowerCase(), operation);
    return { pool, operation, created: existing === undefined };
  }

  /** Completes every operation due by now; returns those completed by this call. */
  settle(): OperationRecord[] {
    const now = this.clock();
    const completed: OperationRecord[] = [];
    for (const operation of this.operations.values()) {
      if (operation.status !== 'InProgress' || operation.dueAt > now) continue;
      const pool = this.clusters
        .get(key(operation.pool.subscriptionId, operation.pool.resourceGroup, operation.pool.cluster))
        ?.pools.get(operation.pool.pool.toLowerCase());
      operation.endedAt = operation.dueAt;
      if (operation.failure === undefined) {
        operation.status = 'Succeeded';
        if (pool?.lastOperationId === operation.id) {
          pool.provisioningState = 'Succeeded';
          pool.readyNodeCount = operation.toCount;
        }
      } else {
        operation.status = 'Failed';
        if (pool?.lastOperationId === operation.id) {
          // No new node came up: the desired count falls back to the nodes that exist.
          pool.provisioningState = 'Failed';
          pool.spec = { ...pool.spec, count: operation.fromCount };
          pool.readyNodeCount = operation.fromCount;
          pool.eTag = this.newId();
        }
      }
      completed.push(operation);
    }
    for (const operation of completed) this.onOperationEnded(operation);
    return completed;
  }

  /** The earliest due time of a running operation, if any. */
  nextDueAt(): number | undefined {
    let next: number | undefined;
    for (const operation of this.operations.values()) {
      if (operation.status === 'InProgress' && (next === undefined || operation.dueAt < next)) next = operation.dueAt;
    }
    return next;
  }

  private requireCluster(ref: ClusterRef): ClusterRecord {
    const cluster = this.clusters.get(key(ref.subscriptionId, ref.resourceGroup, ref.cluster));
    if (cluster === undefined) throw resourceNotFound('managedClusters', ref.cluster, ref.resourceGroup);
    return cluster;
  }
}

function isRunning(state: ProvisioningState): boolean {
  return state === 'Creating' || state === 'Scaling' || state === 'Updating';
}

/** ARM's 404 for a missing resource. */
export function resourceNotFound(type: string, name: string, resourceGroup: string): ArmRequestError {
  return new ArmRequestError(
    404,
    'ResourceNotFound',
    `The Resource 'Microsoft.ContainerService/${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}
