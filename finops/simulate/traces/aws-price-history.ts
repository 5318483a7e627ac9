/**
 * AWS Spot price history, as `aws ec2 describe-spot-price-history` prints it.
 * Sample:
 *   { "SpotPriceHistory": [ { "AvailabilityZone": "us-east-1a", "InstanceType": "g5.xlarge",
 *       "ProductDescription": "Linux/UNIX", "SpotPrice": "0.402500", "Timestamp": "2026-03-01T10:04:12+00:00" } ] }
 * Price history says nothing about capacity: the pool is taken as available throughout, at the recorded price
 * (a step function, the first price held back to the window's start and the last one held on).
 */
import { z } from 'zod';
import { TraceFormatError } from '../errors';
import { compactSteps, type StepTrace } from './step-trace';

export const SpotPriceRecordSchema = z.looseObject({
  AvailabilityZone: z.string().min(1),
  InstanceType: z.string().min(1),
  ProductDescription: z.string().min(1),
  SpotPrice: z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal string such as "0.9"'),
  Timestamp: z.iso.datetime({ offset: true }),
});

export const SpotPriceHistorySchema = z.looseObject({
  SpotPriceHistory: z.array(SpotPriceRecordSchema).min(1, 'holds no price records'),
});

/** True when `value` looks like price history (schema errors are reported by `readAwsPriceHistory`). */
export function looksLikeAwsPriceHistory(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'SpotPriceHistory' in value;
}

/** Reads one series (one zone, instance type and product) of Spot price history. */
export function readAwsPriceHistory(file: string, value: unknown): StepTrace {
  const parsed = SpotPriceHistorySchema.safeParse(value);
  if (!parsed.success) throw new TraceFormatError(file, `not valid Spot price history:\n${z.prettifyError(parsed.error)}`, { cause: parsed.error });
  const records = parsed.data.SpotPriceHistory;
  const series = [...new Set(records.map((record) => `${record.AvailabilityZone} ${record.InstanceType} ${record.ProductDescription}`))];
  if (series.length > 1) throw new TraceFormatError(file, `holds ${series.length} series (${series.join('; ')}): keep one zone, instance type and product per file`);
  const timed = records
    .map((record) => ({ ms: Date.parse(record.Timestamp), usdPerHour: Number(record.SpotPrice) }))
    .sort((a, b) => a.ms - b.ms);
  const startMs = timed[0]?.ms ?? 0;
  const steps = timed.map((record) => ({ atSeconds: (record.ms - startMs) / 1000, available: true, usdPerHour: record.usdPerHour }));
  // Two records at one instant: the later in the file's sorted order wins, as a step function must have one value.
  const deduplicated = steps.filter((step, index) => steps[index + 1]?.atSeconds !== step.atSeconds);
  return { file, format: 'aws-spot-price-history', startMs, steps: compactSteps(deduplicated), endSeconds: undefined };
}
