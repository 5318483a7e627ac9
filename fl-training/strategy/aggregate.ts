/**
 * Aggregation arithmetic as pure functions (after Flower's `server/strategy/aggregate.py`).
 *
 * The weighted average accumulates in float64 over results sorted by clientId, so the result is bit-identical
 * whatever order updates arrived in, and the float32 rounding happens once, at the end.
 */
import { AggregationError } from '../errors';

/** One trainer's contribution: its local weights and the examples they were trained on. */
export interface WeightedResult {
  readonly clientId: string;
  /** Examples processed; the weight of this result. */
  readonly examples: number;
  readonly values: readonly Float32Array[];
}

/** Elements accumulated at a time: the float64 accumulator chunk stays in cache across clients. */
const CHUNK = 16_384;

function checkResults(results: readonly WeightedResult[]): WeightedResult[] {
  if (results.length === 0) throw new AggregationError('cannot aggregate zero results');
  const sorted = [...results].sort((a, b) => (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.clientId === sorted[i - 1]!.clientId) throw new AggregationError(`client ${sorted[i]!.clientId} appears twice`);
  }
  const first = sorted[0]!;
  for (const r of sorted) {
    if (!Number.isSafeInteger(r.examples) || r.examples <= 0) throw new AggregationError(`client ${r.clientId} has ${r.examples} examples; need a positive integer`);
    if (r.values.length !== first.values.length) throw new AggregationError(`client ${r.clientId} has ${r.values.length} weights, ${first.clientId} has ${first.values.length}`);
    r.values.forEach((v, i) => {
      if (v.length !== first.values[i]!.length) throw new AggregationError(`client ${r.clientId} weight ${i} has ${v.length} elements, ${first.clientId} has ${first.values[i]!.length}`);
    });
  }
  return sorted;
}

/**
 * FedAvg: the example-weighted mean of the clients' weights, sum_k(n_k * w_k) / sum_k(n_k), per element.
 * Throws AggregationError on empty input, duplicate clients, non-positive example counts or shape mismatch.
 */
export function weightedAverage(results: readonly WeightedResult[]): Float32Array[] {
  const sorted = checkResults(results);
  const total = sorted.reduce((sum, r) => sum + r.examples, 0);
  const acc = new Float64Array(CHUNK);
  const layers = sorted[0]!.values.length;
  const out: Float32Array[] = [];
  for (let layer = 0; layer < layers; layer++) {
    const length = sorted[0]!.values[layer]!.length;
    const result = new Float32Array(length);
    for (let start = 0; start < length; start += CHUNK) {
      const end = Math.min(length, start + CHUNK);
      accumulateChunk(acc, sorted, layer, start, end);
      const dst = result.subarray(start, end);
      for (let j = 0; j < dst.length; j++) dst[j] = acc[j]! / total;
    }
    out.push(result);
  }
  return out;
}

/** acc[0..span) = sum_k n_k * w_k[start..end); subarray views keep the loops simple for the JIT. */
function accumulateChunk(acc: Float64Array, sorted: readonly WeightedResult[], layer: number, start: number, end: number): void {
  const span = end - start;
  const head = sorted[0]!.values[layer]!.subarray(start, end);
  const n0 = sorted[0]!.examples;
  for (let j = 0; j < span; j++) acc[j] = head[j]! * n0;
  for (let k = 1; k < sorted.length; k++) {
    const src = sorted[k]!.values[layer]!.subarray(start, end);
    const n = sorted[k]!.examples;
    for (let j = 0; j < span; j++) acc[j]! += src[j]! * n;
  }
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
