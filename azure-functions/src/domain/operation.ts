/**
 * The life of the pending pool operation, as pure functions over the failover state. The shell observes ARM
 * (drive = PUT, check = GET) and feeds what it saw in here; these functions say what the state becomes.
 *
 *   requested --drive--> submitted --check--> complete (phase completes) | failed (abort / failed transition)
 *       ^                                  \--> wait (re-check later)    | put again (pool not at target)
 *       +-- re-drive when the lease of the invocation that wrote the intent has expired (it crashed)
 */
import type { RunStatus } from '../../../protocol/run-status';
import type { BrainAction } from './decision';
import { deadlineFallback } from './deadline-fallback';
import { moveToOnDemand, recheckDeadlineAt, withCapacity } from './safety-net-moves';
import { changePhase } from './transition';
import type { FailoverPolicy } from './policy';
import { describePool, isPoolBusy, poolMeetsTarget, type PoolView } from './pool-target';
import {
  appendBounded,
  capacityOf,
  clip,
  failureKind,
  isCapacityRefusal,
  LIMITS,
  openIncident,
  withNote,
  type FailoverState,
  type FailureDetail,
  type PendingOperation,
} from './state';

/** What a PUT attempt (drive) came to. */
export type DriveResult =
  /** ARM accepted the PUT; the resume token reads its outcome later. */
  | { readonly kind: 'submitted'; readonly resumeToken?: string; readonly pool: PoolView }
  /** The pool already is at the target: nothing was sent. */
  | { readonly kind: 'already-at-target'; readonly pool: PoolView }
  /** Not now: another operation runs (409), the pool changed (412), throttled (429) or no answer in time. */
  | { readonly kind: 'busy'; readonly reason: string; readonly retryAfterSeconds?: number }
  /** ARM refused for good (quota, capacity, invalid request, authorization). */
  | { readonly kind: 'rejected'; readonly error: FailureDetail };

/** What the shell saw besides the outcome: the pool's node count after a failure, and the run status. */
export interface Observed {
  readonly poolCount?: number;
  /** Read for a failover the Spot pool may refuse: the deadline safety net needs it (deadline-fallback.ts). */
  readonly status?: RunStatus;
}

/** What the continuation does next after reading the pool. */
export type NextStep = 'wait' | 'complete' | 'inspect-failure' | 'put';

/** A state change with the I/O that follows it. */
export interface Step {
  readonly state: FailoverState;
  readonly actions: readonly BrainAction[];
  readonly reason: string;
}

function assertNever(value: never): never {
  throw new Error(`unhandled value ${JSON.stringify(value)}`);
}

const plusSeconds = (date: Date, seconds: number): Date => new Date(date.getTime() + seconds * 1000);

/** The pending operation if its id is `operationId`. */
export function pendingWithId(state: FailoverState, operationId: string): PendingOperation | undefined {
  return state.pendingOperation?.id === operationId ? state.pendingOperation : undefined;
}

/** Decides the next step from the pool as ARM shows it now. */
export function assessPool(operation: PendingOperation, pool: PoolView): NextStep {
  if (isPoolBusy(pool)) return 'wait';
  if (poolMeetsTarget(pool, operation.targetNodes)) return 'complete';
  if (pool.provisioningState.toLowerCase() === 'failed' && operation.stage === 'submitted' && operation.resumeToken !== undefined) {
    return 'inspect-failure';
  }
  return 'put';
}

/** True when the operation has run longer than the policy allows. */
export function isTimedOut(operation: PendingOperation, now: Date, policy: FailoverPolicy): boolean {
  return now.getTime() - Date.parse(operation.requestedAt) > policy.operationTimeoutSeconds * 1000;
}

/** True when the operation still waits for its first PUT and nobody holds its lease: the writer crashed. */
export function needsRedrive(operation: PendingOperation, now: Date): boolean {
  return operation.stage === 'requested' && (operation.leaseUntil === undefined || Date.parse(operation.leaseUntil) <= now.getTime());
}

/** Takes over an abandoned intent: a new lease, and a drive action. No change when nothing is abandoned. */
export function redrive(state: FailoverState, now: Date, policy: FailoverPolicy): Step {
  const operation = state.pendingOperation;
  if (operation === undefined || !needsRedrive(operation, now)) return { state, actions: [], reason: 'nothing to re-drive' };
  return {
    state: {
      ...state,
      updatedAt: now.toISOString(),
      pendingOperation: { ...operation, leaseUntil: plusSeconds(now, policy.leaseSeconds).toISOString() },
    },
    actions: [{ kind: 'drive-operation', operationId: operation.id }],
    reason: `operation ${operation.id} was requested at ${operation.requestedAt} and never confirmed: re-driven`,
  };
}

/** Records what a PUT attempt came to. A rejection fails the operation. */
export function recordDrive(state: FailoverState, operationId: string, result: DriveResult, now: Date, policy: FailoverPolicy, observed: Observed = {}): Step {
  const operation = pendingWithId(state, operationId);
  if (operation === undefined) return { state, actions: [], reason: `operation ${operationId} is no longer pending` };
  const at = now.toISOString();
  const kind = result.kind;
  switch (kind) {
    case 'submitted':
    case 'already-at-target': {
      const { leaseUntil: _released, ...rest } = operation;
      const observation = kind === 'submitted' ? `PUT accepted: ${describePool(result.pool)}` : `already at the target: ${describePool(result.pool)}`;
      const updated: PendingOperation = {
        ...rest,
        stage: 'submitted',
        submittedAt: at,
        putAttempts: operation.putAttempts + (kind === 'submitted' ? 1 : 0),
        lastObservation: clip(observation),
        ...(kind === 'submitted' && result.resumeToken !== undefined ? { resumeToken: result.resumeToken } : {}),
      };
      return { state: { ...state, updatedAt: at, pendingOperation: updated }, actions: [], reason: observation };
    }
    case 'busy': {
      // Keep the lease: signals arriving meanwhile must not pile more PUTs on; the queued continuation retries.
      const updated: PendingOperation = {
        ...operation,
        leaseUntil: plusSeconds(now, Math.max(policy.leaseSeconds, result.retryAfterSeconds ?? 0)).toISOString(),
        lastObservation: clip(`PUT not taken now: ${result.reason}`),
      };
      return { state: { ...state, updatedAt: at, pendingOperation: updated }, actions: [], reason: result.reason };
    }
    case 'rejected':
      return failOperation(state, operationId, result.error, now, policy, observed);
    default:
      return assertNever(kind);
  }
}

/** Records one check that found the operation still running; past the timeout it fails (OperationTimedOut). */
export function recordWait(state: FailoverState, operationId: string, observation: string, now: Date, policy: FailoverPolicy, observed: Observed = {}): Step {
  const operation = pendingWithId(state, operationId);
  if (operation === undefined) return { state, actions: [], reason: `operation ${operationId} is no longer pending` };
  if (isTimedOut(operation, now, policy)) {
    return failOperation(state, operationId, {
      code: 'OperationTimedOut',
      message: `the pool did not reach ${operation.targetNodes} node(s) within ${policy.operationTimeoutSeconds} s (last seen: ${observation})`,
    }, now, policy, observed);
  }
  const at = now.toISOString();
  return {
    state: {
      ...state,
      updatedAt: at,
      pendingOperation: { ...operation, checks: operation.checks + 1, lastCheckedAt: at, lastObservation: clip(observation) },
    },
    actions: [],
    reason: observation,
  };
}

/** `step` with the pending operation's pool marked ready at `at` (kept from the first time it was seen ready). */
export function withPoolReady(step: Step, operationId: string, at: string): Step {
  const operation = pendingWithId(step.state, operationId);
  if (operation === undefined || operation.poolReadyAt !== undefined) return step;
  return { ...step, state: { ...step.state, pendingOperation: { ...operation, poolReadyAt: at } } };
}

/** The pool reached the target (and the trainers were scaled): the phase completes. */
export function completeOperation(state: FailoverState, operationId: string, observation: string, now: Date): Step {
  const operation = pendingWithId(state, operationId);
  if (operation === undefined) return { state, actions: [], reason: `operation ${operationId} is no longer pending` };
  const at = now.toISOString();
  const { pendingOperation: _done, ...rest } = state;
  const base: FailoverState = { ...rest, updatedAt: at };
  const deferredActions: BrainAction[] =
    state.deferredSignal === undefined ? [] : [{ kind: 'schedule-deferred', signalId: state.deferredSignal.id, notBefore: state.deferredSignal.notBefore }];
  const purpose = operation.purpose;
  switch (purpose) {
    case 'failover': {
      const reason = `${operation.id}: ${operation.targetNodes} Azure GPU node(s) ready (${observation}); ${operation.trainerReplicas} trainer(s) started`;
      if (state.phase !== 'failing-over') return { state: withNote(base, { at, kind: 'scaled', message: reason, operationId: operation.id }), actions: deferredActions, reason };
      return { state: changePhase(base, 'azure-active', now, { outcome: 'completed', reason, operationId: operation.id }), actions: deferredActions, reason };
    }
    case 'adjust': {
      const reason = `${operation.id}: Azure now has ${operation.targetNodes} GPU node(s) (${observation}) and ${operation.trainerReplicas} trainer(s)`;
      return { state: withNote(base, { at, kind: 'scaled', message: reason, operationId: operation.id }), actions: deferredActions, reason };
    }
    case 'failback': {
      const reason = `${operation.id}: Azure trainers stopped and the GPU pool released (${observation}); AWS is primary`;
      const closed = closeIncident(base, at, undefined);
      const moved = state.phase === 'failing-back' ? changePhase(closed, 'aws-primary', now, { outcome: 'completed', reason, operationId: operation.id }) : closed;
      return { state: released(moved), actions: deferredActions, reason };
    }
    default:
      return assertNever(purpose);
  }
}

/** AWS is primary again: Azure covers nothing, on no pool. */
function released(state: FailoverState): FailoverState {
  const { azureCapacity: _none, ...rest } = state;
  return { ...rest, coverage: 'none', desiredAzureNodes: 0, pausedShards: [] };
}

/**
 * The operation failed (ARM error, capacity, quota, timeout): never a silent success. A failover the Spot pool
 * refused for capacity asks the deadline safety net first (deadline-fallback.ts), and may move to the on-demand
 * pool in the same phase. Otherwise a failover aborts to a failback (the legal abort edge) with the error in the
 * transition; a failback still ends with AWS primary, marked failed; an adjustment keeps the phase and records the
 * error.
 */
export function failOperation(
  state: FailoverState,
  operationId: string,
  error: FailureDetail,
  now: Date,
  policy: FailoverPolicy,
  observed: Observed = {},
): Step {
  const operation = pendingWithId(state, operationId);
  if (operation === undefined) return { state, actions: [], reason: `operation ${operationId} is no longer pending` };
  const at = now.toISOString();
  const failure = { code: error.code, message: clip(error.message) };
  const { pendingOperation: _failed, ...rest } = state;
  const base: FailoverState = { ...rest, updatedAt: at, lastFailure: { ...failure, at, operationId, purpose: operation.purpose } };
  const purpose = operation.purpose;
  switch (purpose) {
    case 'failover': {
      const verdict = capacityOf(operation) === 'spot' && isCapacityRefusal(failure.code) ? deadlineFallback(observed.status, now, policy) : undefined;
      if (verdict?.placement === 'on-demand') return moveToOnDemand(base, operation, failure, verdict.reason, now, policy);
      const why = verdict === undefined ? '' : ` (deadline: ${verdict.reason})`;
      const reason = `${operation.id}: failover to ${operation.targetNodes} Azure GPU node(s) FAILED with ${failure.code}${failureKind(failure.code)}; aborting back to AWS${why}`;
      const marked = markIncident(base, failure);
      const moved = changePhase(marked, 'failing-back', now, { outcome: 'failed', reason, operationId: operation.id, error: failure });
      const operationSeq = moved.operationSeq + 1;
      const cleanup: PendingOperation = {
        id: `op-${operationSeq}`,
        purpose: 'failback',
        ...withCapacity(capacityOf(operation)),
        targetNodes: 0,
        trainerReplicas: 0,
        requestedBy: `abort:${operation.id}`,
        requestedAt: at,
        stage: 'requested',
        leaseUntil: plusSeconds(now, policy.leaseSeconds).toISOString(),
        putAttempts: 0,
        checks: 0,
      };
      const aborted: FailoverState = { ...moved, desiredAzureNodes: 0, operationSeq, pendingOperation: cleanup };
      return {
        state: verdict?.placement === 'wait' && verdict.recheckAt !== undefined ? recheckDeadlineAt(aborted, verdict.recheckAt, verdict.reason) : aborted,
        actions: [{ kind: 'drive-operation', operationId: cleanup.id }],
        reason,
      };
    }
    case 'adjust': {
      const reason = `${operation.id}: scaling Azure to ${operation.targetNodes} GPU node(s) FAILED with ${failure.code}${failureKind(failure.code)}: ${failure.message}`;
      const kept = observed.poolCount === undefined ? state.desiredAzureNodes : Math.min(state.desiredAzureNodes, observed.poolCount);
      return { state: withNote({ ...base, desiredAzureNodes: kept }, { at, kind: 'operation-failed', message: reason, operationId }), actions: [], reason };
    }
    case 'failback': {
      const reason = `${operation.id}: releasing the Azure GPU pool FAILED with ${failure.code}; AWS is primary, check the pool`;
      const closed = closeIncident(markIncident(base, failure), at, failure);
      const moved = state.phase === 'failing-back' ? changePhase(closed, 'aws-primary', now, { outcome: 'failed', reason, operationId, error: failure }) : closed;
      return { state: released(moved), actions: [], reason };
    }
    default:
      return assertNever(purpose);
  }
}

function markIncident(state: FailoverState, error: FailureDetail): FailoverState {
  const incident = openIncident(state);
  if (incident === undefined) return state;
  return { ...state, incidents: [...state.incidents.slice(0, -1), { ...incident, error }] };
}

function closeIncident(state: FailoverState, at: string, error: FailureDetail | undefined): FailoverState {
  const incident = openIncident(state);
  if (incident === undefined) return state;
  const failed = error ?? incident.error;
  return {
    ...state,
    incidents: appendBounded(
      state.incidents.slice(0, -1),
      { ...incident, closedAt: at, outcome: failed === undefined ? 'recovered' : 'failed', ...(failed === undefined ? {} : { error: failed }) },
      LIMITS.incidents,
    ),
  };
}
