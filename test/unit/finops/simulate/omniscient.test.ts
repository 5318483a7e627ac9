import fc from 'fast-check';
import { simulate } from '../../../../finops/simulate/engine';
import { IDLE, ON_DEMAND, spotIn, type Location, type Settings, type Window } from '../../../../finops/simulate/model';
import { omniscientPolicy } from '../../../../finops/simulate/policies/omniscient';
import { POLICIES } from '../../../../finops/simulate/policies/registry';
import { arbitraryWindow, hourly, scripted, windowOf } from './support';

/** The cheapest deadline-meeting cost over every schedule of the window, by running each through the engine. */
function bruteForce(window: Window, settings: Settings): number {
  let best = Infinity;
  const visit = (prefix: Location[]) => {
    if (prefix.length === settings.deadlineTicks) {
      const outcome = simulate(scripted(prefix), window, settings);
      if (!outcome.missed) best = Math.min(best, outcome.costUsd);
      return;
    }
    const tick = prefix.length;
    const options: Location[] = [IDLE, ON_DEMAND, ...window.pools.flatMap((_pool, index) => (window.available[index]?.[tick] === 1 ? [spotIn(index)] : []))];
    for (const option of options) visit([...prefix, option]);
  };
  visit([]);
  return best;
}

describe('omniscient', () => {
  it('finds the cheapest schedule on a hand-made window: skip the short spell, wait for the long one', () => {
    // Job 4 h, deadline 6 h, changeover 1 h: a at t0 (free) then preempted; b from t2 on. Best: a at t0, idle t1, b at
    // t2 (changeover), b t3-t5 = 1 + 1 + 3 = $5. On-demand alone: $12.
    const window = windowOf({ 'aws/a': '100000', 'aws/b': '001111' });
    const outcome = simulate(omniscientPolicy, window, hourly());
    expect(outcome).toMatchObject({ costUsd: 5, missed: false, finishedHours: 6 });
  });

  it('equals an exhaustive search over every schedule on tiny windows', () => {
    fc.assert(
      fc.property(arbitraryWindow(6), fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }), (full, jobHours, changeover, failover) => {
        const window: Window = { ...full, pools: full.pools.slice(0, 2), available: full.available.slice(0, 2), usdPerHour: full.usdPerHour.slice(0, 2) };
        const settings = hourly({ jobHours, deadlineHours: 6, changeoverHours: changeover, failoverHours: failover, failbackHours: 3 - failover });
        const outcome = simulate(omniscientPolicy, window, settings);
        expect(outcome.missed).toBe(false);
        expect(outcome.costUsd).toBeCloseTo(bruteForce(window, settings), 9);
      }),
      { numRuns: 25, seed: 20260301 },
    );
  });

  it('is never beaten by another policy that meets the deadline, and never misses', () => {
    fc.assert(
      fc.property(
        arbitraryWindow(16),
        fc.integer({ min: 4, max: 14 }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        (window, jobHours, changeover, failover, failback) => {
          const settings = hourly({ jobHours, deadlineHours: 16, changeoverHours: changeover, failoverHours: failover, failbackHours: failback });
          const bound = simulate(omniscientPolicy, window, settings);
          expect(bound.missed).toBe(false);
          for (const policy of POLICIES) {
            const outcome = simulate(policy, window, settings);
            if (!outcome.missed) expect(bound.costUsd).toBeLessThanOrEqual(outcome.costUsd + 1e-9);
          }
        },
      ),
      { numRuns: 60, seed: 42 },
    );
  });
});
