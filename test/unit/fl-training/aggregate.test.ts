import fc from 'fast-check';
import { AggregationError } from '../../../fl-training/errors';
import { fedAdamStep, weightedAverage, type WeightedResult } from '../../../fl-training/strategy/aggregate';
import { clipToNorm, coordinateMedian, deltaNorm } from '../../../fl-training/strategy/robust';
import { aggregateResults, createStrategy, fedAvg } from '../../../fl-training/strategy/strategy';
import { defaultRunConfig } from '../../../fl-training/config';

const f32 = (...values: number[]) => Float32Array.from(values);
const result = (clientId: string, examples: number, ...values: Float32Array[]): WeightedResult => ({ clientId, examples, values });

describe('weightedAverage (FedAvg)', () => {
  it('weights each client by its examples (hand-computed)', () => {
    // (1*1 + 4*3) / 4 = 3.25 ; (2*1 + 0*3) / 4 = 0.5 ; bias (10*1 + 20*3) / 4 = 17.5
    const out = weightedAverage([result('a', 1, f32(1, 2), f32(10)), result('b', 3, f32(4, 0), f32(20))]);
    expect(out).toStrictEqual([f32(3.25, 0.5), f32(17.5)]);
  });

  it('is the plain mean for equal example counts and the identity for one client', () => {
    expect(weightedAverage([result('a', 7, f32(1, -1)), result('b', 7, f32(3, 1)), result('c', 7, f32(5, 3))])).toStrictEqual([f32(3, 1)]);
    expect(weightedAverage([result('only', 42, f32(0.1, 0.2, 0.3))])).toStrictEqual([f32(0.1, 0.2, 0.3)]);
  });

  it('counts a partial update by the examples it actually processed', () => {
    // a full client (100 examples) and one flushed after 25: (100*0 + 25*1) / 125 = 0.2
    expect(weightedAverage([result('full', 100, f32(0)), result('flushed', 25, f32(1))])).toStrictEqual([f32(0.2)]);
  });

  it('accumulates in float64: large weights do not swamp small ones', () => {
    // In float32, 1e8 + 1 == 1e8; in float64 the mean of (1e8 x 1, 1 x 1e8 examples) is exact enough.
    const out = weightedAverage([result('a', 1, f32(1e8)), result('b', 100_000_000, f32(1))]);
    expect(out[0]![0]).toBeCloseTo(2, 5);
  });

  it('does not depend on the order updates arrived in (bit-identical)', () => {
    const client = fc.record({
      examples: fc.integer({ min: 1, max: 10_000 }),
      values: fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { minLength: 5, maxLength: 5 }),
    });
    fc.assert(
      fc.property(fc.array(client, { minLength: 1, maxLength: 8 }), fc.infiniteStream(fc.nat()), (clients, stream) => {
        const results = clients.map((c, i) => result(`client-${i}`, c.examples, Float32Array.from(c.values)));
        const shuffled = [...results];
        const keys = [...stream.take(shuffled.length)];
        shuffled.sort((a, b) => keys[results.indexOf(a)]! - keys[results.indexOf(b)]!);
        expect(weightedAverage(shuffled)).toStrictEqual(weightedAverage(results));
      }),
      { numRuns: 200 },
    );
  });

  it('stays within the range of its inputs', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.float({ noNaN: true, noDefaultInfinity: true, min: -100, max: 100 })), { minLength: 1, maxLength: 10 }), (pairs) => {
        const [out] = weightedAverage(pairs.map(([n, v], i) => result(`c${i}`, n, f32(v))));
        const values = pairs.map(([, v]) => Math.fround(v));
        expect(out![0]).toBeGreaterThanOrEqual(Math.min(...values) - 1e-4);
        expect(out![0]).toBeLessThanOrEqual(Math.max(...values) + 1e-4);
      }),
    );
  });

  it('handles tensors larger than one accumulation chunk', () => {
    const n = 40_000;
    const a = new Float32Array(n).fill(1);
    const b = new Float32Array(n).fill(4);
    const [out] = weightedAverage([result('a', 2, a), result('b', 1, b)]);
    expect(out!.every((v) => v === 2)).toBe(true);
  });

  it.each([
    ['no results', [], 'cannot aggregate zero results'],
    ['a duplicate client', [result('a', 1, f32(1)), result('a', 2, f32(2))], 'client a appears twice'],
    ['zero examples', [result('a', 0, f32(1))], 'client a has 0 examples; need a positive integer up to 2^29'],
    ['fractional examples', [result('a', 1.5, f32(1))], 'client a has 1.5 examples; need a positive integer up to 2^29'],
    ['a missing tensor', [result('a', 1, f32(1), f32(2)), result('b', 1, f32(1))], 'client b has 1 weights, expected 2'],
    ['a tensor of another size', [result('a', 1, f32(1, 2)), result('b', 1, f32(1))], 'client b weight 0 has 1 elements, expected 2'],
  ])('throws AggregationError on %s', (_name, results, message) => {
    expect(() => weightedAverage(results)).toThrow(new AggregationError(message));
    expect(() => weightedAverage(results)).toThrow(expect.objectContaining({ name: 'AggregationError' }));
  });
});

describe('fedAdamStep', () => {
  const hyper = { eta: 0.1, beta1: 0.9, beta2: 0.99, tau: 1e-3 };

  it('computes one bias-corrected server Adam step (hand-computed)', () => {
    // delta = 1; m = 0.1; v = 0.01; eta_1 = 0.1 * sqrt(0.01) / 0.1 = 0.1; w = 0 + 0.1 * 0.1 / (0.1 + 0.001)
    const { weights, moments } = fedAdamStep([f32(0)], [f32(1)], { step: 0, m: [f32(0)], v: [f32(0)] }, hyper);
    expect(moments.step).toBe(1);
    expect(moments.m[0]![0]).toBeCloseTo(0.1, 7);
    expect(moments.v[0]![0]).toBeCloseTo(0.01, 7);
    expect(weights[0]![0]).toBeCloseTo((0.1 * 0.1) / (0.1 + 0.001), 6);
  });

  it('does not move weights when the average equals the current model and moments are zero', () => {
    const { weights } = fedAdamStep([f32(1, 2)], [f32(1, 2)], { step: 0, m: [f32(0, 0)], v: [f32(0, 0)] }, hyper);
    expect(weights).toStrictEqual([f32(1, 2)]);
  });

  it('rejects mismatched inputs', () => {
    expect(() => fedAdamStep([f32(0)], [], { step: 0, m: [f32(0)], v: [f32(0)] }, hyper)).toThrow(AggregationError);
  });
});

describe('strategies', () => {
  const config = defaultRunConfig('blobs');

  it('FedAvg tells trainers the configured local training and keeps no state', () => {
    const strategy = fedAvg(config);
    expect(strategy.configureFit(3)).toStrictEqual({ localEpochs: 1, batchSize: 16, learningRate: 0.1, optimizer: 'sgd' });
    expect(strategy.initialState([f32(1)])).toBeUndefined();
    const out = aggregateResults(strategy, { round: 1, current: [f32(0)], results: [result('a', 1, f32(2)), result('b', 3, f32(6))], state: undefined });
    expect(out).toStrictEqual({ weights: [f32(5)], state: undefined });
  });

  it('FedAdam keeps moments and a step count as its state', () => {
    const strategy = createStrategy({ ...config, strategy: { name: 'fedadam', eta: 0.1, beta1: 0.9, beta2: 0.99, tau: 1e-3 } });
    const state = strategy.initialState([f32(0, 0)]);
    expect(state).toStrictEqual({ name: 'fedadam', step: 0, tensors: [f32(0, 0), f32(0, 0)] });
    const out = aggregateResults(strategy, { round: 1, current: [f32(0, 0)], results: [result('a', 1, f32(1, -1))], state });
    expect(out.state?.step).toBe(1);
    expect(out.state?.tensors).toHaveLength(2);
    expect(out.weights[0]![0]).toBeGreaterThan(0);
    expect(out.weights[0]![1]).toBeLessThan(0);
  });
});

describe('robust aggregation', () => {
  const config = defaultRunConfig('blobs');
  // Two honest trainers near the current weights and one that pushes 3e38 (finite, so it passes non-finite checks).
  const current = [f32(0, 0)];
  const honest = [result('a', 100, f32(1, 0)), result('b', 100, f32(0, 1))];
  const hostile = result('z', 100, f32(3e38, -3e38));

  it('FedAvg with clipping moves the model at most clipNorm per update, so one hostile update cannot blow it up', () => {
    const strategy = createStrategy({ ...config, strategy: { name: 'fedavg', clipNorm: 1 } });
    const [weights] = aggregateResults(strategy, { round: 1, current, results: [...honest, hostile], state: undefined }).weights;
    // z's delta (3e38, -3e38) is scaled to (1/sqrt 2, -1/sqrt 2); the honest deltas have norm 1 and are kept.
    expect(Array.from(weights!)).toStrictEqual([Math.fround((1 + Math.SQRT1_2) / 3), Math.fround((1 - Math.SQRT1_2) / 3)]);
    expect(clipToNorm(honest, current, 1)).toStrictEqual(honest);
  });

  it('FedMedian takes each weight\'s median: a minority of hostile updates stays out of the model', () => {
    const strategy = createStrategy({ ...config, strategy: { name: 'fedmedian' } });
    const out = aggregateResults(strategy, { round: 1, current, results: [...honest, hostile], state: undefined });
    expect(out).toStrictEqual({ weights: [f32(1, 0)], state: undefined });
    expect(coordinateMedian([result('a', 1, f32(1, 5)), result('b', 9, f32(3, 7))])).toStrictEqual([f32(2, 6)]);
  });

  it('the delta norm is the L2 norm over every tensor', () => {
    expect(deltaNorm([f32(3, 0), f32(4)], [f32(0, 0), f32(0)])).toBe(5);
  });
});
