/**
 * The signal use case, after the HTTP edge has checked size, signature and schema: read the run status, decide
 * with compare-and-swap (the intent is durable before any ARM call), then carry out the actions.
 */
import type { Signal } from '../../../protocol/signal';
import { decide, type BrainAction, type DecisionOutcome } from '../domain/decide';
import { redrive } from '../domain/operation';
import type { FailoverState } from '../domain/state';
import { isRetryable, messageOf } from '../errors';
import { executeActions, type DriveReport } from './actions';
import type { BrainLog, BrainServices } from './services';
import { mutateState } from './state-mutation';

export interface SignalResult {
  readonly outcome: DecisionOutcome;
  readonly reason: string;
  readonly state: FailoverState;
  readonly drives: readonly DriveReport[];
  /** Deferred signals whose re-evaluation was queued. */
  readonly scheduled: readonly string[];
  /** Why the run status could not be used, if it could not. */
  readonly statusProblem?: string;
}

/** Decides about one verified, valid signal for this run and carries out the decision. */
export async function handleSignal(services: BrainServices, signal: Signal, log: BrainLog): Promise<SignalResult> {
  const { runId, policy } = services.settings;
  const statusRead = await services.runStatus.read(runId);
  const statusProblem = statusRead.status === undefined ? statusRead.problem : undefined;
  if (statusProblem !== undefined) log.warn('deciding without a run status', { runId, problem: statusProblem });

  const decided = await mutateState(services, runId, (current, now) => {
    const decision = decide(current, signal, statusRead.status, policy, now);
    // An intent whose writer crashed (lease expired, never confirmed) is taken over by whoever comes next.
    const takeover = decision.actions.some((action) => action.kind === 'drive-operation') ? undefined : redrive(decision.state, now, policy);
    const actions: BrainAction[] = [...decision.actions, ...(takeover?.actions ?? []), ...requeueDeferred(decision.state, signal.id, decision.outcome, now, policy.leaseSeconds)];
    return { state: takeover?.state ?? decision.state, result: { decision, actions } };
  });
  const { decision, actions } = decided.result;
  log.info('signal decided', {
    signalId: signal.id,
    type: signal.type,
    outcome: decision.outcome,
    reason: decision.reason,
    phase: decided.state.phase,
    epoch: decided.state.epoch,
    casAttempts: decided.attempts,
  });

  try {
    const report = await executeActions(services, decided.state, actions, log);
    return {
      outcome: decision.outcome,
      reason: decision.reason,
      state: report.state,
      drives: report.drives,
      scheduled: report.scheduled,
      ...(statusProblem === undefined ? {} : { statusProblem }),
    };
  } catch (error) {
    const driven = actions.flatMap((action) => (action.kind === 'drive-operation' ? [action.operationId] : []));
    if (isRetryable(error) && driven.length > 0) await releaseLease(services, driven, log);
    throw error;
  }
}

/**
 * A redelivered signal that is still deferred queues its re-evaluation again: the first delivery may have died
 * (or answered 503) before its deferred continuation was queued. Not within the lease, to spare concurrent copies.
 */
function requeueDeferred(state: FailoverState, signalId: string, outcome: DecisionOutcome, now: Date, leaseSeconds: number): BrainAction[] {
  const deferred = state.deferredSignal;
  if (outcome !== 'duplicate' || deferred?.id !== signalId) return [];
  if (now.getTime() - Date.parse(deferred.receivedAt) < leaseSeconds * 1000) return [];
  return [{ kind: 'schedule-deferred', signalId, notBefore: deferred.notBefore }];
}

/**
 * The continuation could not be queued, so this invocation gives up driving: it drops its lease (best effort) so
 * that the AWS retry of this signal, answered 503, takes the intent over at once.
 */
async function releaseLease(services: BrainServices, operationIds: readonly string[], log: BrainLog): Promise<void> {
  try {
    await mutateState(services, services.settings.runId, (current) => {
      const operation = current.pendingOperation;
      if (operation === undefined || !operationIds.includes(operation.id) || operation.stage !== 'requested' || operation.leaseUntil === undefined) {
        return { state: current, result: undefined };
      }
      const { leaseUntil: _released, ...rest } = operation;
      return { state: { ...current, pendingOperation: rest }, result: undefined };
    });
  } catch (error) {
    log.warn('could not release the lease; it expires on its own', { error: messageOf(error) });
  }
}
