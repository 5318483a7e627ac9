/**
 * A price table: hourly GPU node prices by cloud, region, SKU and pricing model, each with where the number comes
 * from and when. The offline table (offline-table.ts), a live fetch (live.ts) and a cached live fetch all have this
 * shape, so pricing a ledger never cares where its prices came from.
 */
import { z } from 'zod';
import { CloudSchema } from '../../protocol/run-status';

/** Spot (AWS Spot, Azure Spot priority) or on-demand (AWS On-Demand, Azure pay-as-you-go). */
export const PricingModelSchema = z.enum(['spot', 'on-demand']);
export type PricingModel = z.infer<typeof PricingModelSchema>;

/**
 * How trustworthy a number is: `published` was read from a dated public source; `illustrative` could not be sourced
 * offline and only shows the order of magnitude; `live` was fetched from the provider's API at `asOf`.
 */
export const PriceBasisSchema = z.enum(['published', 'illustrative', 'live']);
export type PriceBasis = z.infer<typeof PriceBasisSchema>;

const IsoDay = z.iso.date();

export const ComputePriceSchema = z.strictObject({
  cloud: CloudSchema,
  /** AWS region code (us-east-1) or Azure armRegionName (eastus). */
  region: z.string().min(1),
  /** EC2 instance type or Azure armSkuName. */
  sku: z.string().min(1),
  pricing: PricingModelSchema,
  usdPerHour: z.number().positive(),
  basis: PriceBasisSchema,
  source: z.string().min(1),
  /** The day the number was read or fetched (or, for a live price, the instant). */
  asOf: z.union([IsoDay, z.iso.datetime()]),
});
export type ComputePrice = z.infer<typeof ComputePriceSchema>;

export const PriceTableSchema = z.strictObject({
  name: z.string().min(1),
  /** The oldest date of any price in the table. */
  asOf: z.union([IsoDay, z.iso.datetime()]),
  source: z.string().min(1),
  /** Where a region the table lacks is priced instead (with a note in every cost report that does so). */
  referenceRegions: z.strictObject({ aws: z.string().min(1), azure: z.string().min(1) }),
  compute: z.array(ComputePriceSchema).min(1),
});
export type PriceTable = z.infer<typeof PriceTableSchema>;

/** A live fetch written to disk (`spot-on cost --prices live --price-cache <file>`), read back with `--prices <file>`. */
export const PriceCacheSchema = z.strictObject({
  version: z.literal(1),
  fetchedAt: z.iso.datetime(),
  table: PriceTableSchema,
});
export type PriceCache = z.infer<typeof PriceCacheSchema>;
