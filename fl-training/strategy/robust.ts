/**
 * Aggregation that bounds what one trainer can do to the global model (after Flower's FedAvg with fixed clipping
 * and FedMedian). Both take the results' deltas from the current global weights:
 * - clipping scales each delta down to an L2 norm of at most `clipNorm`, so one update moves the model at most that
 *   far, whatever it claims; FedAvg then averages as usual;
 * - the coordinate-wise median ignores the example counts and takes, per weight, the median of the results: a
 *   minority of arbitrary updates cannot pull any weight outside the honest values' range.
 */
import type { WeightedResult } from './aggregate';

/** L2 norm of `values - current` over every tensor, in float64. */
export function deltaNorm(values: readonly Float32Array[], current: readonly Float32Array[]): number {
  let sum = 0;
  values.forEach((tensor, layer) => {
    const base = current[layer]!;
    for (let j = 0; j < tensor.length; j++) {
      const d = tensor[j]! - base[j]!;
      sum += d * d;
    }
  });
  return Math.sqrt(sum);
}

/** Each result with its delta scaled to an L2 norm of at most `clipNorm` (results within it are kept as they are). */
export function clipToNorm(results: readonly WeightedResult[], current: readonly Float32Array[], clipNorm: number): WeightedResult[] {
  return results.map((result) => {
    const norm = deltaNorm(result.values, current);
    if (norm <= clipNorm) return result;
    const scale = clipNorm / norm;
    const values = result.values.map((tensor, layer) => {
      const base = current[layer]!;
      const out = new Float32Array(tensor.length);
      for (let j = 0; j < tensor.length; j++) out[j] = base[j]! + (tensor[j]! - base[j]!) * scale;
      return out;
    });
    return { ...result, values };
  });
}

/** Per weight, the median of the results' values (the mean of the two middle ones for an even count). */
export function coordinateMedian(results: readonly WeightedResult[]): Float32Array[] {
  const count = results.length;
  const column = new Float64Array(count);
  return results[0]!.values.map((first, layer) => {
    const out = new Float32Array(first.length);
    for (let j = 0; j < first.length; j++) {
      for (let k = 0; k < count; k++) column[k] = results[k]!.values[layer]![j]!;
      column.sort();
      const middle = count >> 1;
      out[j] = count % 2 === 1 ? column[middle]! : (column[middle - 1]! + column[middle]!) / 2;
    }
    return out;
  });
}
