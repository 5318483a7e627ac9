/**
 * Aggregation arithmetic as pure functions (after Flower's `server/strategy/aggregate.py`).
 *
 * The weighted average is folded one result at a time into a reproducible sum (reproducible-sum.ts): the result is
 * bit-identical whatever order updates arrived in, no result needs to be held once it is added, and the float32
 * rounding happens once, at the end.
 */
import { AggregationError } from '../errors';
import { ReproducibleSum } from './reproducible-sum';

/** One trainer's contribution: its local weights and the examples they were trained on. */
export interface WeightedResult {
  readonly clientId: string;
  /** Examples processed; the weight of this result. */
  readonly examples: number;
  readonly values: readonly Float32Array[];
}

/** Example counts up to 2^29 keep n x w exact in float64 (a float32 has 24 significant bits). */
const MAX_EXAMPLES = 2 ** 29;
/**
 * Results held before they are added together in one pass over the sum (reproducible-sum.ts addBatch): the sum's
 * memory traffic is paid once per batch. The last batch is added by average() in the same pass as the quotient.
 * Memory: the sum plus at most BATCH results, whatever the trainers.
 */
const BATCH = 4;

/**
 * FedAvg over results given one at a time: sum_k(n_k * w_k) / sum_k(n_k), per element, in constant memory.
 * `bound` is an upper bound on sum_k |n_k * w_k| per element over every result to come (reproducible-sum.ts).
 */
export class WeightedAverageFold {
  private readonly sum: ReproducibleSum;
  private readonly clients = new Set<string>();
  private readonly held: { values: readonly Float32Array[]; weight: number }[] = [];
  private total = 0;

  /** `reuse`: a sum of a previous fold to reset and fill again (its memory is kept), if it fits. */
  constructor(
    private readonly lengths: readonly number[],
    bound: number,
    reuse?: ReproducibleSum,
  ) {
    this.sum = reuse?.fits(lengths, bound) ? reuse : new ReproducibleSum(lengths, bound);
    this.sum.reset();
  }

  /** The sum underneath, for the next round's fold to reuse. */
  get workspace(): ReproducibleSum {
    return this.sum;
  }

  /** Folds one result in; AggregationError on a repeated client, a bad example count or another shape. */
  add(result: WeightedResult): void {
    if (this.clients.has(result.clientId)) throw new AggregationError(`client ${result.clientId} appears twice`);
    if (!Number.isSafeInteger(result.examples) || result.examples <= 0 || result.examples > MAX_EXAMPLES) {
      throw new AggregationError(`client ${result.clientId} has ${result.examples} examples; need a positive integer up to 2^29`);
    }
    if (result.values.length !== this.lengths.length) throw new AggregationError(`client ${result.clientId} has ${result.values.length} weights, expected ${this.lengths.length}`);
    result.values.forEach((v, i) => {
      if (v.length !== this.lengths[i]) throw new AggregationError(`client ${result.clientId} weight ${i} has ${v.length} elements, expected ${this.lengths[i]}`);
    });
    if (this.held.length >= BATCH) this.sum.addBatch(this.held.splice(0));
    this.held.push({ values: result.values, weight: result.examples });
    this.clients.add(result.clientId);
    this.total += result.examples;
  }

  /** The average so far (the fold can go on after it). */
  average(): Float32Array[] {
    if (this.total === 0) throw new AggregationError('cannot aggregate zero results');
    return this.sum.addBatchThenQuotient(this.held.splice(0), this.total);
  }
}

/** The largest |value| over tensors. */
export function largestAbs(tensors: readonly Float32Array[]): number {
  let max = 0;
  for (const tensor of tensors) for (const v of tensor) if (Math.abs(v) > max) max = Math.abs(v);
  return max;
}

/** The largest |value| over every tensor of every result. */
export function maxAbsValue(results: readonly WeightedResult[]): number {
  return results.reduce((max, r) => Math.max(max, largestAbs(r.values)), 0);
}

/**
 * FedAvg of results all in hand, with the sum's bound taken from them. Throws AggregationError on empty input,
 * duplicate clients, non-positive example counts or shape mismatch.
 */
export function weightedAverage(results: readonly WeightedResult[]): Float32Array[] {
  if (results.length === 0) throw new AggregationError('cannot aggregate zero results');
  const examples = results.reduce((sum, r) => sum + Math.max(0, r.examples), 0);
  const fold = new WeightedAverageFold(results[0]!.values.map((v) => v.length), Math.max(1, examples * maxAbsValue(results)));
  for (const r of results) fold.add(r);
  return fold.average();
}

/** Server-side Adam hyper-parameters (Reddi et al., "Adaptive Federated Optimization"). */
export interface AdamHyper {
  readonly eta: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly tau: number;
}

/** Server optimizer moments (float32, stored exactly in the checkpoint) and the step count. */
export interface AdamMoments {
  readonly step: number;
  readonly m: readonly Float32Array[];
  readonly v: readonly Float32Array[];
}

/**
 * One FedAdam server step on the pseudo-gradient delta = average - current:
 * m = b1 m + (1-b1) delta; v = b2 v + (1-b2) delta^2; w = current + eta_t m / (sqrt(v) + tau),
 * with bias correction eta_t = eta sqrt(1 - b2^t) / (1 - b1^t). Pure: returns new arrays.
 */
export function fedAdamStep(current: readonly Float32Array[], average: readonly Float32Array[], moments: AdamMoments, hyper: AdamHyper): { weights: Float32Array[]; moments: AdamMoments } {
  if (average.length !== current.length || moments.m.length !== current.length || moments.v.length !== current.length) {
    throw new AggregationError(`FedAdam: ${current.length} current, ${average.length} averaged, ${moments.m.length}/${moments.v.length} moment tensors`);
  }
  const step = moments.step + 1;
  const etaT = (hyper.eta * Math.sqrt(1 - hyper.beta2 ** step)) / (1 - hyper.beta1 ** step);
  const m: Float32Array[] = [];
  const v: Float32Array[] = [];
  const weights = current.map((w, layer) => {
    const avg = average[layer]!;
    const mPrev = moments.m[layer]!;
    const vPrev = moments.v[layer]!;
    if (avg.length !== w.length || mPrev.length !== w.length || vPrev.length !== w.length) throw new AggregationError(`FedAdam: tensor ${layer} sizes differ`);
    const mNext = new Float32Array(w.length);
    const vNext = new Float32Array(w.length);
    const out = new Float32Array(w.length);
    for (let j = 0; j < w.length; j++) {
      const delta = avg[j]! - w[j]!;
      mNext[j] = hyper.beta1 * mPrev[j]! + (1 - hyper.beta1) * delta;
      vNext[j] = hyper.beta2 * vPrev[j]! + (1 - hyper.beta2) * delta * delta;
      out[j] = w[j]! + (etaT * mNext[j]!) / (Math.sqrt(vNext[j]!) + hyper.tau);
    }
    m.push(mNext);
    v.push(vNext);
    return out;
  });
  return { weights, moments: { step, m, v } };
}
