/** The streaming FedAvg fold: the same bits whatever the arrival order, in constant memory, and close to the exact mean. */
import fc from 'fast-check';
import { WeightedAverageFold, type WeightedResult } from '../../../fl-training/strategy/aggregate';
import { ReproducibleSum } from '../../../fl-training/strategy/reproducible-sum';
import { AggregationError } from '../../../fl-training/errors';

const MAX_ABS = 1e6;
const client = fc.record({
  examples: fc.integer({ min: 1, max: 10_000 }),
  values: fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -MAX_ABS, max: MAX_ABS }), { minLength: 4, maxLength: 4 }),
});

/** The fold as the aggregator runs it: bounds from the run's limits, not from the results. */
function fold(results: readonly WeightedResult[], examplesBound: number): Float32Array[] {
  const f = new WeightedAverageFold([4], examplesBound * MAX_ABS);
  for (const r of results) f.add(r);
  return f.average();
}

describe('WeightedAverageFold', () => {
  it('gives bit-identical results for any arrival order, and so across a restart that folds the stored updates again', () => {
    // Large updates with their mirror images plus small ones: the large terms cancel exactly, so the mean is made of
    // the small ones, and a float64 accumulator's rounding (order-dependent) would show in the float32 result.
    const tiny = fc.record({ examples: fc.integer({ min: 1, max: 10_000 }), values: fc.array(fc.float({ noNaN: true, min: Math.fround(-1e-3), max: Math.fround(1e-3) }), { minLength: 4, maxLength: 4 }) });
    fc.assert(
      fc.property(fc.array(client, { minLength: 1, maxLength: 6 }), fc.array(tiny, { minLength: 1, maxLength: 4 }), fc.infiniteStream(fc.nat()), (large, small, keys) => {
        const all = [...large, ...large.map((c) => ({ ...c, values: c.values.map((v) => -v) })), ...small];
        const results = all.map((c, i) => ({ clientId: `t-${i}`, examples: c.examples, values: [Float32Array.from(c.values)] }));
        const order = [...keys.take(results.length)];
        const shuffled = results.map((r, i) => ({ r, key: order[i]! })).sort((a, b) => a.key - b.key).map(({ r }) => r);
        const bound = 16 * 10_000;
        expect(fold(shuffled, bound)).toStrictEqual(fold(results, bound));
      }),
      { numRuns: 300 },
    );
  });

  it('is within float32 rounding of the float64 mean', () => {
    fc.assert(
      fc.property(fc.array(client, { minLength: 1, maxLength: 12 }), (clients) => {
        const results = clients.map((c, i) => ({ clientId: `t-${i}`, examples: c.examples, values: [Float32Array.from(c.values)] }));
        const total = clients.reduce((sum, c) => sum + c.examples, 0);
        const [out] = fold(results, 12 * 10_000);
        for (let j = 0; j < 4; j++) {
          const exact = results.reduce((sum, r) => sum + r.values[0]![j]! * r.examples, 0) / total;
          // Terms up to 1e10 in float64 (ulp 2^-19), then one float32 rounding of the mean.
          expect(Math.abs(out![j]! - exact)).toBeLessThanOrEqual(Math.abs(exact) * 2 ** -23 + 2 ** -15);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a second update from one client and a bound that is not a positive finite number', () => {
    const f = new WeightedAverageFold([1], 10);
    f.add({ clientId: 'a', examples: 1, values: [Float32Array.of(1)] });
    expect(() => f.add({ clientId: 'a', examples: 1, values: [Float32Array.of(2)] })).toThrow(new AggregationError('client a appears twice'));
    expect(() => new ReproducibleSum([1], Infinity)).toThrow(AggregationError);
    expect(() => new WeightedAverageFold([1], 10).average()).toThrow('cannot aggregate zero results');
  });
});

describe('ReproducibleSum', () => {
  it('gives the same bits adding a batch and dividing in one pass as in two', () => {
    const n = 40_000; // more than two of the kernel's blocks
    const terms = Array.from({ length: 7 }, (_, k) => ({ values: [Float32Array.from({ length: n }, (_, j) => Math.cos(j * 1.3 + k) * 10 ** ((j % 7) - 3))], weight: 300 + k }));
    const twoPasses = new ReproducibleSum([n], 7 * 306 * 1e3);
    twoPasses.addBatch(terms.slice(0, 3));
    twoPasses.addBatch(terms.slice(3));
    const onePass = new ReproducibleSum([n], 7 * 306 * 1e3);
    onePass.addBatch(terms.slice(0, 3));
    expect(onePass.addBatchThenQuotient(terms.slice(3), 2121)).toStrictEqual(twoPasses.quotient(2121));
  });

  it('stays exact past its renormalisation point (more terms than its fine accumulator holds between carries)', () => {
    const terms = Array.from({ length: 20_000 }, (_, i) => Math.fround(Math.sin(i) * 1e3));
    const sum = (order: readonly number[]) => {
      const s = new ReproducibleSum([1], 20_000 * 1e3);
      for (const v of order) s.add([Float32Array.of(v)], 1);
      return s.quotient(1)[0]![0];
    };
    const reversed = [...terms].reverse();
    expect(sum(reversed)).toBe(sum(terms));
    expect(sum(terms)).toBeCloseTo(terms.reduce((a, b) => a + b, 0), 3);
  });
});
