/**
 * The common shape every trace format is read into: a step function of Spot capacity and price over time, and how
 * it becomes the engine's ticks. A tick has capacity only if the trace has it for the whole tick (a reclaim inside
 * a tick loses that tick); its price is the price in effect when the tick starts.
 */
import { TraceFormatError } from '../errors';

export const TRACE_FORMATS = ['cant-be-late', 'aws-spot-price-history', 'event-history'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

export interface TraceStep {
  /** Seconds from the trace's start; the first step is at 0. */
  readonly atSeconds: number;
  readonly available: boolean;
  /** $/h of Spot from this step on; undefined when the trace has no prices. */
  readonly usdPerHour: number | undefined;
}

export interface StepTrace {
  readonly file: string;
  readonly format: TraceFormat;
  /** Wall-clock start (ms since the epoch) of a format with timestamps; undefined for Can't Be Late files. */
  readonly startMs: number | undefined;
  /** Sorted by time, the first at 0 s. */
  readonly steps: readonly TraceStep[];
  /** Seconds covered; undefined when the last step holds on (price history and event history). */
  readonly endSeconds: number | undefined;
}

/** Steps without repeats (a step equal to the one before it is dropped). */
export function compactSteps(steps: readonly TraceStep[]): TraceStep[] {
  const kept: TraceStep[] = [];
  for (const step of steps) {
    const last = kept.at(-1);
    if (last !== undefined && last.available === step.available && last.usdPerHour === step.usdPerHour) continue;
    kept.push(step);
  }
  return kept;
}

/**
 * Resamples `trace` to `ticks` ticks of `tickSeconds`, the trace starting `offsetSeconds` after the window (a
 * timestamped trace that starts later holds its first step back to the window's start). `fallbackUsdPerHour`
 * prices a trace without prices; without either, a TraceFormatError names the file.
 */
export function resample(
  trace: StepTrace,
  offsetSeconds: number,
  ticks: number,
  tickSeconds: number,
  fallbackUsdPerHour: number | undefined,
): { available: Uint8Array; usdPerHour: Float64Array } {
  const steps = trace.steps;
  const available = new Uint8Array(ticks);
  const usdPerHour = new Float64Array(ticks);
  let current = 0;
  for (let tick = 0; tick < ticks; tick += 1) {
    const from = tick * tickSeconds - offsetSeconds;
    const to = from + tickSeconds;
    while (current + 1 < steps.length && (steps[current + 1]?.atSeconds ?? Infinity) <= from) current += 1;
    const first = steps[current];
    if (first === undefined) throw new TraceFormatError(trace.file, 'holds no samples');
    let up = first.available;
    for (let next = current + 1; up && next < steps.length && (steps[next]?.atSeconds ?? Infinity) < to; next += 1) {
      up = steps[next]?.available ?? false;
    }
    const price = first.usdPerHour ?? fallbackUsdPerHour;
    if (price === undefined) throw new TraceFormatError(trace.file, 'has no Spot prices: give --spot-price');
    available[tick] = up ? 1 : 0;
    usdPerHour[tick] = price;
  }
  return { available, usdPerHour };
}
