/**
 * The vocabulary of the failover decision (decide.ts): what a decision returns, the context a signal is evaluated
 * in, and the verdicts every move may end in (ignore, defer).
 */
import type { RunStatus } from '../../../protocol/run-status';
import type { FailoverPolicy } from './policy';
import {
  clip,
  withNote,
  type ActionableSignalType,
  type Coverage,
  type FailoverState,
} from './state';

/** What became of a signal. */
export type DecisionOutcome = 'duplicate' | 'recorded' | 'applied' | 'deferred' | 'ignored';

/** I/O the caller carries out after the state is written. */
export type BrainAction =
  /** Drive the pending operation: (failback: scale trainers to 0), PUT the pool, queue a continuation. */
  | { readonly kind: 'drive-operation'; readonly operationId: string }
  /** Queue a continuation that re-evaluates the deferred signal at `notBefore`. */
  | { readonly kind: 'schedule-deferred'; readonly signalId: string; readonly notBefore: string };

export interface Decision {
  readonly outcome: DecisionOutcome;
  readonly state: FailoverState;
  readonly actions: readonly BrainAction[];
  readonly reason: string;
}

/** The part of a signal the policy looks at (also what a deferred signal keeps). */
export interface SignalIntent {
  readonly id: string;
  readonly type: ActionableSignalType;
  readonly instanceIds?: readonly string[];
}

export function assertNever(value: never): never {
  throw new Error(`unhandled value ${JSON.stringify(value)}`);
}

export const COVERAGE_RANK: Readonly<Record<Coverage, number>> = { none: 0, partial: 1, full: 2 };

export const plusSeconds = (date: Date, seconds: number): Date => new Date(date.getTime() + seconds * 1000);
export const later = (a: Date, b: Date): Date => (a.getTime() >= b.getTime() ? a : b);

/**
 * The earliest time a signal may change the phase: the phase must be minPhaseDuration old. The very first phase
 * (epoch 0, the brain never acted) is not limited: nothing could flap yet.
 */
export function phaseChangeNotBefore(state: FailoverState, policy: FailoverPolicy): Date {
  if (state.epoch === 0) return new Date(0);
  return plusSeconds(new Date(state.phaseSince), policy.minPhaseDurationSeconds);
}

export interface EvaluationContext {
  readonly policy: FailoverPolicy;
  readonly status: RunStatus | undefined;
  readonly now: Date;
  /** Re-evaluations of this signal so far (0 for a fresh one). */
  readonly checks: number;
  /** When the signal first arrived (a re-evaluated deferred signal keeps its first arrival). */
  readonly receivedAt?: string;
}

export function ignore(state: FailoverState, intent: SignalIntent, reason: string): Decision {
  return { outcome: 'ignored', state, actions: [], reason: `${intent.type} ${intent.id}: ${reason}` };
}

export function defer(state: FailoverState, intent: SignalIntent, notBefore: Date, why: string, context: EvaluationContext): Decision {
  const at = context.now.toISOString();
  if (context.checks > context.policy.maxDeferredChecks) {
    const reason = `${intent.type} ${intent.id} dropped after ${context.checks - 1} re-evaluations: ${why}`;
    return { outcome: 'ignored', state: withNote(state, { at, kind: 'expired', message: reason, signalId: intent.id }), actions: [], reason };
  }
  let next = supersedeDeferred(state, intent, at);
  const reason = `${intent.type} ${intent.id} deferred until ${notBefore.toISOString()}: ${why}`;
  if (context.checks === 0) next = withNote(next, { at, kind: 'deferred', message: reason, signalId: intent.id });
  next = {
    ...next,
    deferredSignal: {
      id: intent.id,
      type: intent.type,
      receivedAt: context.receivedAt ?? at,
      notBefore: notBefore.toISOString(),
      ...(intent.instanceIds === undefined ? {} : { instanceIds: [...intent.instanceIds] }),
      checks: context.checks,
      reason: clip(why),
    },
  };
  return { outcome: 'deferred', state: next, actions: [{ kind: 'schedule-deferred', signalId: intent.id, notBefore: notBefore.toISOString() }], reason };
}

/** Drops a deferred signal other than `intent` (the newer signal wins), with a note. */
export function supersedeDeferred(state: FailoverState, intent: SignalIntent, at: string): FailoverState {
  const old = state.deferredSignal;
  if (old === undefined || old.id === intent.id) return state;
  const { deferredSignal: _dropped, ...rest } = state;
  return withNote(rest, {
    at,
    kind: 'superseded',
    message: `deferred ${old.type} ${old.id} superseded by ${intent.type} ${intent.id}`,
    signalId: old.id,
  });
}

