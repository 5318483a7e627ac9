/**
 * In-memory datasets (features and one-hot labels as flat float32 arrays) and the split into shards.
 * Shards are fixed by the run seed, so every trainer, on either cloud, sees the same examples for a shard id.
 */
import { deriveSeed, mulberry32, permutation } from './random';

export interface Dataset {
  /** size x features, row-major. */
  readonly x: Float32Array;
  /** size x classes, one-hot. */
  readonly y: Float32Array;
  readonly size: number;
  readonly features: number;
  readonly classes: number;
}

/** The examples at `indices`, in that order. */
export function subset(data: Dataset, indices: ArrayLike<number>): Dataset {
  const { features, classes } = data;
  const x = new Float32Array(indices.length * features);
  const y = new Float32Array(indices.length * classes);
  for (let i = 0; i < indices.length; i++) {
    const from = indices[i]!;
    x.set(data.x.subarray(from * features, (from + 1) * features), i * features);
    y.set(data.y.subarray(from * classes, (from + 1) * classes), i * classes);
  }
  return { x, y, size: indices.length, features, classes };
}

/** Sizes of `count` near-equal shards of `total` examples; the first `total % count` get one more. */
export function shardSizes(total: number, count: number): number[] {
  const base = Math.floor(total / count);
  return Array.from({ length: count }, (_, i) => base + (i < total % count ? 1 : 0));
}

/** Splits the training set into shards: a seeded permutation cut into contiguous near-equal parts (IID). */
export function splitShards(train: Dataset, shardIds: readonly string[], seed: number): Map<string, Dataset> {
  const order = permutation(train.size, mulberry32(deriveSeed(seed, 'shards')));
  const sizes = shardSizes(train.size, shardIds.length);
  const shards = new Map<string, Dataset>();
  let start = 0;
  shardIds.forEach((id, i) => {
    const size = sizes[i]!;
    shards.set(id, subset(train, order.subarray(start, start + size)));
    start += size;
  });
  return shards;
}

/** One-hot encodes a class index into `row` of `y`. */
export function setOneHot(y: Float32Array, row: number, classes: number, label: number): void {
  y[row * classes + label] = 1;
}
