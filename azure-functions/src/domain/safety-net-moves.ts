/**
 * The state changes of the deadline safety net (deadline-fallback.ts decides, these apply): a refused Spot failover
 * moved to the on-demand pool, an aborted one kept for a deadline re-check, and Azure's cover moved to on-demand
 * when its Spot trainers went silent (azure-silent).
 */
import { deadlineFallback } from './deadline-fallback';
import { defer, ignore, plusSeconds, type Decision, type EvaluationContext, type SignalIntent } from './decision';
import { newOperation } from './transition';
import type { Step } from './operation';
import type { FailoverPolicy } from './policy';
import {
  ActionableSignalTypeSchema,
  clip,
  openIncident,
  withNote,
  type Capacity,
  type FailoverState,
  type FailureDetail,
  type PendingOperation,
} from './state';

/** `capacity` as an operation field: Spot is the default and is left out (documents from before the safety net). */
export function withCapacity(capacity: Capacity): { capacity?: Capacity } {
  return capacity === 'spot' ? {} : { capacity };
}

/**
 * The safety net acts: the same failover, now on the on-demand pool. No phase change (no new epoch, so no update in
 * flight is refused). The refusal is in lastFailure and the note, not the incident: the failover itself goes on. The
 * shell releases the Spot pool's raised count first.
 */
export function moveToOnDemand(state: FailoverState, refused: PendingOperation, failure: FailureDetail, why: string, now: Date, policy: FailoverPolicy): Step {
  const at = now.toISOString();
  const operationSeq = state.operationSeq + 1;
  const operation: PendingOperation = {
    id: `op-${operationSeq}`,
    purpose: 'failover',
    capacity: 'on-demand',
    targetNodes: refused.targetNodes,
    trainerReplicas: refused.trainerReplicas,
    requestedBy: `safety-net:${refused.id}`,
    requestedAt: at,
    stage: 'requested',
    leaseUntil: plusSeconds(now, policy.leaseSeconds).toISOString(),
    putAttempts: 0,
    checks: 0,
  };
  const reason = `${refused.id}: the Azure Spot pool refused ${refused.targetNodes} node(s) with ${failure.code}; deadline safety net: ${operation.id} moves the failover to on-demand capacity (${why})`;
  return {
    state: withNote({ ...state, azureCapacity: 'on-demand', operationSeq, pendingOperation: operation }, { at, kind: 'safety-net', message: reason, operationId: operation.id }),
    actions: [{ kind: 'drive-operation', operationId: operation.id }],
    reason,
  };
}

/**
 * Keeps the incident's signal to re-evaluate when the run would fall behind its deadline: once AWS is primary again,
 * the continuation finds it (completeOperation schedules a deferred signal), and a failover that Spot refuses then
 * meets the safety net with the run behind its line.
 */
export function recheckDeadlineAt(state: FailoverState, recheckAt: Date, why: string): FailoverState {
  const incident = openIncident(state);
  const type = ActionableSignalTypeSchema.safeParse(incident?.cause);
  if (incident === undefined || !type.success || state.deferredSignal !== undefined) return state;
  return {
    ...state,
    deferredSignal: {
      id: incident.id,
      type: type.data,
      receivedAt: incident.openedAt,
      notBefore: recheckAt.toISOString(),
      ...(incident.lostInstanceIds === undefined ? {} : { instanceIds: [...incident.lostInstanceIds] }),
      checks: 0,
      reason: clip(`re-check the deadline: ${why}`),
    },
  };
}

/**
 * azure-silent: Azure is covering on Spot and its trainers went quiet (the pool was evicted; AKS brings Spot nodes
 * back only when capacity returns). Behind its deadline line, the run moves its cover to the on-demand pool (an
 * adjustment: no phase change, no new epoch; the shell releases the Spot pool first). Ahead of it, the signal waits
 * until the run would fall behind, and is over once Azure trainers report again.
 */
export function coverOnDemand(state: FailoverState, intent: SignalIntent, context: EvaluationContext): Decision {
  const { status, now, policy } = context;
  if (state.phase !== 'azure-active') return ignore(state, intent, `the brain is ${state.phase}: Azure is not covering on its own`);
  if (state.azureCapacity === 'on-demand') return ignore(state, intent, 'Azure already covers on on-demand capacity');
  const reporting = status?.reporting.azure ?? 0;
  if (context.checks > 0 && reporting >= Math.max(1, state.desiredAzureNodes)) {
    return ignore(state, intent, `Azure trainers report again (${reporting} of ${state.desiredAzureNodes}): the silence is over`);
  }
  // Only one signal waits at a time (the newest wins): this one must not push out a waiting aws-recovered.
  const other = state.deferredSignal !== undefined && state.deferredSignal.id !== intent.id ? state.deferredSignal : undefined;
  const later = (notBefore: Date, why: string) =>
    other === undefined ? defer(state, intent, notBefore, why, context) : ignore(state, intent, `${why}; the deferred ${other.type} ${other.id} keeps its place`);
  if (state.pendingOperation !== undefined) return later(plusSeconds(now, policy.recheckSeconds), `operation ${state.pendingOperation.id} is under way`);
  const verdict = deadlineFallback(status, now, policy);
  if (verdict.placement === 'wait') {
    if (verdict.recheckAt === undefined) return ignore(state, intent, `the Spot pool brings its nodes back when capacity returns (${verdict.reason})`);
    return later(verdict.recheckAt, `safety net: wait for Azure Spot while ahead of the deadline (${verdict.reason})`);
  }
  const at = now.toISOString();
  const moved: FailoverState = { ...state, azureCapacity: 'on-demand', updatedAt: at };
  const { operation, operationSeq } = newOperation(moved, 'adjust', state.desiredAzureNodes, intent.id, context);
  const reason = `${intent.type} ${intent.id}: Azure's Spot trainers went silent; deadline safety net: ${operation.id} moves the cover (${state.desiredAzureNodes} node(s)) to on-demand capacity (${verdict.reason})`;
  const next = withNote({ ...moved, operationSeq, pendingOperation: operation }, { at, kind: 'safety-net', message: reason, signalId: intent.id, operationId: operation.id });
  return { outcome: 'applied', state: next, actions: [{ kind: 'drive-operation', operationId: operation.id }], reason };
}
