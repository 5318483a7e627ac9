/** The operators' view of a run: the failover state plus the GPU pools as ARM shows them now. */
import type { GpuPool } from '../adapters/agent-pool';
import { describePool, type PoolView } from '../domain/pool-target';
import { initialState, type FailoverState, type PendingOperation } from '../domain/state';
import { messageOf } from '../errors';
import type { BrainServices } from './services';

type PoolStatus = (PoolView & { readonly summary: string }) | { readonly error: string };

export interface StatusView {
  readonly runId: string;
  /** False until the first signal created the state document. */
  readonly initialized: boolean;
  readonly phase: FailoverState['phase'];
  readonly epoch: number;
  readonly phaseSince: string;
  readonly updatedAt: string;
  readonly coverage: FailoverState['coverage'];
  readonly desiredAzureNodes: number;
  readonly pausedShards: readonly string[];
  /** The pending operation (the resume token is internal and left out). */
  readonly pendingOperation?: Omit<PendingOperation, 'resumeToken'>;
  readonly deferredSignal?: FailoverState['deferredSignal'];
  readonly lastFailure?: FailoverState['lastFailure'];
  /** The Spot GPU pool. */
  readonly pool: PoolStatus;
  /** The on-demand GPU pool of the deadline safety net, when the deployment has one. */
  readonly onDemandPool?: PoolStatus;
  /** The pool Azure's cover is on. */
  readonly azureCapacity: 'spot' | 'on-demand';
  readonly transitions: FailoverState['transitions'];
  readonly incidents: FailoverState['incidents'];
  readonly notes: FailoverState['notes'];
}

/** Reads the state and the pool; the pool's absence is reported, not thrown (status must work when ARM does not). */
export async function readStatus(services: BrainServices, options: { transitions: number }): Promise<StatusView> {
  const { runId } = services.settings;
  const [stored, pool, onDemandPool] = await Promise.all([
    services.stateStore.read(runId),
    poolStatus(services.pool),
    services.onDemandPool === undefined ? undefined : poolStatus(services.onDemandPool),
  ]);
  const state = stored?.state ?? initialState(runId, services.clock());
  const pending = state.pendingOperation;
  const { resumeToken: _internal, ...visible } = pending ?? { resumeToken: undefined };
  return {
    runId,
    initialized: stored !== undefined,
    phase: state.phase,
    epoch: state.epoch,
    phaseSince: state.phaseSince,
    updatedAt: state.updatedAt,
    coverage: state.coverage,
    desiredAzureNodes: state.desiredAzureNodes,
    pausedShards: state.pausedShards,
    ...(pending === undefined ? {} : { pendingOperation: visible as Omit<PendingOperation, 'resumeToken'> }),
    ...(state.deferredSignal === undefined ? {} : { deferredSignal: state.deferredSignal }),
    ...(state.lastFailure === undefined ? {} : { lastFailure: state.lastFailure }),
    pool,
    ...(onDemandPool === undefined ? {} : { onDemandPool }),
    azureCapacity: state.azureCapacity ?? 'spot',
    transitions: state.transitions.slice(-options.transitions),
    incidents: state.incidents.slice(-5),
    notes: state.notes.slice(-10),
  };
}

/** A pool as ARM shows it, or why it could not be read. */
function poolStatus(pool: GpuPool): Promise<PoolStatus> {
  return pool.read().then(
    (view) => ({ provisioningState: view.provisioningState, count: view.count, enableAutoScaling: view.enableAutoScaling, ...(view.minCount === undefined ? {} : { minCount: view.minCount }), ...(view.maxCount === undefined ? {} : { maxCount: view.maxCount }), summary: describePool(view) }),
    (error: unknown) => ({ error: messageOf(error) }),
  );
}
