/**
 * Choosing the price table of a cost run: the offline table (default), a live fetch from both providers (cached to
 * a file with its timestamp when asked), or such a cached file read back.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { PricingClient } from '@aws-sdk/client-pricing';
import { fetchAwsPrices } from './aws-prices';
import { fetchAzurePrices, type FetchLike } from './azure-prices';
import { parseOrThrow, PriceTableError } from './errors';
import { OFFLINE_PRICE_TABLE } from './offline-table';
import { PriceCacheSchema, type PriceCache, type PriceTable } from './schema';

/** What to fetch: the deployment's regions and the SKUs its pools may run. */
export interface LiveRequest {
  readonly aws: { readonly region: string; readonly instanceTypes: readonly string[] };
  readonly azure: { readonly region: string; readonly skus: readonly string[] };
}

/** The provider clients a live fetch uses (injected: tests mock them, the CLI builds real ones). */
export interface LivePriceClients {
  readonly ec2: EC2Client;
  readonly pricing: PricingClient;
  readonly fetch: FetchLike;
}

/** Fetches a complete table for `request` now; the reference regions are the requested ones. */
export async function fetchLiveTable(clients: LivePriceClients, request: LiveRequest, now: Date): Promise<PriceTable> {
  const aws = await fetchAwsPrices(clients, request.aws.region, request.aws.instanceTypes, now);
  const azure = await fetchAzurePrices(clients.fetch, request.azure.region, request.azure.skus, now);
  return {
    name: 'live',
    asOf: now.toISOString(),
    source: `fetched ${now.toISOString()}: AWS Price List + EC2 Spot price history (${request.aws.region}), Azure Retail Prices (${request.azure.region})`,
    referenceRegions: { aws: request.aws.region, azure: request.azure.region },
    compute: [...aws, ...azure],
  };
}

/** Writes a fetched table with its timestamp, for `--prices <file>` later. */
export function writePriceCache(file: string, table: PriceTable, fetchedAt: Date): PriceCache {
  const cache: PriceCache = { version: 1, fetchedAt: fetchedAt.toISOString(), table };
  writeFileSync(file, `${JSON.stringify(cache, null, 2)}\n`);
  return cache;
}

/** Reads a cached table back, validated. */
export function readPriceCache(file: string): PriceCache {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new PriceTableError(`${file}: cannot read a price cache (${(error as Error).message})`, { cause: error });
  }
  return parseOrThrow(PriceCacheSchema, json, file, PriceTableError);
}

/** `--prices offline` (default), `live`, or a cache file path. */
export type PriceChoice = { readonly kind: 'offline' } | { readonly kind: 'live'; readonly cacheFile?: string } | { readonly kind: 'file'; readonly file: string };

/** Resolves a price choice to a table; `live` needs the clients and the request. */
export async function resolvePriceTable(choice: PriceChoice, live: () => { clients: LivePriceClients; request: LiveRequest }, now: () => Date): Promise<PriceTable> {
  switch (choice.kind) {
    case 'offline':
      return OFFLINE_PRICE_TABLE;
    case 'file':
      return readPriceCache(choice.file).table;
    case 'live': {
      const { clients, request } = live();
      const at = now();
      const table = await fetchLiveTable(clients, request, at);
      if (choice.cacheFile !== undefined) writePriceCache(choice.cacheFile, table, at);
      return table;
    }
  }
}
