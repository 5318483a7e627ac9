import { defaultRunConfig, parseRunConfig } from '../../../fl-training/config';
import { initBackend } from '../../../fl-training/task/backend';
import { sourceTaskData } from '../../../datasets/source';
import { shardExampleCounts } from '../../../fl-training/task/shards';
import { shardSizes, splitShards } from '../../../fl-training/task/dataset';
import { loadMnist, MNIST_FEATURES } from '../../../datasets/mnist';
import { buildModel, evaluate, getModelWeights, modelSpecs, setModelWeights } from '../../../fl-training/task/model';
import { deriveSeed, mulberry32, permutation } from '../../../fl-training/task/random';
import { initialWeights, modelShape, topologyHash, weightSpecs } from '../../../fl-training/task/topology';
import { epochOrder, trainLocal } from '../../../fl-training/task/train';

jest.setTimeout(30_000);

const fit = { localEpochs: 2, batchSize: 16, learningRate: 0.1, optimizer: 'sgd' as const };
const labelOf = (y: Float32Array, row: number, classes: number) => y.subarray(row * classes, (row + 1) * classes).indexOf(1);

let backend: string;
const noMathRandom = () => jest.spyOn(Math, 'random').mockImplementation(() => {
  throw new Error('Math.random used in training');
});

beforeAll(async () => {
  backend = await initBackend(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

describe('seeded randomness', () => {
  it('is reproducible and distinct per label', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    expect([a(), a(), a()]).toStrictEqual([b(), b(), b()]);
    expect(deriveSeed(42, 'order', 'shard-0', 1, 0)).toBe(deriveSeed(42, 'order', 'shard-0', 1, 0));
    expect(deriveSeed(42, 'order', 'shard-0', 1, 0)).not.toBe(deriveSeed(42, 'order', 'shard-0', 1, 1));
  });

  it('permutes every index exactly once', () => {
    const order = permutation(1000, mulberry32(1));
    expect([...order].sort((x, y) => x - y)).toStrictEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([...order.subarray(0, 10)]).not.toStrictEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('data', () => {
  it('splits the training set into disjoint near-equal shards, the same on every call', () => {
    expect(shardSizes(10, 3)).toStrictEqual([4, 3, 3]);
    const config = parseRunConfig({ task: 'blobs', data: { trainExamples: 100, testExamples: 30 } });
    const { train } = { train: sourceTaskData(config).shards };
    expect([...train.values()].map((s) => s.size)).toStrictEqual([34, 33, 33]);
    expect([...shardExampleCounts(config).values()]).toStrictEqual([34, 33, 33]);
    const again = splitShards({ ...concat([...train.values()]) }, ['a', 'b'], 1);
    expect(again.get('a')!.size + again.get('b')!.size).toBe(100);
  });

  it('reads MNIST balanced and deterministically, without Math.random', () => {
    noMathRandom();
    const { train, test } = loadMnist(100, 50);
    expect(train.size).toBe(100);
    expect(train.x.length).toBe(100 * MNIST_FEATURES);
    const counts = Array.from({ length: 10 }, (_, d) => Array.from({ length: 100 }, (_, i) => labelOf(train.y, i, 10)).filter((l) => l === d).length);
    expect(counts).toStrictEqual(Array(10).fill(10));
    expect(Math.max(...train.x)).toBeLessThanOrEqual(1);
    // test examples come after the training ones of each class: the first test "0" is not a training "0"
    expect(test.x.subarray(0, MNIST_FEATURES)).not.toStrictEqual(train.x.subarray(0, MNIST_FEATURES));
    expect(loadMnist(100, 50).train.x).toStrictEqual(train.x);
  });
});

describe('model', () => {
  it(`builds the named MLP whose specs match the topology (backend ${'wasm'} expected here)`, () => {
    expect(backend).toBe('wasm'); // tfjs-node-gpu is not installed on this machine
    const shape = modelShape(defaultRunConfig('mnist'));
    const model = buildModel(shape);
    expect(modelSpecs(model)).toStrictEqual(weightSpecs(shape));
    expect(weightSpecs(shape)).toStrictEqual([
      { name: 'hidden_0/kernel', shape: [784, 64], dtype: 'float32' },
      { name: 'hidden_0/bias', shape: [64], dtype: 'float32' },
      { name: 'logits/kernel', shape: [64, 10], dtype: 'float32' },
      { name: 'logits/bias', shape: [10], dtype: 'float32' },
    ]);
    // a second model in the same process keeps the same spec names (tfjs uniquifies only variable names)
    expect(modelSpecs(buildModel(shape))).toStrictEqual(weightSpecs(shape));
    expect(topologyHash(shape)).toBe(topologyHash({ ...shape }));
    expect(topologyHash({ ...shape, hidden: [32] })).not.toBe(topologyHash(shape));
  });

  it('initialises Glorot-uniform kernels and zero biases from the seed', () => {
    const shape = modelShape(defaultRunConfig('blobs'));
    const weights = initialWeights(shape, 42);
    expect(initialWeights(shape, 42)).toStrictEqual(weights);
    expect(initialWeights(shape, 43)[0]).not.toStrictEqual(weights[0]);
    const limit = Math.sqrt(6 / (4 + 16));
    expect(Math.max(...weights[0]!.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(weights[1]).toStrictEqual(new Float32Array(16));
    const model = buildModel(shape);
    setModelWeights(model, weights);
    expect(getModelWeights(model)).toStrictEqual(weights);
  });
});

describe('local training', () => {
  const config = defaultRunConfig('blobs');
  const shape = modelShape(config);
  const data = sourceTaskData(config).shards.get('shard-0')!;

  const run = (shouldStop = () => false, optimizer: 'sgd' | 'adam' = 'sgd') =>
    trainLocal({ model: buildModel(shape), data, weights: initialWeights(shape, config.seed), fit: { ...fit, optimizer }, seed: config.seed, shard: 'shard-0', round: 1, shouldStop });

  it('is bit-identical for the same shard, round and seed (SGD and Adam), with no Math.random', async () => {
    noMathRandom();
    const [a, b] = [await run(), await run()];
    expect(a.weights).toStrictEqual(b.weights);
    expect(a).toMatchObject({ examples: 2 * data.size, partial: false });
    const [c, d] = [await run(undefined, 'adam'), await run(undefined, 'adam')];
    expect(c.weights).toStrictEqual(d.weights);
    expect(c.weights).not.toStrictEqual(a.weights);
  });

  it('stops at a batch boundary and reports the examples actually processed', async () => {
    let asked = 0;
    const result = await run(() => ++asked > 3);
    expect(result).toMatchObject({ examples: 3 * fit.batchSize, partial: true });
    expect(Number.isFinite(result.loss)).toBe(true);
  });

  it('orders each epoch by its own seeded permutation', () => {
    expect(epochOrder(50, 42, 'shard-0', 1, 0)).toStrictEqual(epochOrder(50, 42, 'shard-0', 1, 0));
    expect(epochOrder(50, 42, 'shard-0', 1, 0)).not.toStrictEqual(epochOrder(50, 42, 'shard-0', 1, 1));
    expect(epochOrder(50, 42, 'shard-0', 1, 0)).not.toStrictEqual(epochOrder(50, 42, 'shard-1', 1, 0));
  });

  it('learns: accuracy on the test set rises above chance', async () => {
    const result = await run();
    const model = buildModel(shape);
    setModelWeights(model, result.weights);
    const before = buildModel(shape);
    setModelWeights(before, initialWeights(shape, config.seed));
    const { test } = sourceTaskData(config);
    expect(evaluate(model, test).accuracy).toBeGreaterThan(0.6);
    expect(evaluate(model, test).loss).toBeLessThan(evaluate(before, test).loss);
  });
});

function concat(parts: { x: Float32Array; y: Float32Array; size: number; features: number; classes: number }[]) {
  const size = parts.reduce((s, p) => s + p.size, 0);
  const x = new Float32Array(size * parts[0]!.features);
  const y = new Float32Array(size * parts[0]!.classes);
  let row = 0;
  for (const p of parts) {
    x.set(p.x, row * p.features);
    y.set(p.y, row * p.classes);
    row += p.size;
  }
  return { x, y, size, features: parts[0]!.features, classes: parts[0]!.classes };
}
