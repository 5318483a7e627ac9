/** The operators' view of a run: the failover state plus the GPU pool as ARM shows it now. */
import { describePool, type PoolView } from '../domain/pool-target';
import { initialState, type FailoverState, type PendingOperation } from '../domain/state';
import { messageOf } from '../errors';
import type { BrainServices } from './services';

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
  readonly pool: (PoolView & { readonly summary: string }) | { readonly error: string };
  readonly transitions: FailoverState['transitions'];
  readonly incidents: FailoverState['incidents'];
  readonly notes: FailoverState['notes'];
}

/** Reads the state and the pool; the pool's absence is reported, not thrown (status must work when ARM does not). */
export async function readStatus(services: BrainServices, options: { transitions: number }): Promise<StatusView> {
  const { runId } = services.settings;
  const [stored, pool] = await Promise.all([
    services.stateStore.read(runId),
    services.pool.read().then(
      (view) => ({ provisioningState: view.provisioningState, count: view.count, enableAutoScaling: view.enableAutoScaling, ...(view.minCount === undefined ? {} : { minCount: view.minCount }), ...(view.maxCount === undefined ? {} : { maxCount: view.maxCount }), summary: describePool(view) }),
      (error: unknown) => ({ error: messageOf(error) }),
    ),
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
    transitions: state.transitions.slice(-options.transitions),
    incidents: state.incidents.slice(-5),
    notes: state.notes.slice(-10),
  };
}
