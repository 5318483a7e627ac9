/**
 * Carrying out the decision's actions after the state (the intent) is durable.
 *
 * Driving an operation, in this order:
 *   1. queue the operation's continuation (so from here on, a crash is always finished by the continuation);
 *   2. for a failback, scale the Azure trainers to 0 first (they flush on SIGTERM before their nodes go);
 *   3. PUT the pool (start the long-running operation; never wait for it);
 *   4. record what ARM said (stage submitted + resume token) with compare-and-swap.
 * Every step is idempotent: the PUT is conditional and has the same target; scaling replicas is a set.
 */
import type { RunStatus } from '../../../protocol/run-status';
import { traceContext } from '../../../protocol/tracer';
import { backoffSeconds, type ContinuationMessage } from '../domain/continuation-message';
import type { BrainAction } from '../domain/decide';
import { pendingWithId, recordDrive, type DriveResult } from '../domain/operation';
import { capacityOf, type FailoverState, type PendingOperation } from '../domain/state';
import { isRetryable, messageOf, TrainerScaleError } from '../errors';
import { poolOf, type BrainLog, type BrainServices } from './services';
import { mutateState } from './state-mutation';

/** How far a drive got. */
export interface DriveReport {
  readonly operationId: string;
  readonly continuationQueued: boolean;
  readonly result?: DriveResult;
  /** Set when a step failed after the continuation was queued (it will finish the job). */
  readonly deferredError?: string;
}

/** What carrying out the actions did, and the state after it. */
export interface ActionsReport {
  readonly state: FailoverState;
  readonly drives: readonly DriveReport[];
  readonly scheduled: readonly string[];
}

/** Seconds from `now` until `iso` (0 when past). */
export function secondsUntil(iso: string, now: Date): number {
  return Math.max(0, Math.ceil((Date.parse(iso) - now.getTime()) / 1000));
}

/** Queues the continuation that checks `operationId` after `delaySeconds`. */
export async function queueOperationCheck(services: BrainServices, operationId: string, attempt: number, retryAfterSeconds = 0): Promise<void> {
  const { delaySeconds, maxDelaySeconds } = services.settings.continuation;
  const message: ContinuationMessage = {
    version: 1,
    kind: 'operation',
    runId: services.settings.runId,
    operationId,
    attempt,
    enqueuedAt: services.clock().toISOString(),
    // The active trace, for the continuation to go on with.
    ...traceContext(),
  };
  await services.continuations.send(message, backoffSeconds(attempt, delaySeconds, maxDelaySeconds, retryAfterSeconds));
}

/**
 * Steps 2-4 of a drive: trainers first for a failback, PUT, record. Transient failures propagate; the caller decides
 * whether a queued continuation covers them.
 */
export async function putAndRecord(
  services: BrainServices,
  state: FailoverState,
  operationId: string,
  log: BrainLog,
): Promise<{ state: FailoverState; result: DriveResult | undefined; actions: readonly BrainAction[] }> {
  const operation = pendingWithId(state, operationId);
  if (operation === undefined) return { state, result: undefined, actions: [] };
  if (operation.purpose === 'failback') {
    try {
      await services.trainers.scale(0);
    } catch (error) {
      // Permanent refusals must not keep the GPU pool (and its cost) up; transient trouble is retried.
      if (!(error instanceof TrainerScaleError)) throw error;
      log.error('could not stop the Azure trainers before releasing the pool', { operationId, error: error.message });
    }
  }
  // Cover moving to (or growing on) the on-demand pool: the Spot pool must not keep a raised minimum behind it.
  if (operation.purpose !== 'failback' && capacityOf(operation) === 'on-demand') await releaseRefusedSpot(services, operation, log);
  const result = await poolOf(services, operation).requestScale(operation.targetNodes);
  log.info('pool PUT', { operationId, capacity: capacityOf(operation), target: operation.targetNodes, result: result.kind, ...(result.kind === 'busy' ? { reason: result.reason } : {}) });
  const status = result.kind === 'rejected' ? await safetyNetStatus(services, operation) : undefined;
  const committed = await mutateState(services, services.settings.runId, (current, now) => {
    const step = recordDrive(current, operationId, result, now, services.settings.policy, status === undefined ? {} : { status });
    return { state: step.state, result: step.actions };
  });
  return { state: committed.state, result, actions: committed.result };
}

/**
 * The run status a failed operation needs: only a Spot failover that the deadline safety net may move to on-demand
 * capacity asks for the run's progress (deadline-fallback.ts); nothing else reads it.
 */
export async function safetyNetStatus(services: BrainServices, operation: PendingOperation): Promise<RunStatus | undefined> {
  if (!services.settings.policy.onDemandSafetyNet || operation.purpose !== 'failover' || capacityOf(operation) !== 'spot') return undefined;
  return (await services.runStatus.read(services.settings.runId)).status;
}

/**
 * The Spot pool's refused operation (or its evicted cover) may have left its minimum raised: a Spot node that frees
 * up later would start (and cost) with no trainer to run. Best effort: the move to on-demand must not wait on the
 * pool that failed it.
 */
async function releaseRefusedSpot(services: BrainServices, operation: PendingOperation, log: BrainLog): Promise<void> {
  try {
    const result = await services.pool.requestScale(0);
    log.info('Spot pool released before moving to on-demand capacity', { operationId: operation.id, result: result.kind });
  } catch (error) {
    if (!isRetryable(error)) throw error;
    log.warn('could not release the Spot pool before moving to on-demand capacity', { operationId: operation.id, error: messageOf(error) });
  }
}

/** Drives the pending operation (all four steps). */
export async function driveOperation(services: BrainServices, state: FailoverState, operationId: string, log: BrainLog): Promise<{ report: DriveReport; state: FailoverState; actions: readonly BrainAction[] }> {
  if (pendingWithId(state, operationId) === undefined) {
    return { report: { operationId, continuationQueued: false }, state, actions: [] };
  }
  // If this fails nothing was sent to ARM yet: the caller answers 503 and the retry (or lease expiry) re-drives.
  await queueOperationCheck(services, operationId, 0);
  try {
    const driven = await putAndRecord(services, state, operationId, log);
    return {
      report: { operationId, continuationQueued: true, ...(driven.result === undefined ? {} : { result: driven.result }) },
      state: driven.state,
      actions: driven.actions,
    };
  } catch (error) {
    // Not a transient failure: a bug or a misconfiguration, fail loudly (the continuation still finishes the job).
    if (!isRetryable(error)) throw error;
    // The intent is durable and the continuation is queued: it re-reads the pool and finishes the job.
    log.warn('drive step failed after the continuation was queued; the continuation finishes it', { operationId, error: messageOf(error) });
    return { report: { operationId, continuationQueued: true, deferredError: messageOf(error) }, state, actions: [] };
  }
}

/** Carries out `actions` (and the actions they lead to, e.g. the clean-up after a rejected failover). */
export async function executeActions(services: BrainServices, state: FailoverState, actions: readonly BrainAction[], log: BrainLog): Promise<ActionsReport> {
  const drives: DriveReport[] = [];
  const scheduled: string[] = [];
  let current = state;
  const queue = [...actions];
  // A rejection produces at most one follow-up drive (the abort's clean-up), which cannot produce another.
  for (let guard = 0; queue.length > 0 && guard < 8; guard += 1) {
    const action = queue.shift() as BrainAction;
    const kind = action.kind;
    switch (kind) {
      case 'drive-operation': {
        const driven = await driveOperation(services, current, action.operationId, log);
        drives.push(driven.report);
        current = driven.state;
        queue.push(...driven.actions);
        break;
      }
      case 'schedule-deferred': {
        await services.continuations.send(
          { version: 1, kind: 'deferred', runId: services.settings.runId, signalId: action.signalId, attempt: 0, enqueuedAt: services.clock().toISOString(), ...traceContext() },
          secondsUntil(action.notBefore, services.clock()),
        );
        scheduled.push(action.signalId);
        break;
      }
      default: {
        const unreachable: never = kind;
        throw new Error(`unhandled action ${JSON.stringify(unreachable)}`);
      }
    }
  }
  return { state: current, drives, scheduled };
}
