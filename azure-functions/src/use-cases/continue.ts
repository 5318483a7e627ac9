/**
 * The continuation use case: one look per queue message. For an operation: read the pool, then wait (re-queue
 * with backoff), complete (scale the trainers, then record the phase change), read the failure (resume token) or
 * PUT again (the pool is not at the target, e.g. the first PUT never happened because its writer crashed). For a
 * deferred signal: re-evaluate it against the state and run status of now.
 */
import { ArmRefusedError } from '../adapters/agent-pool';
import type { ContinuationMessage } from '../domain/continuation-message';
import { reconsiderDeferred, type BrainAction } from '../domain/decide';
import {
  assessPool,
  completeOperation,
  failOperation,
  isTimedOut,
  pendingWithId,
  recordWait,
  withPoolReady,
  type Step,
} from '../domain/operation';
import { describePool } from '../domain/pool-target';
import { openIncident, type FailoverState, type FailureDetail, type PendingOperation } from '../domain/state';
import { TrainerScaleError } from '../errors';
import { executeActions, putAndRecord, queueOperationCheck, safetyNetStatus } from './actions';
import { poolOf, tracingOf, type BrainLog, type BrainServices } from './services';
import { mutateState } from './state-mutation';

/** What one continuation did. */
export type ContinuationOutcome =
  | 'stale'
  | 'waiting'
  | 'completed'
  | 'failed'
  | 'put-again'
  | 'reconsidered'
  | 'still-deferred';

export interface ContinuationResult {
  readonly outcome: ContinuationOutcome;
  readonly reason: string;
  readonly state?: FailoverState;
}

type StepFunction = (current: FailoverState, now: Date) => Step;

/** Commits a pure step with compare-and-swap, then carries out its actions. */
async function commit(services: BrainServices, step: StepFunction, log: BrainLog): Promise<{ state: FailoverState; reason: string }> {
  const committed = await mutateState(services, services.settings.runId, (current, now) => {
    const result = step(current, now);
    return { state: result.state, result: { actions: result.actions, reason: result.reason } };
  });
  const report = await executeActions(services, committed.state, committed.result.actions, log);
  return { state: report.state, reason: committed.result.reason };
}

async function fail(services: BrainServices, operation: PendingOperation, error: FailureDetail, log: BrainLog, poolCount?: number): Promise<ContinuationResult> {
  const operationId = operation.id;
  log.error('pool operation failed', { operationId, code: error.code, message: error.message });
  const status = await safetyNetStatus(services, operation);
  const observed = { ...(poolCount === undefined ? {} : { poolCount }), ...(status === undefined ? {} : { status }) };
  const done = await commit(services, (current, now) => failOperation(current, operationId, error, now, services.settings.policy, observed), log);
  return { outcome: 'failed', reason: done.reason, state: done.state };
}

async function wait(
  services: BrainServices,
  message: Extract<ContinuationMessage, { kind: 'operation' }>,
  observation: string,
  log: BrainLog,
  poolReadyAt?: string,
): Promise<ContinuationResult> {
  const done = await commit(services, (current, now) => {
    const step = recordWait(current, message.operationId, observation, now, services.settings.policy);
    return poolReadyAt === undefined ? step : withPoolReady(step, message.operationId, poolReadyAt);
  }, log);
  if (pendingWithId(done.state, message.operationId) === undefined) return { outcome: 'failed', reason: done.reason, state: done.state };
  await queueOperationCheck(services, message.operationId, message.attempt + 1);
  return { outcome: 'waiting', reason: observation, state: done.state };
}

/** Handles one continuation message for this run. */
export async function continueWork(services: BrainServices, message: ContinuationMessage, log: BrainLog): Promise<ContinuationResult> {
  const kind = message.kind;
  switch (kind) {
    case 'operation':
      return continueOperation(services, message, log);
    case 'deferred':
      return continueDeferred(services, message, log);
    default: {
      const unreachable: never = kind;
      throw new Error(`unhandled continuation ${JSON.stringify(unreachable)}`);
    }
  }
}

async function continueOperation(services: BrainServices, message: Extract<ContinuationMessage, { kind: 'operation' }>, log: BrainLog): Promise<ContinuationResult> {
  const { runId, policy } = services.settings;
  const stored = await services.stateStore.read(runId);
  const operation = stored === undefined ? undefined : pendingWithId(stored.state, message.operationId);
  if (stored === undefined || operation === undefined) {
    return { outcome: 'stale', reason: `operation ${message.operationId} is no longer pending`, ...(stored === undefined ? {} : { state: stored.state }) };
  }

  let pool;
  try {
    pool = await poolOf(services, operation).read();
  } catch (error) {
    if (error instanceof ArmRefusedError) return fail(services, operation, { code: error.code, message: error.message }, log);
    throw error;
  }
  const now = services.clock();
  const step = assessPool(operation, pool);
  const seen = describePool(pool);
  if (step !== 'complete' && isTimedOut(operation, now, policy)) {
    return fail(services, operation, { code: 'OperationTimedOut', message: `the pool did not reach ${operation.targetNodes} node(s) within ${policy.operationTimeoutSeconds} s (last seen: ${seen})` }, log, pool.count);
  }
  log.info('continuation looked at the pool', { operationId: operation.id, attempt: message.attempt, pool: seen, step });

  switch (step) {
    case 'wait':
      return wait(services, message, `operation running: ${seen}`, log);
    case 'complete':
      return complete(services, stored.state, operation, message, seen, log);
    case 'inspect-failure': {
      const check = await poolOf(services, operation).checkOperation(operation.resumeToken ?? '');
      if (check.status === 'failed') return fail(services, operation, check.error, log, pool.count);
      if (check.status === 'running') return wait(services, message, `pool shows Failed but its operation still runs: ${seen}`, log);
      return putAgain(services, stored.state, operation, message, seen, log);
    }
    case 'put':
      return putAgain(services, stored.state, operation, message, seen, log);
    default: {
      const unreachable: never = step;
      throw new Error(`unhandled step ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * The pool is at the target: start (or stop) the trainers, then record the completed phase. A failover completes
 * only once its trainers are ready; until then the continuation keeps looking, within the operation timeout.
 *
 * Each step of the incident's critical path becomes a span of the operation's trace when it is over: the pool
 * scaled (from the accepted PUT), the trainers ready (from the pool's readiness), the failback (from its request, in
 * the incident's trace).
 */
async function complete(
  services: BrainServices,
  state: FailoverState,
  operation: PendingOperation,
  message: Extract<ContinuationMessage, { kind: 'operation' }>,
  seen: string,
  log: BrainLog,
): Promise<ContinuationResult> {
  const failback = operation.purpose === 'failback';
  const tracing = tracingOf(services);
  const poolReadyAt = operation.poolReadyAt ?? services.clock().toISOString();
  const attributes = { operationId: operation.id, targetNodes: operation.targetNodes };
  if (!failback && operation.poolReadyAt === undefined) {
    tracing.record('pool scaled', { component: 'arm', step: 'pool-scaled', parent: operation.traceparent, startTime: new Date(operation.submittedAt ?? operation.requestedAt), endTime: new Date(poolReadyAt), attributes });
  }
  // Idempotent: if the commit below loses to a crash, the next delivery of this message scales to the same count.
  try {
    await services.trainers.scale(failback ? 0 : operation.trainerReplicas);
    if (!failback && operation.trainerReplicas > 0) {
      const ready = await services.trainers.readyReplicas();
      if (ready < operation.trainerReplicas) {
        const observation = `pool ready (${seen}); ${ready}/${operation.trainerReplicas} trainer(s) ready`;
        if (isTimedOut(operation, services.clock(), services.settings.policy)) {
          return fail(services, operation, { code: 'TrainersNotReady', message: `${observation} after ${services.settings.policy.operationTimeoutSeconds} s: pods Pending (GPU device plugin, node capacity?)` }, log);
        }
        return wait(services, message, observation, log, poolReadyAt);
      }
    }
  } catch (error) {
    if (!(error instanceof TrainerScaleError)) throw error;
    // The Kubernetes API refused for good (missing Deployment, no RBAC): nodes without trainers are no failover.
    if (!failback) return fail(services, operation, { code: 'TrainerScaleFailed', message: error.message }, log);
    log.error('could not stop the Azure trainers; the pool is released anyway', { operationId: operation.id, error: error.message });
  }
  const done = await commit(services, (current, now) => completeOperation(current, operation.id, seen, now), log);
  log.info('pool operation completed', { operationId: operation.id, phase: done.state.phase, epoch: done.state.epoch });
  const endTime = services.clock();
  if (failback) {
    const incident = openIncident(state)?.traceparent;
    tracing.record('failback', { component: 'brain', step: 'failback', parent: incident ?? operation.traceparent, links: incident === undefined ? [] : [operation.traceparent], startTime: new Date(operation.requestedAt), endTime, attributes });
  } else if (operation.trainerReplicas > 0) {
    tracing.record('trainers ready', { component: 'kubernetes', step: 'trainers-ready', parent: operation.traceparent, startTime: new Date(poolReadyAt), endTime, attributes: { ...attributes, replicas: operation.trainerReplicas } });
  }
  return { outcome: 'completed', reason: done.reason, state: done.state };
}

/** The pool is idle but not at the target: PUT (again), within the attempt budget. */
async function putAgain(
  services: BrainServices,
  state: FailoverState,
  operation: PendingOperation,
  message: Extract<ContinuationMessage, { kind: 'operation' }>,
  seen: string,
  log: BrainLog,
): Promise<ContinuationResult> {
  const { maxPutAttempts } = services.settings.policy;
  if (operation.putAttempts >= maxPutAttempts) {
    const lastFailed = /^failed/i.test(seen);
    return fail(services, operation, {
      code: lastFailed ? 'ProvisioningFailed' : 'PoolTargetNotReached',
      message: `after ${operation.putAttempts} PUT(s) the pool shows ${seen}, not ${operation.targetNodes} node(s)`,
    }, log);
  }
  const driven = await putAndRecord(services, state, operation.id, log);
  const report = await executeActions(services, driven.state, driven.actions, log);
  const result = driven.result;
  if (result?.kind === 'rejected') return { outcome: 'failed', reason: `${result.error.code}: ${result.error.message}`, state: report.state };
  if (pendingWithId(report.state, operation.id) !== undefined) {
    await queueOperationCheck(services, operation.id, message.attempt + 1, result?.kind === 'busy' ? (result.retryAfterSeconds ?? 0) : 0);
  }
  return { outcome: 'put-again', reason: `pool was ${seen}; PUT: ${result?.kind ?? 'operation no longer pending'}`, state: report.state };
}

async function continueDeferred(services: BrainServices, message: Extract<ContinuationMessage, { kind: 'deferred' }>, log: BrainLog): Promise<ContinuationResult> {
  const { runId, policy } = services.settings;
  const statusRead = await services.runStatus.read(runId);
  const committed = await mutateState(services, runId, (current, now) => {
    const decision = reconsiderDeferred(current, message.signalId, statusRead.status, policy, now);
    return { state: decision.state, result: decision };
  });
  const decision = committed.result;
  log.info('deferred signal reconsidered', { signalId: message.signalId, outcome: decision.outcome, reason: decision.reason });
  // A still-early signal comes back as a schedule-deferred action: it re-queues itself.
  const actions: BrainAction[] = [...decision.actions];
  const report = await executeActions(services, committed.state, actions, log);
  if (decision.outcome === 'ignored' && !committed.written) {
    return { outcome: 'stale', reason: decision.reason, state: report.state };
  }
  return { outcome: decision.outcome === 'deferred' ? 'still-deferred' : 'reconsidered', reason: decision.reason, state: report.state };
}
