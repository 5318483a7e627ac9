/** Reads one trace file, detecting its format from its shape (each format's module validates it with zod). */
import { readFileSync } from 'node:fs';
import { TraceFormatError } from '../errors';
import { readAwsPriceHistory, looksLikeAwsPriceHistory } from './aws-price-history';
import { looksLikeCantBeLate, readCantBeLate, type TraceEncoding } from './cant-be-late';
import { looksLikeEventHistory, readEventHistory } from './event-history';
import type { StepTrace } from './step-trace';

/** Parses trace text from `file` (named in errors). */
export function parseTrace(file: string, text: string, encoding: TraceEncoding | undefined): StepTrace {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TraceFormatError(file, `is not JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (looksLikeEventHistory(value)) return readEventHistory(file, value);
  if (looksLikeAwsPriceHistory(value)) return readAwsPriceHistory(file, value);
  if (looksLikeCantBeLate(value)) return readCantBeLate(file, value, encoding);
  throw new TraceFormatError(
    file,
    "is in no known trace format: expected Can't Be Late's { metadata.gap_seconds, data, prices? }, AWS Spot price history { SpotPriceHistory: [...] }, or an array of EventBridge events",
  );
}

/** Reads and parses the trace file at `file`. */
export function readTrace(file: string, encoding: TraceEncoding | undefined): StepTrace {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TraceFormatError(file, `cannot be read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return parseTrace(file, text, encoding);
}
