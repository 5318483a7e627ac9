import fc from 'fast-check';
import {
  decidePlacement,
  expectedSpellSeconds,
  initialDeadlineMemory,
  observeCapacity,
  PRIOR_SPELL_SECONDS,
  type DeadlineJob,
  type DeadlinePool,
  type DeadlineSettings,
} from '../../../../azure-functions/src/domain/deadline-policy';
import { simulate } from '../../../../finops/simulate/engine';
import { onDemandPolicy } from '../../../../finops/simulate/policies/on-demand';
import { spotOnDeadlinePolicy } from '../../../../finops/simulate/policies/spot-on-deadline';
import { arbitraryWindow, hourly } from './support';

const H = 3600;
const SETTINGS: DeadlineSettings = {
  stepSeconds: 60,
  changeoverSeconds: { changeover: 0.2 * H, failover: 0.5 * H, failback: 0.5 * H },
  onDemandUsdPerHour: 3,
  homeCloud: 'aws',
};
const JOB: DeadlineJob = {
  elapsedSeconds: 10 * H,
  deadlineSeconds: 52 * H,
  workSeconds: 48 * H,
  doneSeconds: 8 * H,
  at: { kind: 'idle' },
  changeoverLeftSeconds: 0,
  checkpointCloud: 'aws',
  firstPlacement: false,
};
const pool = (id: string, available: boolean, usdPerHour = 1, cloud: 'aws' | 'azure' = 'aws'): DeadlinePool => ({ id, cloud, available, usdPerHour });

/** Memory after watching `pools` for `spells`: each pool's spells of capacity (seconds), separated by a minute without. */
function watched(spells: Record<string, number[]>) {
  let memory = initialDeadlineMemory();
  for (const [id, lengths] of Object.entries(spells)) {
    for (const length of lengths) {
      for (let t = 0; t < length; t += 60) memory = observeCapacity(memory, [pool(id, true)], 60);
      memory = observeCapacity(memory, [pool(id, false)], 60);
    }
  }
  return memory;
}

describe('spot-on-deadline (azure-functions/src/domain/deadline-policy.ts)', () => {
  it('never misses a deadline that on-demand alone could meet, whatever the traces and changeovers', () => {
    fc.assert(
      fc.property(
        arbitraryWindow(24),
        fc.integer({ min: 4, max: 20 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        (window, jobHours, slackHours, changeover, failover, failback) => {
          const settings = hourly({ jobHours, deadlineHours: Math.min(24, jobHours + slackHours), changeoverHours: changeover, failoverHours: failover, failbackHours: failback });
          expect(simulate(onDemandPolicy, window, settings).missed).toBe(false);
          expect(simulate(spotOnDeadlinePolicy, window, settings).missed).toBe(false);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  it('learns how long each pool keeps its capacity, starting from a weak prior', () => {
    expect(expectedSpellSeconds(undefined)).toBe(PRIOR_SPELL_SECONDS);
    expect(expectedSpellSeconds(watched({ a: [H, H, H] }).pools.a)).toBe((3 * H + PRIOR_SPELL_SECONDS) / 4);
  });

  it('does not chase a cheap pool whose spells are short: a dearer, steadier one costs less per hour of progress', () => {
    const memory = watched({ flaky: Array(8).fill(0.25 * H), steady: [10 * H] });
    const decision = decidePlacement(JOB, [pool('flaky', true, 0.8), pool('steady', true, 1.0)], SETTINGS, memory);
    expect(decision.placement).toStrictEqual({ kind: 'spot', poolId: 'steady' });
  });

  it('stays on its pool while it has capacity, unless another is much cheaper', () => {
    const on = { ...JOB, at: { kind: 'spot', poolId: 'a' } } as const;
    expect(decidePlacement(on, [pool('a', true, 1.0), pool('b', true, 0.95)], SETTINGS, initialDeadlineMemory()).placement).toStrictEqual({ kind: 'spot', poolId: 'a' });
    expect(decidePlacement(on, [pool('a', true, 1.0), pool('b', true, 0.5)], SETTINGS, initialDeadlineMemory()).placement).toStrictEqual({ kind: 'spot', poolId: 'b' });
  });

  it('waits without Spot while ahead of the uniform progress line, and goes on-demand once behind it', () => {
    const ahead = { ...JOB, doneSeconds: 10 * H };
    expect(decidePlacement(ahead, [pool('a', false)], SETTINGS, initialDeadlineMemory()).placement).toStrictEqual({ kind: 'idle' });
    const behind = { ...JOB, doneSeconds: 9 * H }; // line at 10 h + 0.2 h: 48 * 10.2 / 52 = 9.4 h
    expect(decidePlacement(behind, [pool('a', false)], SETTINGS, initialDeadlineMemory()).placement).toStrictEqual({ kind: 'on-demand' });
  });

  it('counts the failover and the failback into the slack a cross-cloud move needs (safety net)', () => {
    // Slack 0.9 h: enough for an AWS pool (0.2 + 0.2 + a minute) but not for Azure (0.5 + 0.5).
    const tight = { ...JOB, elapsedSeconds: 40 * H, doneSeconds: 36.9 * H };
    expect(decidePlacement(tight, [pool('k', true, 0.5, 'azure')], SETTINGS, initialDeadlineMemory()).placement).toStrictEqual({ kind: 'on-demand' });
    expect(decidePlacement(tight, [pool('a', true, 1.0)], SETTINGS, initialDeadlineMemory()).placement).toStrictEqual({ kind: 'spot', poolId: 'a' });
  });

  it('goes on-demand to the end when the slack left no longer covers a step of waiting', () => {
    const last = { ...JOB, elapsedSeconds: 40 * H, doneSeconds: 36.2 * H + 30 }; // slack 0.2 h + 30 s < 0.2 h + 1 min
    const decision = decidePlacement(last, [pool('a', false)], SETTINGS, initialDeadlineMemory());
    expect(decision.placement).toStrictEqual({ kind: 'on-demand' });
    expect(decision.memory.onDemandToEnd).toBe(true);
    expect(decidePlacement(last, [pool('a', true)], SETTINGS, decision.memory).placement).toStrictEqual({ kind: 'on-demand' });
  });

  it('is deterministic: the same inputs give the same decision', () => {
    const memory = watched({ a: [H], b: [2 * H] });
    const pools = [pool('a', true, 0.9), pool('b', true, 1.1, 'azure')];
    expect(decidePlacement(JOB, pools, SETTINGS, memory)).toStrictEqual(decidePlacement(JOB, pools, SETTINGS, memory));
  });
});
