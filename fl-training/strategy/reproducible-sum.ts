/**
 * A weighted sum of float32 tensors that gives the same bits whatever order the terms arrive in, folded one term at
 * a time in constant memory: the aggregator no longer has to hold every update of a round to sort them.
 *
 * Floating-point addition is not associative, so a plain float64 accumulator depends on arrival order. This is a
 * two-level binned sum (after Demmel and Nguyen's reproducible summation, as in ReproBLAS):
 * - Every term t = n x w (exact in float64: a float32 times an integer below 2^29) is split on two fixed grids, a
 *   coarse one g1 and a fine one g2 = g1 / 2^HEADROOM_BITS: q1 = t rounded to g1, q2 = (t - q1) rounded to g2.
 *   Rounding to a grid is one add and one subtract of a constant whose last mantissa bit is the grid step.
 * - The split depends only on the term, and the per-element sums of q1 and of q2 are exact (every part is a
 *   multiple of its grid, and the grids are chosen from a bound on the sum so that no partial sum leaves float64's
 *   53-bit range). Exact sums do not depend on order, so neither does the final fl(S1 + S2) / total.
 * - What is dropped is each term's remainder below g2, at most g2 / 2: for the drill's run 2^-57, far below
 *   float32's resolution.
 * Cost: two float64 accumulators per weight (16 bytes), whatever the number of trainers.
 */
import { AggregationError } from '../errors';

/** Elements per block: a block of both accumulators (2 x 128 KiB) stays in cache while every term of a batch is added. */
const BLOCK = 16_384;

/**
 * Adds every term of a batch to one block of the accumulators (written rather than added when `overwrite`). Plain
 * function, every value an argument or a local: V8 compiles one tight loop.
 */
function addBlock(s1: Float64Array, s2: Float64Array, tensors: readonly Float32Array[], weights: readonly number[], start: number, end: number, overwrite: boolean, c1: number, c2: number): void {
  for (let k = 0; k < tensors.length; k++) {
    const tensor = tensors[k]!;
    const weight = weights[k]!;
    if (k === 0 && overwrite) {
      for (let j = start; j < end; j++) {
        const t = tensor[j]! * weight;
        const q1 = t + c1 - c1;
        s1[j] = q1;
        s2[j] = t - q1 + c2 - c2;
      }
      continue;
    }
    for (let j = start; j < end; j++) {
      const t = tensor[j]! * weight;
      const q1 = t + c1 - c1;
      s1[j]! += q1;
      s2[j]! += t - q1 + c2 - c2;
    }
  }
}

/** How much finer the second grid is than the first; S2 stays exact for 2^(54 - HEADROOM_BITS) terms. */
const HEADROOM_BITS = 40;
/** Terms added before S2 is folded into S1 (exactly) so that it never leaves its exact range. */
const RENORMALISE_EVERY = 2 ** (53 - HEADROOM_BITS);

export class ReproducibleSum {
  private readonly s1: Float64Array[];
  private readonly s2: Float64Array[];
  /** 1.5 x 2^E and 1.5 x 2^(E - HEADROOM_BITS): adding then subtracting one rounds to g1, resp. g2. */
  private readonly c1: number;
  private readonly c2: number;
  private sinceRenormalised = 0;
  /** The next add writes the accumulators instead of adding to them: a reset costs no pass over memory. */
  private empty = true;

  /**
   * `lengths`: the tensors' element counts. `bound`: an upper bound on the sum of |n x w| over every term that will
   * be added, per element (e.g. the round's total examples times the largest accepted |weight|).
   */
  constructor(
    lengths: readonly number[],
    private readonly bound: number,
  ) {
    if (!(bound > 0) || !Number.isFinite(bound)) throw new AggregationError(`reproducible sum: bound ${bound} must be positive and finite`);
    // |t| <= bound <= 2^(E-2): t + c1 stays in [2^E, 2^(E+1)), and |S1| <= 2^(E-1) stays within 2^53 steps of g1.
    const e = Math.ceil(Math.log2(bound)) + 2;
    this.c1 = 1.5 * 2 ** e;
    this.c2 = 1.5 * 2 ** (e - HEADROOM_BITS);
    this.s1 = lengths.map((n) => new Float64Array(n));
    this.s2 = lengths.map((n) => new Float64Array(n));
  }

  /** Whether this sum has the given tensor sizes and bound (and so can be reset and reused). */
  fits(lengths: readonly number[], bound: number): boolean {
    return this.bound === bound && lengths.length === this.s1.length && lengths.every((n, i) => this.s1[i]!.length === n);
  }

  /** Back to zero, keeping the memory (a round's sum is reused for the next). */
  reset(): void {
    this.empty = true;
    this.sinceRenormalised = 0;
  }

  /** Adds weight x values, element by element. */
  add(values: readonly Float32Array[], weight: number): void {
    this.addBatch([{ values, weight }]);
  }

  /**
   * Adds several terms in one pass over the accumulators, block by block: the accumulators' memory traffic is paid
   * once per batch instead of once per term. The result is the same as adding them one by one, in any order.
   */
  addBatch(terms: readonly { readonly values: readonly Float32Array[]; readonly weight: number }[]): void {
    for (const { values } of terms) {
      if (values.length !== this.s1.length) throw new AggregationError(`reproducible sum: ${values.length} tensors, expected ${this.s1.length}`);
      values.forEach((tensor, layer) => {
        if (tensor.length !== this.s1[layer]!.length) throw new AggregationError(`reproducible sum: tensor ${layer} has ${tensor.length} elements, expected ${this.s1[layer]!.length}`);
      });
    }
    // Each chunk of terms leaves S2 within its exact range (RENORMALISE_EVERY terms at most between carries).
    for (let first = 0; first < terms.length; ) {
      const chunk = terms.slice(first, first + RENORMALISE_EVERY - this.sinceRenormalised);
      first += chunk.length;
      const weights = chunk.map((term) => term.weight);
      for (let layer = 0; layer < this.s1.length; layer++) {
        const tensors = chunk.map((term) => term.values[layer]!);
        const length = this.s1[layer]!.length;
        for (let start = 0; start < length; start += BLOCK) addBlock(this.s1[layer]!, this.s2[layer]!, tensors, weights, start, Math.min(length, start + BLOCK), this.empty, this.c1, this.c2);
      }
      this.empty = false;
      this.sinceRenormalised += chunk.length;
      if (this.sinceRenormalised >= RENORMALISE_EVERY) this.renormalise();
    }
  }

  /**
   * fl(S1 + S2) x (1 / divisor) per element, rounded once more to float32. A multiplication by the reciprocal is
   * cheaper than a division and as deterministic. Does not change the sum.
   */
  quotient(divisor: number): Float32Array[] {
    if (this.empty) return this.s1.map((s1) => new Float32Array(s1.length));
    const scale = 1 / divisor;
    return this.s1.map((s1, layer) => {
      const s2 = this.s2[layer]!;
      const out = new Float32Array(s1.length);
      for (let j = 0; j < s1.length; j++) out[j] = (s1[j]! + s2[j]!) * scale;
      return out;
    });
  }

  /** Moves S2's multiples of g1 into S1: both stay exact and their sum is unchanged. */
  private renormalise(): void {
    const { c1 } = this;
    this.s1.forEach((s1, layer) => {
      const s2 = this.s2[layer]!;
      for (let j = 0; j < s1.length; j++) {
        const carry = s2[j]! + c1 - c1;
        s1[j]! += carry;
        s2[j]! -= carry;
      }
    });
    this.sinceRenormalised = 0;
  }
}
