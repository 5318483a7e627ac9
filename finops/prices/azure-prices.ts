/**
 * Live Azure VM prices from the public, unauthenticated Azure Retail Prices API
 * (https://prices.azure.com/api/retail/prices, api-version 2023-01-01-preview), followed through `NextPageLink`.
 * Spot meters end in " Spot"; Low Priority meters (Batch) and Windows products are excluded; only `Consumption`
 * (pay-as-you-go) rates, never reservations or savings plans. `fetch` is injected so tests never touch the network.
 */
import { z } from 'zod';
import { PriceSourceError } from './errors';
import type { ComputePrice, PricingModel } from './schema';

export const RETAIL_PRICES_URL = 'https://prices.azure.com/api/retail/prices';
const API_VERSION = '2023-01-01-preview';
/** A run needs a handful of meters; a runaway NextPageLink chain is a bug, not a price list. */
const MAX_PAGES = 20;
const SOURCE = 'Azure Retail Prices API (Virtual Machines, Consumption, Linux)';

export type FetchLike = (url: string) => Promise<{ readonly ok: boolean; readonly status: number; json(): Promise<unknown> }>;

/** The fields of a Retail Prices item that pricing reads; the API documents more, which are kept but ignored. */
export const RetailPriceItemSchema = z.looseObject({
  currencyCode: z.string(),
  retailPrice: z.number(),
  armRegionName: z.string(),
  armSkuName: z.string(),
  meterName: z.string(),
  productName: z.string(),
  serviceName: z.string(),
  unitOfMeasure: z.string(),
  type: z.string(),
  isPrimaryMeterRegion: z.boolean().optional(),
});
export type RetailPriceItem = z.infer<typeof RetailPriceItemSchema>;

export const RetailPricesPageSchema = z.looseObject({
  BillingCurrency: z.string().optional(),
  Items: z.array(RetailPriceItemSchema),
  NextPageLink: z.string().nullable().optional(),
  Count: z.number().optional(),
});

/** The query URL of one SKU's VM meters in one region (filter values are case-sensitive in this API version). */
export function retailPricesUrl(region: string, sku: string): string {
  const filter = `serviceName eq 'Virtual Machines' and armRegionName eq '${region}' and armSkuName eq '${sku}' and priceType eq 'Consumption'`;
  return `${RETAIL_PRICES_URL}?api-version=${API_VERSION}&$filter=${encodeURIComponent(filter)}`;
}

/** Which pricing model an item is, or undefined when it is not a Linux hourly Consumption VM rate we use. */
export function pricingOf(item: RetailPriceItem): PricingModel | undefined {
  if (item.type !== 'Consumption' || item.unitOfMeasure !== '1 Hour' || item.currencyCode !== 'USD') return undefined;
  if (item.productName.endsWith(' Windows') || item.meterName.includes('Low Priority')) return undefined;
  return item.meterName.endsWith(' Spot') ? 'spot' : 'on-demand';
}

/** The Linux Spot and pay-as-you-go prices among `items`, one per (SKU, model); conflicting meters are an error. */
export function selectVmPrices(items: readonly RetailPriceItem[], asOf: string): ComputePrice[] {
  const chosen = new Map<string, ComputePrice>();
  for (const item of items) {
    const pricing = pricingOf(item);
    if (pricing === undefined || item.retailPrice <= 0 || item.isPrimaryMeterRegion === false) continue;
    const key = `${item.armRegionName} ${item.armSkuName} ${pricing}`;
    const seen = chosen.get(key);
    if (seen !== undefined && seen.usdPerHour !== item.retailPrice) {
      throw new PriceSourceError(`Retail Prices: two ${pricing} prices for ${item.armSkuName} in ${item.armRegionName}: ${seen.usdPerHour} and ${item.retailPrice}`);
    }
    chosen.set(key, { cloud: 'azure', region: item.armRegionName, sku: item.armSkuName, pricing, usdPerHour: item.retailPrice, basis: 'live', source: SOURCE, asOf });
  }
  return [...chosen.values()];
}

/** Every item of a query, page after page. */
async function fetchAllItems(fetchJson: FetchLike, firstUrl: string): Promise<RetailPriceItem[]> {
  const items: RetailPriceItem[] = [];
  let url: string | null | undefined = firstUrl;
  for (let page = 0; url; page += 1) {
    if (page === MAX_PAGES) throw new PriceSourceError(`Retail Prices: more than ${MAX_PAGES} pages for ${firstUrl}`);
    let body: unknown;
    try {
      const response = await fetchJson(url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      body = await response.json();
    } catch (error) {
      throw new PriceSourceError(`Retail Prices request failed (${url}): ${(error as Error).message}`, { cause: error });
    }
    const parsed = RetailPricesPageSchema.safeParse(body);
    if (!parsed.success) throw new PriceSourceError(`Retail Prices answered an unexpected page:\n${z.prettifyError(parsed.error)}`, { cause: parsed.error });
    items.push(...parsed.data.Items);
    url = parsed.data.NextPageLink;
  }
  return items;
}

/** Fetches live Spot and pay-as-you-go prices of `skus` in `region`. */
export async function fetchAzurePrices(fetchJson: FetchLike, region: string, skus: readonly string[], now: Date): Promise<ComputePrice[]> {
  const prices: ComputePrice[] = [];
  for (const sku of skus) {
    const found = selectVmPrices(await fetchAllItems(fetchJson, retailPricesUrl(region, sku)), now.toISOString());
    for (const pricing of ['spot', 'on-demand'] as const) {
      if (!found.some((p) => p.sku === sku && p.pricing === pricing)) throw new PriceSourceError(`Retail Prices has no Linux ${pricing} price for ${sku} in ${region}`);
    }
    prices.push(...found);
  }
  return prices;
}

/** The global fetch, as a FetchLike (the default outside tests). */
export const globalFetch: FetchLike = (url) => fetch(url, { headers: { accept: 'application/json' } });
