/**
 * Can't Be Late's published trace format (NSDI'24): one sample per `gap_seconds`, 0/1 availability and optional
 * $/h prices.
 * Sample (as the simulator's files are; the collector's raw files use 1 for available):
 *   { "metadata": { "gap_seconds": 600, "zone": "us-east-1a" }, "data": [0, 0, 1, 0], "prices": [0.91, 0.91, 0.93, 0.92] }
 * Which convention a file follows is not in the file: `--trace-encoding` says it, and is required, because a wrong
 * guess would silently invert every result.
 */
import { z } from 'zod';
import { TraceFormatError } from '../errors';
import { compactSteps, type StepTrace } from './step-trace';

export const TRACE_ENCODINGS = ['available-is-0', 'available-is-1'] as const;
export const TraceEncodingSchema = z.enum(TRACE_ENCODINGS);
export type TraceEncoding = z.infer<typeof TraceEncodingSchema>;

export const CantBeLateTraceSchema = z
  .looseObject({
    metadata: z.looseObject({ gap_seconds: z.number().positive() }),
    data: z.array(z.union([z.literal(0), z.literal(1)])).min(1, 'holds no samples'),
    prices: z.array(z.number().nonnegative()).optional(),
  })
  .refine((trace) => trace.prices === undefined || trace.prices.length === trace.data.length, {
    message: 'prices must have one entry per data sample',
    path: ['prices'],
  });

/** True when `value` looks like a Can't Be Late trace (schema errors are reported by `readCantBeLate`). */
export function looksLikeCantBeLate(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'data' in value && 'metadata' in value;
}

/** Reads a Can't Be Late trace with the given encoding. */
export function readCantBeLate(file: string, value: unknown, encoding: TraceEncoding | undefined): StepTrace {
  if (encoding === undefined) {
    throw new TraceFormatError(
      file,
      "is a Can't Be Late trace: say which value means available with --trace-encoding available-is-0 (the simulator's files) or available-is-1 (the collector's raw files)",
    );
  }
  const parsed = CantBeLateTraceSchema.safeParse(value);
  if (!parsed.success) throw new TraceFormatError(file, `not a valid Can't Be Late trace:\n${z.prettifyError(parsed.error)}`, { cause: parsed.error });
  const { metadata, data, prices } = parsed.data;
  const availableValue = encoding === 'available-is-0' ? 0 : 1;
  const steps = data.map((sample, index) => ({
    atSeconds: index * metadata.gap_seconds,
    available: sample === availableValue,
    usdPerHour: prices?.[index],
  }));
  return { file, format: 'cant-be-late', startMs: undefined, steps: compactSteps(steps), endSeconds: data.length * metadata.gap_seconds };
}
