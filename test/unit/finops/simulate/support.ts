/** Tiny hand-made windows for the simulator's tests: one character per tick, `1` = Spot capacity. */
import fc from 'fast-check';
import { discretise, IDLE, type Cloud, type Location, type PoolSpec, type Settings, type Window } from '../../../../finops/simulate/model';
import type { Policy } from '../../../../finops/simulate/policies/policy';

/** Hourly ticks: every duration below is a whole number of ticks. */
export const HOUR = 3600;

/** Settings in hours with one-hour ticks. */
export function hourly(overrides: Partial<Parameters<typeof discretise>[0]> = {}): Settings {
  return discretise({
    jobHours: 4,
    deadlineHours: 6,
    changeoverHours: 1,
    failoverHours: 1,
    failbackHours: 1,
    onDemandUsdPerHour: 3,
    tickSeconds: HOUR,
    ...overrides,
  });
}

/** A window from `{ 'aws/a': '110011', ... }`, each pool at `usdPerHour` (default 1) unless `prices` says otherwise. */
export function windowOf(pools: Record<string, string>, prices: Record<string, number> = {}, name = 'hand-made'): Window {
  const specs: PoolSpec[] = Object.keys(pools).map((poolName) => ({ name: poolName, cloud: (poolName.split('/')[0] === 'azure' ? 'azure' : 'aws') as Cloud }));
  const ticks = Math.min(...Object.values(pools).map((capacity) => capacity.length));
  return {
    name,
    pools: specs,
    ticks,
    available: Object.values(pools).map((capacity) => Uint8Array.from([...capacity.slice(0, ticks)].map((c) => (c === '1' ? 1 : 0)))),
    usdPerHour: specs.map((spec) => new Float64Array(ticks).fill(prices[spec.name] ?? 1)),
  };
}

/** A random small window: 1-3 pools (the first in AWS), hourly ticks, prices 0.5-2 $/h per tick. */
export const arbitraryWindow = (ticks: number) =>
  fc
    .record({
      clouds: fc.array(fc.constantFrom<Cloud>('aws', 'azure'), { minLength: 0, maxLength: 2 }),
      seed: fc.array(fc.tuple(fc.array(fc.boolean(), { minLength: ticks, maxLength: ticks }), fc.array(fc.integer({ min: 50, max: 200 }), { minLength: ticks, maxLength: ticks })), {
        minLength: 3,
        maxLength: 3,
      }),
    })
    .map(({ clouds, seed }): Window => {
      const cloudsOfPools: Cloud[] = ['aws', ...clouds];
      return {
        name: 'random',
        pools: cloudsOfPools.map((cloud, index) => ({ name: `${cloud}/p${index}`, cloud })),
        ticks,
        available: cloudsOfPools.map((_cloud, index) => Uint8Array.from(seed[index]?.[0] ?? [], (up) => (up ? 1 : 0))),
        usdPerHour: cloudsOfPools.map((_cloud, index) => Float64Array.from(seed[index]?.[1] ?? [], (cents) => cents / 100)),
      };
    });

/** A policy that plays a fixed list of targets, one per tick (idle past its end). */
export function scripted(targets: readonly Location[]): Policy<null> {
  return { name: 'scripted', summary: '', seesFuture: false, init: () => null, decide: (view) => ({ target: targets[view.job.tick] ?? IDLE, memory: null }) };
}
