/** The one loader of the recorded price API responses in test/fixtures/prices (shaped after the docs, see its README). */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { DescribeSpotPriceHistoryCommandOutput } from '@aws-sdk/client-ec2';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'fixtures', 'prices');

/** A fixture file parsed as JSON. */
export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));
}

/** A DescribeSpotPriceHistory page as the SDK hands it out: timestamps parsed into Dates. */
export function spotPage(name: string): DescribeSpotPriceHistoryCommandOutput {
  const page = fixture(name) as { SpotPriceHistory: { Timestamp: string }[]; NextToken?: string };
  return { $metadata: {}, ...page, SpotPriceHistory: page.SpotPriceHistory.map((entry) => ({ ...entry, Timestamp: new Date(entry.Timestamp) })) } as DescribeSpotPriceHistoryCommandOutput;
}

/** A fetch that answers each URL from `pages` (or 404), recording the URLs asked. */
export function fakeFetch(pages: Readonly<Record<string, unknown>>): { fetch: (url: string) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>; urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    fetch: async (url: string) => {
      urls.push(url);
      const body = pages[url];
      return { ok: body !== undefined, status: body === undefined ? 404 : 200, json: async () => body };
    },
  };
}
