/** Finding one price in a table, falling back to the table's reference region when the wanted region is missing. */
import type { Cloud } from '../../protocol/run-status';
import { PriceNotFoundError } from './errors';
import type { ComputePrice, PriceTable, PricingModel } from './schema';

export interface PriceQuery {
  readonly cloud: Cloud;
  readonly region: string;
  readonly sku: string;
  readonly pricing: PricingModel;
}

export interface FoundPrice {
  readonly price: ComputePrice;
  /** Set when the table lacks `region` and the reference region's price was used instead. */
  readonly fallbackNote?: string;
}

const matches = (query: PriceQuery, region: string) => (p: ComputePrice) => p.cloud === query.cloud && p.region === region && p.sku === query.sku && p.pricing === query.pricing;

/** The table's price for `query`, in its own region if the table has it, else in the table's reference region. */
export function findPrice(table: PriceTable, query: PriceQuery): FoundPrice {
  const exact = table.compute.find(matches(query, query.region));
  if (exact) return { price: exact };
  const reference = table.referenceRegions[query.cloud];
  const fallback = table.compute.find(matches(query, reference));
  if (fallback) {
    return { price: fallback, fallbackNote: `${query.cloud} ${query.sku} ${query.pricing}: no ${query.region} price in the ${table.name} table, priced at ${reference}` };
  }
  throw new PriceNotFoundError(`the ${table.name} price table has no ${query.pricing} price for ${query.cloud} ${query.sku} in ${query.region} or ${reference}`);
}
