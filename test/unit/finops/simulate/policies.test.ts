/**
 * The simulator's greedy and uniform-progress are checked against the behaviour the paper describes (Can't Be Late,
 * NSDI'24), rule by rule, on hand-made traces with one-hour ticks, a one-hour changeover, Spot at $1/h and
 * on-demand at $3/h. Each comment works the answer out by hand.
 */
import { simulate } from '../../../../finops/simulate/engine';
import type { Location, Settings, Window } from '../../../../finops/simulate/model';
import { greedyPolicy, greedySinglePolicy } from '../../../../finops/simulate/policies/greedy';
import type { Policy } from '../../../../finops/simulate/policies/policy';
import { uniformProgressPolicy } from '../../../../finops/simulate/policies/uniform-progress';
import { hourly, windowOf } from './support';

/** The target the policy named at each tick, as a string: s = Spot (pool index), o = on-demand, . = idle. */
function decisions<M>(policy: Policy<M>, window: Window, settings: Settings): string {
  const targets: Location[] = [];
  const recording: Policy<M> = { ...policy, decide: (view, memory, setup) => {
    const step = policy.decide(view, memory, setup);
    targets.push(step.target);
    return step;
  } };
  simulate(recording, window, settings);
  return targets.map((target) => (target.kind === 'spot' ? `s${target.pool}` : target.kind === 'on-demand' ? 'o' : '.')).join(' ');
}

describe('uniform-progress (Can\'t Be Late, section 5.2)', () => {
  it('rule 2, taking risks: takes Spot whenever it is available, even behind the line, and stays until preempted', () => {
    // Job 4 h, deadline 8 h. t0: no Spot, cp 0 = ep 0: idle. t1: cp 0 < ep 0.5 (behind), but Spot is there: Spot
    // (changeover t1), then t2-t5 progress: done at 6 h for 1 + 4 = $5, never on-demand.
    const window = windowOf({ 'aws/a': '01111111' });
    const settings = hourly({ jobHours: 4, deadlineHours: 8 });
    expect(decisions(uniformProgressPolicy, window, settings)).toBe('. s0 s0 s0 s0 s0');
    expect(simulate(uniformProgressPolicy, window, settings)).toMatchObject({ costUsd: 5, onDemandHours: 0, finishedHours: 6 });
  });

  it('rule 1, uniform progress: an idle job behind the line goes on-demand (greedy would still wait)', () => {
    // t1: cp 0 < ep(1) = 0.5 and no Spot: on-demand (changeover t1), then t2-t5 on it (hysteresis holds: cp(t) <
    // ep(t + 2) until the end): 5 ticks x $3 = $15, done at 6 h. Greedy waits until its safety net at t3.
    const window = windowOf({ 'aws/a': '00000011' });
    const settings = hourly({ jobHours: 4, deadlineHours: 8 });
    expect(decisions(uniformProgressPolicy, window, settings)).toBe('. o o o o o');
    expect(simulate(uniformProgressPolicy, window, settings)).toMatchObject({ costUsd: 15, finishedHours: 6 });
    expect(decisions(greedySinglePolicy, window, settings)).toBe('. . . o o o o o');
  });

  it('rule 3, hysteresis: stays on on-demand while cp(t) < ep(t + 2d), though Spot is back; then Spot', () => {
    // Job 6 h, deadline 12 h (ep(t) = t / 2). t1: behind, no Spot: on-demand (changeover). On it: t2 cp 0 < ep(4) = 2,
    // t3 1 < 2.5, t4 2 < 3, t5 3 < 3.5: stay, though Spot is there from t2. t6: cp 4 >= ep(8) = 4: Spot (changeover
    // t6), t7-t8 progress. Cost 5 x $3 + 3 x $1 = $18, done at 9 h.
    const window = windowOf({ 'aws/a': '001111111111' });
    const settings = hourly({ jobHours: 6, deadlineHours: 12 });
    expect(decisions(uniformProgressPolicy, window, settings)).toBe('. o o o o o s0 s0 s0');
    expect(simulate(uniformProgressPolicy, window, settings)).toMatchObject({ costUsd: 18, finishedHours: 9 });
  });

  it('rule 3, past the hysteresis line without Spot: idle, until Spot returns', () => {
    // As above, but no Spot until t7: t6 releases on-demand to idle (cp 4 >= ep(8)); t7 cp 4 >= ep(7) = 3.5, Spot:
    // changeover t7, t8-t9 progress. Cost 5 x $3 + 3 x $1 = $18, done at 10 h.
    const window = windowOf({ 'aws/a': '000000011111' });
    const settings = hourly({ jobHours: 6, deadlineHours: 12 });
    expect(decisions(uniformProgressPolicy, window, settings)).toBe('. o o o o o . s0 s0 s0');
    expect(simulate(uniformProgressPolicy, window, settings)).toMatchObject({ costUsd: 18, finishedHours: 10 });
  });

  it('rule 4, safety net: an idle job with R(t) < C(t) + 2d goes on-demand and stays, Spot or not', () => {
    // Job 4 h, deadline 6 h. t0 Spot (free first placement), cp 1. t1 preempted: R - C = 5 - 3 = 2, not < 2, and cp 1
    // >= ep(1) = 0.67: wait. t2: R - C = 1 < 2: on-demand to the end (changeover t2, t3-t5), though Spot is back at
    // t3. Cost $1 + 4 x $3 = $13, done at 6 h.
    const window = windowOf({ 'aws/a': '100111' });
    const settings = hourly({ jobHours: 4, deadlineHours: 6 });
    expect(decisions(uniformProgressPolicy, window, settings)).toBe('s0 . o o o o');
    expect(simulate(uniformProgressPolicy, window, settings)).toMatchObject({ costUsd: 13, finishedHours: 6, missed: false });
  });
});

describe('greedy-single (Can\'t Be Late, section 3.4)', () => {
  it('exploitation: stays on Spot until preempted, then waits for it, never on-demand while slack lasts', () => {
    // Job 3 h, deadline 8 h. t0 Spot (cp 1), t1-t2 no Spot: wait (R - C = 6 then 5 >= 2), t3 Spot (changeover),
    // t4-t5 progress: $1 + $1 + $2 = $4, done at 6 h.
    const window = windowOf({ 'aws/a': '10011111' });
    const settings = hourly({ jobHours: 3, deadlineHours: 8 });
    expect(decisions(greedySinglePolicy, window, settings)).toBe('s0 . . s0 s0 s0');
    expect(simulate(greedySinglePolicy, window, settings)).toMatchObject({ costUsd: 4, onDemandHours: 0, finishedHours: 6 });
  });

  it('safety net: when the idle job has R(t) < C(t) + 2d, on-demand to the end', () => {
    // Job 3 h, deadline 6 h. t0 Spot (cp 1); t1 R - C = 3, t2 R - C = 2: wait; t3 R - C = 1 < 2: on-demand
    // (changeover t3, t4-t5): $1 + 3 x $3 = $10, done at 6 h, though Spot is back at t6.
    const window = windowOf({ 'aws/a': '10000011' });
    const settings = hourly({ jobHours: 3, deadlineHours: 6 });
    expect(decisions(greedySinglePolicy, window, settings)).toBe('s0 . . o o o');
    expect(simulate(greedySinglePolicy, window, settings)).toMatchObject({ costUsd: 10, finishedHours: 6 });
  });

  it('uses one pool only: the first AWS pool', () => {
    const window = windowOf({ 'azure/k': '11111111', 'aws/a': '01111111' });
    const settings = hourly({ jobHours: 4, deadlineHours: 8 });
    expect(decisions(greedySinglePolicy, window, settings)).toBe('. s1 s1 s1 s1 s1');
  });
});

describe('greedy (multi-region)', () => {
  it('prefers the current pool, then the cheapest with capacity', () => {
    // t0 only a; t1 b is cheaper but a still has capacity: stay; t2 a is gone: b (changeover), t3-t4 progress.
    const window = windowOf({ 'aws/a': '110000', 'aws/b': '011111' }, { 'aws/a': 2, 'aws/b': 1 });
    const settings = hourly({ jobHours: 4, deadlineHours: 6 });
    expect(decisions(greedyPolicy, window, settings)).toBe('s0 s0 s1 s1 s1');
    expect(simulate(greedyPolicy, window, settings)).toMatchObject({ costUsd: 2 + 2 + 1 + 1 + 1, finishedHours: 5 });
  });

  it('falls back to on-demand without Spot and returns to Spot when it is back and the move is safe', () => {
    // Job 4 h, deadline 8 h. t0 a (cp 1); t1 no Spot: on-demand (changeover); t2 on it (cp 2); t3 Spot is back and
    // R - C - d = 5 - 2 - 1 = 2 >= d: back to a (changeover), t4-t5 progress. $1 + 2 x $3 + 3 x $1 = $10, done at 6 h.
    const window = windowOf({ 'aws/a': '10011111' });
    const settings = hourly({ jobHours: 4, deadlineHours: 8 });
    expect(decisions(greedyPolicy, window, settings)).toBe('s0 o o s0 s0 s0');
    expect(simulate(greedyPolicy, window, settings)).toMatchObject({ costUsd: 10, onDemandHours: 2, finishedHours: 6, moves: { changeover: 2 } });
  });
});
