/** A phase change and the pool operation a move starts: the two state changes every move is made of. */
import {
  appendBounded,
  clip,
  IllegalPhaseChangeError,
  isLegalPhaseChange,
  LIMITS,
  type FailoverState,
  type Phase,
  type PendingOperation,
} from './state';
import { plusSeconds, type EvaluationContext } from './decision';

export function newOperation(
  state: FailoverState,
  purpose: PendingOperation['purpose'],
  targetNodes: number,
  requestedBy: string,
  context: EvaluationContext,
): { operation: PendingOperation; operationSeq: number } {
  const operationSeq = state.operationSeq + 1;
  return {
    operationSeq,
    operation: {
      id: `op-${operationSeq}`,
      purpose,
      // The pool Azure's cover is on: a failback or an adjustment under the safety net scales the on-demand pool.
      ...(state.azureCapacity === undefined ? {} : { capacity: state.azureCapacity }),
      targetNodes,
      trainerReplicas: targetNodes,
      requestedBy,
      requestedAt: context.now.toISOString(),
      stage: 'requested',
      leaseUntil: plusSeconds(context.now, context.policy.leaseSeconds).toISOString(),
      putAttempts: 0,
      checks: 0,
    },
  };
}

/** A phase change: epoch + 1 and a transition record. Throws on a change LEGAL_PHASE_CHANGES does not list (a bug). */
export function changePhase(
  state: FailoverState,
  to: Phase,
  now: Date,
  record: { outcome: 'started' | 'completed' | 'failed'; reason: string; signalId?: string; operationId?: string; error?: { code: string; message: string } },
): FailoverState {
  if (!isLegalPhaseChange(state.phase, to)) throw new IllegalPhaseChangeError(state.phase, to);
  const epoch = state.epoch + 1;
  const at = now.toISOString();
  return {
    ...state,
    phase: to,
    epoch,
    phaseSince: at,
    updatedAt: at,
    transitions: appendBounded(
      state.transitions,
      {
        at,
        epoch,
        from: state.phase,
        to,
        outcome: record.outcome,
        reason: clip(record.reason),
        ...(record.signalId === undefined ? {} : { signalId: record.signalId }),
        ...(record.operationId === undefined ? {} : { operationId: record.operationId }),
        ...(record.error === undefined ? {} : { error: { code: record.error.code, message: clip(record.error.message) } }),
      },
      LIMITS.transitions,
    ),
  };
}

