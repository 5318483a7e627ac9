import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mulberry32 } from '../../../../fl-training/task/random';
import { generateWindow, markovChain, randomPools, writePoolSet } from '../../../../finops/simulate/generate';
import { discretise } from '../../../../finops/simulate/model';
import { loadWindows } from '../../../../finops/simulate/simulate';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'spot-on-generate-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('generated traces', () => {
  it('are the same for the same seed, and differ for another', () => {
    const pools = randomPools(3, 4, 0.97);
    const settings = { hours: 10, gapSeconds: 600, cloudWide: { meanUpHours: 72, meanDownHours: 2 } };
    expect(generateWindow(1, pools, settings)).toStrictEqual(generateWindow(1, pools, settings));
    expect(generateWindow(2, pools, settings)).not.toStrictEqual(generateWindow(1, pools, settings));
  });

  it('keep capacity about the share of time the chain says (mean up / (mean up + mean down))', () => {
    const states = markovChain(mulberry32(9), { meanUpHours: 3, meanDownHours: 1 }, 200_000, 600);
    expect(states.filter(Boolean).length / states.length).toBeCloseTo(0.75, 1);
  });

  it('draw pools in both clouds, with unique names', () => {
    for (const count of [2, 5, 9]) {
      const pools = randomPools(count, count, 0.97);
      expect(new Set(pools.map((pool) => pool.name)).size).toBe(count);
      expect(pools.some((pool) => pool.cloud === 'aws') && pools.some((pool) => pool.cloud === 'azure')).toBe(true);
    }
  });

  it('are written as Can\'t Be Late files (available-is-0) the simulator reads back, one folder per pool', () => {
    const sources = writePoolSet(dir, randomPools(5, 3, 0.97), 2, 5, { hours: 6, gapSeconds: 600 });
    const settings = discretise({ jobHours: 4, deadlineHours: 6, changeoverHours: 0.2, failoverHours: 0.5, failbackHours: 0.5, onDemandUsdPerHour: 3.06, tickSeconds: 60 });
    const windows = loadWindows({ sources, settings, encoding: 'available-is-0', spotUsdPerHour: undefined });
    expect(windows.map((window) => window.name)).toStrictEqual(['window-000.json', 'window-001.json']);
    expect(windows[0]?.pools).toStrictEqual(sources.map((source) => source.spec));
    expect(windows[0]?.ticks).toBe(360);
  });
});
