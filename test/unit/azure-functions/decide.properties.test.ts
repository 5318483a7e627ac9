/**
 * Properties of the failover state machine over random histories: signals (with repeated ids, in any order, at any
 * pace), deferred re-evaluations, and the outcomes of pool operations (accepted, busy, rejected, still running,
 * done, failed, abandoned and re-driven).
 */
import fc from 'fast-check';
import { SIGNAL_TYPES } from '../../../protocol/signal';
import { decide, reconsiderDeferred, type BrainAction } from '../../../azure-functions/src/domain/decide';
import {
  completeOperation,
  failOperation,
  recordDrive,
  recordWait,
  redrive,
  type DriveResult,
} from '../../../azure-functions/src/domain/operation';
import { capacityOf, FailoverStateSchema, initialState, isLegalPhaseChange, type FailoverState } from '../../../azure-functions/src/domain/state';
import type { RunStatus } from '../../../protocol/run-status';
import { INSTANCES, POLICY, RUN, runStatus, signal, T0 } from './helpers';

// With the deadline safety net and a replacement grace: both only defer or retarget, never break an invariant.
const policy = { ...POLICY, failbackCooldownSeconds: 300, minPhaseDurationSeconds: 120, onDemandSafetyNet: true, replacementGraceSeconds: 60 };

/** No deadline, a run far behind its line, or far ahead of it (round 7 of 20, started two hours before T0). */
type DeadlineCase = 'none' | 'behind' | 'ahead';
const deadlineCase = fc.constantFrom<DeadlineCase>('none', 'behind', 'ahead');
function withDeadline(status: RunStatus, deadline: DeadlineCase): RunStatus {
  if (deadline === 'none') return status;
  const startedAt = T0.getTime() - 7200_000;
  const hours = deadline === 'behind' ? 3 : 200;
  return { ...status, schedule: { rounds: 20, startedAt: new Date(startedAt).toISOString(), deadlineAt: new Date(startedAt + hours * 3600_000).toISOString() } };
}

type Event =
  | { kind: 'signal'; type: (typeof SIGNAL_TYPES)[number]; id: number; lost: number; reporting: number; pinned: number; deadline: DeadlineCase }
  | { kind: 'deferred' }
  | { kind: 'drive'; result: DriveResult }
  | { kind: 'wait' }
  | { kind: 'complete' }
  | { kind: 'fail'; code: string; deadline: DeadlineCase }
  | { kind: 'redrive' };

const driveResult: fc.Arbitrary<DriveResult> = fc.oneof(
  fc.constant<DriveResult>({ kind: 'submitted', resumeToken: 'token', pool: { provisioningState: 'Scaling', count: 1, enableAutoScaling: false } }),
  fc.constant<DriveResult>({ kind: 'already-at-target', pool: { provisioningState: 'Succeeded', count: 1, enableAutoScaling: false } }),
  fc.constant<DriveResult>({ kind: 'busy', reason: 'OperationNotAllowed' }),
  fc.constant<DriveResult>({ kind: 'rejected', error: { code: 'QuotaExceeded', message: 'LowPriorityCores' } }),
);

const event: fc.Arbitrary<Event> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('signal' as const), type: fc.constantFrom(...SIGNAL_TYPES), id: fc.integer({ min: 0, max: 9 }), lost: fc.integer({ min: 0, max: 4 }), reporting: fc.integer({ min: 0, max: 5 }), pinned: fc.integer({ min: 0, max: 2 }), deadline: deadlineCase }) },
  { weight: 2, arbitrary: fc.constant<Event>({ kind: 'deferred' }) },
  { weight: 2, arbitrary: driveResult.map((result): Event => ({ kind: 'drive', result })) },
  { weight: 1, arbitrary: fc.constant<Event>({ kind: 'wait' }) },
  { weight: 2, arbitrary: fc.constant<Event>({ kind: 'complete' }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('OverconstrainedAllocationRequest', 'SkuNotAvailable', 'OperationTimedOut', 'TrainersNotReady'), deadlineCase).map(([code, deadline]): Event => ({ kind: 'fail', code, deadline })) },
  { weight: 1, arbitrary: fc.constant<Event>({ kind: 'redrive' }) },
);

/** A history: each event happens some seconds after the previous one. */
const history = fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), event), { minLength: 1, maxLength: 60 });

interface StepResult {
  readonly state: FailoverState;
  readonly actions: readonly BrainAction[];
  /** True when a signal (fresh or deferred) made the step: such phase changes are rate-limited. */
  readonly bySignal: boolean;
  readonly duplicate: boolean;
}

function apply(state: FailoverState, ev: Event, now: Date): StepResult {
  const pending = state.pendingOperation;
  switch (ev.kind) {
    case 'signal': {
      const status = withDeadline(runStatus({ aws: 4, reportingAws: ev.reporting, pinned: ev.pinned }), ev.deadline);
      const sig = signal(ev.type, `sig-${ev.id}`, ev.lost > 0 ? { instanceIds: INSTANCES.slice(0, ev.lost) } : {});
      const duplicate = state.seenSignalIds.includes(sig.id);
      const decision = decide(state, sig, status, policy, now);
      return { state: decision.state, actions: decision.actions, bySignal: true, duplicate };
    }
    case 'deferred': {
      const decision = reconsiderDeferred(state, state.deferredSignal?.id ?? 'sig-none', runStatus(), policy, now);
      return { state: decision.state, actions: decision.actions, bySignal: true, duplicate: false };
    }
    case 'drive':
      return pending === undefined ? same(state) : step(recordDrive(state, pending.id, ev.result, now, policy));
    case 'wait':
      return pending === undefined ? same(state) : step(recordWait(state, pending.id, 'Scaling', now, policy));
    case 'complete':
      return pending === undefined ? same(state) : step(completeOperation(state, pending.id, 'Succeeded', now));
    case 'fail':
      return pending === undefined ? same(state) : step(failOperation(state, pending.id, { code: ev.code, message: 'failed' }, now, policy, { status: withDeadline(runStatus(), ev.deadline) }));
    case 'redrive':
      return step(redrive(state, now, policy));
  }
}

const same = (state: FailoverState): StepResult => ({ state, actions: [], bySignal: false, duplicate: false });
const step = (result: { state: FailoverState; actions: readonly BrainAction[] }): StepResult => ({ ...result, bySignal: false, duplicate: false });

/** Runs a history and calls `check(before, after, result, now)` at every step. */
function run(events: [number, Event][], check: (before: FailoverState, result: StepResult, now: Date, ev: Event) => void): FailoverState {
  let state = initialState(RUN, new Date(T0.getTime() - 3600_000));
  let clock = T0.getTime();
  for (const [seconds, ev] of events) {
    clock += seconds * 1000;
    const now = new Date(clock);
    const result = apply(state, ev, now);
    check(state, result, now, ev);
    state = result.state;
  }
  return state;
}

describe('failover state machine properties', () => {
  it('every state is a valid, bounded document and the pending operation matches the phase', () => {
    fc.assert(
      fc.property(history, (events) => {
        run(events, (_before, { state }) => {
          expect(FailoverStateSchema.safeParse(state).success).toBe(true);
          const purpose = state.pendingOperation?.purpose;
          switch (state.phase) {
            case 'aws-primary':
              expect(purpose).toBeUndefined();
              break;
            case 'failing-over':
              expect(purpose).toBe('failover');
              break;
            case 'azure-active':
              expect([undefined, 'adjust']).toContain(purpose);
              break;
            case 'failing-back':
              expect(purpose).toBe('failback');
              break;
          }
          // The pool an operation scales is the pool Azure's cover is on; back on AWS, Azure is on no pool.
          if (state.pendingOperation !== undefined) expect(capacityOf(state.pendingOperation)).toBe(state.azureCapacity ?? 'spot');
          if (state.phase === 'aws-primary') expect(state.azureCapacity).toBeUndefined();
        });
      }),
      { numRuns: 300 },
    );
  });

  it('the epoch never decreases and grows by exactly one on every (legal) phase change', () => {
    fc.assert(
      fc.property(history, (events) => {
        let changes = 0;
        const final = run(events, (before, { state }) => {
          expect(state.epoch).toBeGreaterThanOrEqual(before.epoch);
          if (state.phase === before.phase) {
            expect(state.epoch).toBe(before.epoch);
            return;
          }
          changes += 1;
          expect(isLegalPhaseChange(before.phase, state.phase)).toBe(true);
          expect(state.epoch).toBe(before.epoch + 1);
          expect(state.transitions.at(-1)).toMatchObject({ from: before.phase, to: state.phase, epoch: state.epoch });
        });
        expect(final.epoch).toBe(changes);
      }),
      { numRuns: 300 },
    );
  });

  it('a signal changes the phase at most once per minPhaseDuration', () => {
    fc.assert(
      fc.property(history, (events) => {
        run(events, (before, result, now) => {
          if (!result.bySignal || result.state.phase === before.phase) return;
          expect(now.getTime() - Date.parse(before.phaseSince)).toBeGreaterThanOrEqual(policy.minPhaseDurationSeconds * 1000);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('a duplicate signal never changes the state and asks for nothing', () => {
    fc.assert(
      fc.property(history, (events) => {
        run(events, (before, result) => {
          if (!result.duplicate) return;
          expect(result.state).toBe(before);
          expect(result.actions).toStrictEqual([]);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('completing or failing an operation twice changes nothing the second time', () => {
    fc.assert(
      fc.property(history, (events) => {
        run(events, (before, result, now, ev) => {
          const id = before.pendingOperation?.id;
          if (id === undefined || (ev.kind !== 'complete' && ev.kind !== 'fail')) return;
          expect(completeOperation(result.state, id, 'again', now).state).toBe(result.state);
          expect(failOperation(result.state, id, { code: 'X', message: 'again' }, now, policy).state).toBe(result.state);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('every phase change follows the legal cycle (with the abort edge) from aws-primary', () => {
    fc.assert(
      fc.property(history, (events) => {
        const phases = ['aws-primary'];
        run(events, (before, { state }) => {
          if (state.phase !== before.phase) phases.push(state.phase);
        });
        for (let index = 1; index < phases.length; index += 1) {
          expect(isLegalPhaseChange(phases[index - 1] as never, phases[index] as never)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('the generated histories', () => {
  it('reach every phase, deferrals, failures and duplicates (so the properties above are not vacuous)', () => {
    const seen = new Set<string>();
    for (const events of fc.sample(history, { numRuns: 300, seed: 42 })) {
      run(events, (before, result) => {
        seen.add(result.state.phase);
        if (result.duplicate) seen.add('duplicate');
        if (result.state.deferredSignal !== undefined) seen.add('deferred');
        if (result.state.transitions.at(-1)?.outcome === 'failed') seen.add('failed');
        if (before.phase === 'failing-over' && result.state.phase === 'failing-back') seen.add('abort');
      });
    }
    expect([...seen].sort()).toStrictEqual(['abort', 'aws-primary', 'azure-active', 'deferred', 'duplicate', 'failed', 'failing-back', 'failing-over']);
  });
});
