/**
 * Live AWS GPU prices: Spot from EC2 DescribeSpotPriceHistory, On-Demand from the Price List Query API
 * (GetProducts, served from us-east-1 whatever the region priced). The parsing is pure and exported for the tests;
 * the two fetches are thin adapters over the SDK clients.
 */
import { EC2Client, paginateDescribeSpotPriceHistory, type _InstanceType, type SpotPrice } from '@aws-sdk/client-ec2';
import { paginateGetProducts, PricingClient } from '@aws-sdk/client-pricing';
import { z } from 'zod';
import { PriceSourceError } from './errors';
import type { ComputePrice } from './schema';

const SPOT_SOURCE = 'EC2 DescribeSpotPriceHistory (Linux/UNIX), mean of the latest price in each availability zone';
const ON_DEMAND_SOURCE = 'AWS Price List Query API GetProducts (AmazonEC2, Linux, Shared, preInstalledSw NA, capacitystatus Used)';

/** The Price List API answers only in us-east-1 (and a few others); this is the endpoint the docs name. */
export const PRICING_API_REGION = 'us-east-1';

/** Per instance type, the mean over availability zones of each zone's most recent Linux/UNIX Spot price. */
export function latestSpotPrices(history: readonly SpotPrice[]): Map<string, number> {
  const latest = new Map<string, { at: number; usd: number }>();
  for (const entry of history) {
    const usd = Number(entry.SpotPrice);
    if (entry.InstanceType === undefined || entry.AvailabilityZone === undefined || !Number.isFinite(usd) || usd <= 0) continue;
    const key = `${entry.InstanceType} ${entry.AvailabilityZone}`;
    const at = entry.Timestamp?.getTime() ?? 0;
    const seen = latest.get(key);
    if (seen === undefined || at > seen.at) latest.set(key, { at, usd });
  }
  const byType = new Map<string, number[]>();
  for (const [key, { usd }] of latest) {
    const type = key.split(' ')[0] as string;
    byType.set(type, [...(byType.get(type) ?? []), usd]);
  }
  return new Map([...byType].map(([type, prices]) => [type, prices.reduce((a, b) => a + b, 0) / prices.length]));
}

/** One PriceList item of GetProducts (a JSON string), reduced to what pricing needs. */
const PriceListItemSchema = z.looseObject({
  product: z.looseObject({ attributes: z.looseObject({ instanceType: z.string(), regionCode: z.string().optional() }) }),
  terms: z.looseObject({
    OnDemand: z.record(
      z.string(),
      z.looseObject({ priceDimensions: z.record(z.string(), z.looseObject({ unit: z.string(), pricePerUnit: z.looseObject({ USD: z.string() }) })) }),
    ),
  }),
});

/** The hourly On-Demand USD price of one PriceList item, with its instance type. */
export function parseOnDemandItem(item: string): { instanceType: string; usdPerHour: number } {
  let json: unknown;
  try {
    json = JSON.parse(item);
  } catch (error) {
    throw new PriceSourceError('GetProducts returned a PriceList item that is not JSON', { cause: error });
  }
  const parsed = PriceListItemSchema.safeParse(json);
  if (!parsed.success) throw new PriceSourceError(`GetProducts returned an unexpected PriceList item:\n${z.prettifyError(parsed.error)}`, { cause: parsed.error });
  const hourly = Object.values(parsed.data.terms.OnDemand)
    .flatMap((term) => Object.values(term.priceDimensions))
    .filter((dimension) => dimension.unit === 'Hrs')
    .map((dimension) => Number(dimension.pricePerUnit.USD))
    .filter((usd) => Number.isFinite(usd) && usd > 0);
  const usdPerHour = hourly[0];
  if (usdPerHour === undefined || hourly.some((usd) => usd !== usdPerHour)) {
    throw new PriceSourceError(`GetProducts: expected one hourly On-Demand price for ${parsed.data.product.attributes.instanceType}, found [${hourly.join(', ')}]`);
  }
  return { instanceType: parsed.data.product.attributes.instanceType, usdPerHour };
}

/** GetProducts' PriceList as strings: the SDK types it loosely and hands out lazy JSON strings at run time. */
function priceListItems(list: unknown): string[] {
  return Array.isArray(list) ? list.map((item) => String(item)) : [];
}

/** The GetProducts filters that select one Linux, shared-tenancy, On-Demand product per instance type and region. */
export function onDemandFilters(instanceType: string, region: string) {
  const term = (Field: string, Value: string) => ({ Type: 'TERM_MATCH' as const, Field, Value });
  return [term('instanceType', instanceType), term('regionCode', region), term('operatingSystem', 'Linux'), term('tenancy', 'Shared'), term('preInstalledSw', 'NA'), term('capacitystatus', 'Used')];
}

/** Fetches live AWS prices of `instanceTypes` in `region` (both pricing models). */
export async function fetchAwsPrices(
  clients: { readonly ec2: EC2Client; readonly pricing: PricingClient },
  region: string,
  instanceTypes: readonly string[],
  now: Date,
): Promise<ComputePrice[]> {
  const asOf = now.toISOString();
  const history: SpotPrice[] = [];
  try {
    // StartTime = EndTime = now: the API then returns each zone's price in effect now (its last change before it).
    const pages = paginateDescribeSpotPriceHistory({ client: clients.ec2 }, { InstanceTypes: instanceTypes as _InstanceType[], ProductDescriptions: ['Linux/UNIX'], StartTime: now, EndTime: now });
    for await (const page of pages) history.push(...(page.SpotPriceHistory ?? []));
  } catch (error) {
    throw new PriceSourceError(`DescribeSpotPriceHistory failed in ${region}: ${(error as Error).message}`, { cause: error });
  }
  const spot = latestSpotPrices(history);
  const prices: ComputePrice[] = [...spot].map(([sku, usdPerHour]) => ({ cloud: 'aws', region, sku, pricing: 'spot', usdPerHour, basis: 'live', source: SPOT_SOURCE, asOf }));
  for (const instanceType of instanceTypes) {
    const items: string[] = [];
    try {
      for await (const page of paginateGetProducts({ client: clients.pricing }, { ServiceCode: 'AmazonEC2', Filters: onDemandFilters(instanceType, region), FormatVersion: 'aws_v1' })) {
        items.push(...priceListItems(page.PriceList));
      }
    } catch (error) {
      throw new PriceSourceError(`GetProducts failed for ${instanceType} in ${region}: ${(error as Error).message}`, { cause: error });
    }
    const found = new Set(items.map((item) => parseOnDemandItem(item).usdPerHour));
    if (found.size !== 1) throw new PriceSourceError(`GetProducts: expected one On-Demand price for ${instanceType} in ${region}, found ${found.size}`);
    prices.push({ cloud: 'aws', region, sku: instanceType, pricing: 'on-demand', usdPerHour: [...found][0] as number, basis: 'live', source: ON_DEMAND_SOURCE, asOf });
  }
  return prices;
}
