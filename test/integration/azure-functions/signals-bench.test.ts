/**
 * The signal benchmark (cli/bench/signals.ts) runs end to end against Azurite, the ARM emulator and the cluster's
 * Kubernetes API, and its figures hang together. No timing thresholds: only facts that hold on any machine.
 */
import { benchSignals, type SignalBench } from '../../../cli/bench/signals';

describe('benchSignals', () => {
  let result: SignalBench;

  beforeAll(async () => {
    result = await benchSignals({ signals: 20 });
  }, 90_000);

  it('times every requested signal, with ordered percentiles', () => {
    const { signals, failoverSignal } = result;
    expect(signals.n).toBe(20);
    expect(signals.p50Ms).toBeGreaterThan(0);
    expect(signals.p50Ms).toBeLessThanOrEqual(signals.p95Ms);
    expect(signals.p95Ms).toBeLessThanOrEqual(signals.maxMs);
    expect(failoverSignal.n).toBeGreaterThan(0);
    expect(failoverSignal.p50Ms).toBeGreaterThan(0);
    expect(failoverSignal.p50Ms).toBeLessThanOrEqual(failoverSignal.p95Ms);
  });

  it('counts the ARM requests of a failover and a failback: each PUTs the pool once after reading it', () => {
    for (const calls of [result.armCalls.failover, result.armCalls.failback]) {
      expect(calls.total).toBeGreaterThan(0);
      expect(Object.values(calls.byMethod).reduce((sum, count) => sum + count, 0)).toBe(calls.total);
      // One accepted PUT per operation (no 409/412/429 here), and the GET it is conditional on plus the continuation's look(s).
      expect(calls.byMethod['PUT pool']).toBe(1);
      expect(calls.byMethod['GET pool']).toBeGreaterThanOrEqual(2);
    }
  });
});
