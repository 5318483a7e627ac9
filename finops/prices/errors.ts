/**
 * Errors of the price sources and tables. PriceSourceError is transient or a credentials problem (retry, or fall back
 * to the offline table); PriceTableError and PriceNotFoundError mean the table in hand cannot price the run, which no
 * retry will change.
 */
import { z } from 'zod';

/** A live price source (AWS Price List, EC2 Spot price history, Azure Retail Prices) failed or answered nonsense. */
export class PriceSourceError extends Error {
  override readonly name = 'PriceSourceError';
}

/** A price table (offline, cached or live) is not valid; the message names the file or source. */
export class PriceTableError extends Error {
  override readonly name = 'PriceTableError';
}

/** The table has no price for a (cloud, region, SKU, pricing model) the run used. */
export class PriceNotFoundError extends Error {
  override readonly name = 'PriceNotFoundError';
}

/** Validates `value`; throws `error` (named after `source`) with zod's readable issue list and the zod error as cause. */
export function parseOrThrow<T extends z.ZodType>(
  schema: T,
  value: unknown,
  source: string,
  error: new (message: string, options?: { cause?: unknown }) => Error,
): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new error(`${source}:\n${z.prettifyError(result.error)}`, { cause: result.error });
}
