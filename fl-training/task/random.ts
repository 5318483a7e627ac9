/**
 * Seeded randomness for everything training does: data order, synthetic data, initial weights. Nothing in
 * training calls Math.random, so a run is reproducible from its seed on any machine and any backend.
 */
import { createHash } from 'node:crypto';

/** A generator of uniform floats in [0, 1). */
export type Rng = () => number;

/** mulberry32: a small, fast 32-bit generator; plenty for shuffling and initialisation. */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A 32-bit seed derived from the run seed and labels, so independent streams never share a sequence. */
export function deriveSeed(seed: number, ...labels: ReadonlyArray<string | number>): number {
  return createHash('sha256').update(`${seed}/${labels.join('/')}`).digest().readUInt32LE(0);
}

/** A seeded Fisher-Yates permutation of 0..n-1. */
export function permutation(n: number, rng: Rng): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = order[i]!;
    order[i] = order[j]!;
    order[j] = tmp;
  }
  return order;
}

/** A standard normal sample (Box-Muller). */
export function gaussian(rng: Rng): number {
  const u = 1 - rng(); // (0, 1]: log never sees 0
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
