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
 * Cost: two float64 accumulators per weight (16 bytes), whatever the number of trainers. The loops run as WebAssembly
 * SIMD (kernel/binned-sum.ts), on the same IEEE-754 arithmetic, so the bits do not depend on where the sum runs.
 */
import { AggregationError } from '../errors';
import { addToPiece, carry, layOut, quotientOf, type Piece, type Term } from './kernel/binned-sum';

/** How much finer the second grid is than the first; S2 stays exact for 2^(54 - HEADROOM_BITS) terms. */
const HEADROOM_BITS = 40;
/** Terms added before S2 is folded into S1 (exactly) so that it never leaves its exact range. */
const RENORMALISE_EVERY = 2 ** (53 - HEADROOM_BITS);

export class ReproducibleSum {
  private readonly pieces: readonly Piece[];
  private readonly lengths: readonly number[];
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
    this.lengths = [...lengths];
    this.pieces = layOut(lengths);
  }

  /** Whether this sum has the given tensor sizes and bound (and so can be reset and reused). */
  fits(lengths: readonly number[], bound: number): boolean {
    return this.bound === bound && lengths.length === this.lengths.length && lengths.every((n, i) => this.lengths[i] === n);
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
   * once per four terms instead of once per term. The result is the same as adding them one by one, in any order.
   */
  addBatch(terms: readonly Term[]): void {
    this.addTerms(terms);
  }

  /**
   * addBatch, then quotient(divisor), in one pass: each block's quotient is taken while the block is in cache. The
   * same bits as the two calls.
   */
  addBatchThenQuotient(terms: readonly Term[], divisor: number): Float32Array[] {
    if (terms.length === 0) return this.quotient(divisor);
    const out = this.lengths.map((n) => new Float32Array(n));
    this.addTerms(terms, { scale: 1 / divisor, out });
    return out;
  }

  /**
   * fl(S1 + S2) x (1 / divisor) per element, rounded once more to float32. A multiplication by the reciprocal is
   * cheaper than a division and as deterministic. Does not change the sum.
   */
  quotient(divisor: number): Float32Array[] {
    const out = this.lengths.map((n) => new Float32Array(n));
    if (this.empty) return out;
    for (const piece of this.pieces) quotientOf(piece, 1 / divisor, out);
    return out;
  }

  private addTerms(terms: readonly Term[], quotient?: { scale: number; out: readonly Float32Array[] }): void {
    for (const { values } of terms) {
      if (values.length !== this.lengths.length) throw new AggregationError(`reproducible sum: ${values.length} tensors, expected ${this.lengths.length}`);
      values.forEach((tensor, layer) => {
        if (tensor.length !== this.lengths[layer]) throw new AggregationError(`reproducible sum: tensor ${layer} has ${tensor.length} elements, expected ${this.lengths[layer]}`);
      });
    }
    // Each chunk of terms leaves S2 within its exact range (RENORMALISE_EVERY terms at most between carries).
    for (let first = 0; first < terms.length; ) {
      const chunk = terms.slice(first, first + RENORMALISE_EVERY - this.sinceRenormalised);
      first += chunk.length;
      const last = first >= terms.length;
      for (const piece of this.pieces) addToPiece(piece, chunk, this.empty, this.c1, this.c2, last ? quotient : undefined);
      this.empty = false;
      this.sinceRenormalised += chunk.length;
      if (this.sinceRenormalised >= RENORMALISE_EVERY) this.renormalise();
    }
  }

  /** Moves S2's multiples of g1 into S1: both stay exact and their sum is unchanged. */
  private renormalise(): void {
    for (const piece of this.pieces) carry(piece, this.c1);
    this.sinceRenormalised = 0;
  }
}
