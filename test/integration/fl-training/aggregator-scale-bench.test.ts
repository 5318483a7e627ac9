/**
 * The aggregator scale benchmark (cli/bench/aggregator-scale.ts) runs end to end: the production aggregator process,
 * simulated trainers over signed HTTP, a committed round. No timing thresholds: only facts that hold on any machine.
 */
import { benchAggregatorScale } from '../../../cli/bench/aggregator-scale';

describe('benchAggregatorScale', () => {
  it('commits a round of real update frames from every simulated trainer and reports the aggregator\'s peak memory', async () => {
    const [row] = await benchAggregatorScale({ trainers: [4], modelsMB: [10] });
    expect(row).toMatchObject({ trainers: 4, modelMB: 10 });
    expect(row!.updatesPerSec).toBeGreaterThan(0);
    expect(row!.lastUpdateToCommitMs).toBeGreaterThanOrEqual(0);
    // Linux reports VmHWM; a 10 MB model and its two float64 accumulators alone are over 50 MB.
    if (process.platform === 'linux') expect(row!.peakRssMB).toBeGreaterThan(50);
  }, 120_000);
});
