/** The moves back to AWS: fail back once AWS trainers report again, or release Azure when the run is complete. */
import { openIncident, withNote, type FailoverState } from './state';
import { assertNever, defer, ignore, later, phaseChangeNotBefore, plusSeconds, supersedeDeferred, type Decision, type EvaluationContext, type SignalIntent } from './decision';
import { changePhase, newOperation } from './transition';

export function recover(state: FailoverState, intent: SignalIntent, context: EvaluationContext): Decision {
  const { policy, status, now } = context;
  const phase = state.phase;
  switch (phase) {
    case 'aws-primary': {
      const deferred = state.deferredSignal;
      if (deferred === undefined) return ignore(state, intent, 'AWS is primary already');
      const { deferredSignal: _dropped, ...rest } = state;
      const reason = `${intent.type} ${intent.id}: AWS recovered, the deferred ${deferred.type} ${deferred.id} is dropped`;
      return {
        outcome: 'applied',
        state: withNote(rest, { at: now.toISOString(), kind: 'superseded', message: reason, signalId: deferred.id }),
        actions: [],
        reason,
      };
    }
    case 'failing-back':
      return ignore(state, intent, 'a failback is in progress already');
    case 'failing-over':
    case 'azure-active': {
      const required = Math.max(1, policy.minAwsTrainers);
      const reporting = status?.reporting.aws ?? 0;
      if (reporting < required) {
        return defer(state, intent, plusSeconds(now, policy.recheckSeconds), `waiting for ${required} AWS trainer${required === 1 ? '' : 's'} to report (${reporting} do)`, context);
      }
      const incidentStart = new Date(openIncident(state)?.openedAt ?? state.phaseSince);
      const notBefore = later(plusSeconds(incidentStart, policy.failbackCooldownSeconds), phaseChangeNotBefore(state, policy));
      if (now < notBefore) {
        return defer(state, intent, notBefore, `failback cooldown (${policy.failbackCooldownSeconds} s after the failover began) and minimum phase duration`, context);
      }
      return startFailback(state, intent, context);
    }
    default:
      return assertNever(phase);
  }
}

/**
 * The aggregator committed the last round: the Azure GPU nodes have nothing left to train, so they are released
 * without waiting for AWS trainers (there will be none) or the failback cooldown (there is nothing to flap back to).
 */
export function releaseAfterRun(state: FailoverState, intent: SignalIntent, context: EvaluationContext): Decision {
  const phase = state.phase;
  switch (phase) {
    case 'aws-primary':
      return ignore(state, intent, 'the run is complete and Azure holds no capacity');
    case 'failing-back':
      return ignore(state, intent, 'the run is complete; the failback in progress releases Azure');
    case 'failing-over':
    case 'azure-active': {
      const notBefore = phaseChangeNotBefore(state, context.policy);
      if (context.now < notBefore) return defer(state, intent, notBefore, 'minimum phase duration', context);
      return startFailback(state, intent, context);
    }
    default:
      return assertNever(phase);
  }
}

function startFailback(state: FailoverState, intent: SignalIntent, context: EvaluationContext): Decision {
  const at = context.now.toISOString();
  const { operation, operationSeq } = newOperation(state, 'failback', 0, intent.id, context);
  const aborting = state.phase === 'failing-over';
  const why = intent.type === 'run-complete' ? 'the run is complete' : 'AWS trainers report again';
  const reason = `${intent.type} ${intent.id}: ${why}; ${aborting ? 'abort the failover and ' : ''}fail back, Azure to 0 nodes`;
  const { deferredSignal: _dropped, ...rest } = supersedeDeferred(state, intent, at);
  const moved = changePhase(rest, 'failing-back', context.now, { outcome: 'started', reason, signalId: intent.id, operationId: operation.id });
  return {
    outcome: 'applied',
    state: { ...moved, desiredAzureNodes: 0, operationSeq, pendingOperation: operation },
    actions: [{ kind: 'drive-operation', operationId: operation.id }],
    reason,
  };
}
