/**
 * The brain load benchmark (cli/bench/brain-load.ts) end to end: concurrent signals of several runs on one Azurite,
 * storms racing for one state blob. No timing thresholds: only what must hold on any machine.
 */
import { benchBrainLoad } from '../../../cli/bench/brain-load';

describe('benchBrainLoad', () => {
  it('sends the planned signals at the asked rate and loses or tears no run state, whatever the races', async () => {
    const result = await benchBrainLoad({ signalsPerMin: 1_200, runs: 3, seconds: 3 });
    expect(result).toMatchObject({ signalsPerMin: 1_200, runs: 3, signals: 60, lost: 0, torn: 0 });
    expect(result.p50Ms).toBeGreaterThan(0);
    expect(result.p50Ms).toBeLessThanOrEqual(result.p95Ms);
  }, 60_000);
});
