/**
 * The failover decision: (state, signal, run status, policy, now) -> (next state, actions). Pure and exhaustive;
 * reading and writing the state, ARM and Kubernetes calls and queue messages are the caller's job.
 *
 * | signal           | aws-primary              | failing-over / azure-active        | failing-back |
 * |------------------|--------------------------|------------------------------------|--------------|
 * | capacity-lost    | fail over (partial)      | raise the Azure node count         | defer        |
 * | aws-unhealthy    | fail over (full)         | escalate to full, raise the count  | defer        |
 * | aws-silent       | fail over (full)         | escalate to full, raise the count  | defer        |
 * | aws-recovered    | ignore (drops a deferred | fail back once AWS trainers report | ignore       |
 * |                  | failover)                | and the cooldown has passed        |              |
 * | azure-silent     | ignore                   | azure-active on Spot: on-demand if | ignore       |
 * |                  |                          | the deadline needs it (safety net) |              |
 * | run-complete     | ignore                   | fail back at once: nothing is left | ignore       |
 * |                  |                          | to train, Azure GPUs only cost     |              |
 * | checkpoint-flushed, drill: recorded only (drill proves the signed path end to end, it moves nothing)     |
 *
 * A phase change a signal asks for is made only when the current phase is at least `minPhaseDurationSeconds` old;
 * a signal that comes earlier is DEFERRED, not dropped: it is kept in `deferredSignal` and a continuation
 * re-evaluates it at `notBefore` against the state and run status of that time. Dropping it would lose the only
 * copy (AWS sends each event once; the aggregator sends aws-silent once per silence). The latest deferred signal
 * wins. Completions of pool operations (failing-over -> azure-active, failing-back -> aws-primary, and the abort
 * failing-over -> failing-back of a failed operation) are not limited: they confirm what already happened.
 */
import type { RunStatus } from '../../../protocol/run-status';
import type { Signal } from '../../../protocol/signal';
import { capacityNeed, fullCoverPlan } from './coverage';
import type { FailoverPolicy } from './policy';
import {
  appendBounded,
  LIMITS,
  openIncident,
  type FailoverState,
} from './state';
import { assertNever, ignore, type Decision, type EvaluationContext, type SignalIntent } from './decision';
import { cover } from './failover-moves';
import { recover, releaseAfterRun } from './failback-moves';
import { coverOnDemand } from './safety-net-moves';

export type { BrainAction, Decision, DecisionOutcome, SignalIntent } from './decision';
export { phaseChangeNotBefore } from './decision';
export { changePhase } from './transition';

/** Decides what one signal does to the failover state. Duplicates (seen ids) change nothing. */
export function decide(state: FailoverState, signal: Signal, status: RunStatus | undefined, policy: FailoverPolicy, now: Date): Decision {
  if (signal.runId !== state.runId) throw new RangeError(`signal for run ${signal.runId} given to the state of run ${state.runId}`);
  if (state.seenSignalIds.includes(signal.id)) {
    return { outcome: 'duplicate', state, actions: [], reason: `signal ${signal.id} was acted on before` };
  }
  const seen: FailoverState = {
    ...state,
    seenSignalIds: appendBounded(state.seenSignalIds, signal.id, LIMITS.seenSignalIds),
    updatedAt: now.toISOString(),
  };
  const type = signal.type;
  switch (type) {
    case 'checkpoint-flushed':
      return {
        outcome: 'recorded',
        state: seen,
        actions: [],
        reason: `checkpoint flushed on ${signal.instanceIds?.join(', ') || 'no named instance'}: recorded, no phase change`,
      };
    case 'drill':
      return { outcome: 'recorded', state: seen, actions: [], reason: 'drill signal: the signed path works; no phase change' };
    case 'capacity-lost':
    case 'aws-unhealthy':
    case 'aws-silent':
    case 'aws-recovered':
    case 'azure-silent':
    case 'run-complete':
      return evaluate(seen, { id: signal.id, type, ...(signal.instanceIds === undefined ? {} : { instanceIds: signal.instanceIds }) }, {
        policy,
        status,
        now,
        checks: 0,
      });
    default:
      return assertNever(type);
  }
}

/**
 * Re-evaluates the deferred signal `signalId` (a continuation fired). A stale id changes nothing; one that is
 * still early is re-scheduled for its `notBefore`.
 */
export function reconsiderDeferred(
  state: FailoverState,
  signalId: string,
  status: RunStatus | undefined,
  policy: FailoverPolicy,
  now: Date,
): Decision {
  const deferred = state.deferredSignal;
  if (deferred === undefined || deferred.id !== signalId) {
    return { outcome: 'ignored', state, actions: [], reason: `signal ${signalId} is no longer deferred` };
  }
  if (now.getTime() < Date.parse(deferred.notBefore)) {
    return {
      outcome: 'deferred',
      state,
      actions: [{ kind: 'schedule-deferred', signalId, notBefore: deferred.notBefore }],
      reason: `signal ${signalId} waits until ${deferred.notBefore}`,
    };
  }
  const { deferredSignal: _dropped, ...rest } = state;
  const base: FailoverState = { ...rest, updatedAt: now.toISOString() };
  const intent: SignalIntent = { id: deferred.id, type: deferred.type, ...(deferred.instanceIds === undefined ? {} : { instanceIds: deferred.instanceIds }) };
  return evaluate(base, intent, { policy, status, now, checks: deferred.checks + 1, receivedAt: deferred.receivedAt });
}

function evaluate(state: FailoverState, intent: SignalIntent, context: EvaluationContext): Decision {
  const { policy, status } = context;
  const type = intent.type;
  switch (type) {
    case 'capacity-lost': {
      if (policy.maxAzureNodes === 0) return ignore(state, intent, 'SPOTON_MAX_AZURE_NODES is 0: Azure cannot take over');
      // Spot warnings for one reclaim arrive as separate signals, faster than status.json changes: the incident
      // remembers every instance lost so far, so the second and third warnings raise the cover.
      const lost = [...new Set([...(openIncident(state)?.lostInstanceIds ?? []), ...(intent.instanceIds ?? [])])];
      const need = capacityNeed(status, lost, policy);
      if (need === 0) return ignore(state, intent, `AWS keeps at least ${policy.minAwsTrainers} trainers: nothing to cover`);
      return cover(state, intent, 'partial', need, [], context);
    }
    case 'aws-unhealthy':
    case 'aws-silent': {
      if (policy.maxAzureNodes === 0) return ignore(state, intent, 'SPOTON_MAX_AZURE_NODES is 0: Azure cannot take over');
      const plan = fullCoverPlan(status, policy);
      return cover(state, intent, 'full', plan.nodes, plan.pausedShards, context);
    }
    case 'aws-recovered':
      return recover(state, intent, context);
    case 'azure-silent':
      return coverOnDemand(state, intent, context);
    case 'run-complete':
      return releaseAfterRun(state, intent, context);
    default:
      return assertNever(type);
  }
}

