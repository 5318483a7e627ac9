/**
 * The state changes of the deadline safety net (deadline-fallback.ts decides, these apply): a refused Spot failover
 * moved to the on-demand pool, or an aborted one kept for a deadline re-check.
 */
import { plusSeconds } from './decision';
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
