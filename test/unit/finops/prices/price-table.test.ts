/** The offline table, finding prices in it, and the live / cached alternatives (clients mocked, cache in a temp dir). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DescribeSpotPriceHistoryCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import { AWS_POOL_INSTANCE_TYPES, DEFAULT_FLEET } from '../../../../finops/cost/fleet';
import { retailPricesUrl } from '../../../../finops/prices/azure-prices';
import { PriceNotFoundError, PriceTableError } from '../../../../finops/prices/errors';
import { readPriceCache, resolvePriceTable } from '../../../../finops/prices/live';
import { findPrice } from '../../../../finops/prices/lookup';
import { ILLUSTRATIVE_SPOT_SHARE, OFFLINE_PRICE_TABLE } from '../../../../finops/prices/offline-table';
import { fakeFetch, fixture, spotPage } from './support';

describe('the offline table', () => {
  it('prices every instance type of the NodePool and the Azure pool size, both pricing models', () => {
    const skus = (cloud: string) => OFFLINE_PRICE_TABLE.compute.filter((p) => p.cloud === cloud).map((p) => `${p.sku} ${p.pricing}`);
    expect(skus('aws').sort()).toStrictEqual(AWS_POOL_INSTANCE_TYPES.flatMap((t) => [`${t} on-demand`, `${t} spot`]).sort());
    expect(skus('azure').sort()).toStrictEqual([`${DEFAULT_FLEET.azure.instanceType} on-demand`, `${DEFAULT_FLEET.azure.instanceType} spot`]);
  });

  it('marks every number it could not source as illustrative, and derives illustrative Spot from on-demand', () => {
    const illustrative = OFFLINE_PRICE_TABLE.compute.filter((p) => p.basis === 'illustrative');
    expect(illustrative.every((p) => p.source.startsWith('illustrative: '))).toBe(true);
    expect(OFFLINE_PRICE_TABLE.compute.filter((p) => p.basis === 'published').every((p) => p.pricing === 'on-demand' && p.cloud === 'aws')).toBe(true);
    const onDemand = findPrice(OFFLINE_PRICE_TABLE, { cloud: 'aws', region: 'us-east-1', sku: 'g4dn.xlarge', pricing: 'on-demand' }).price.usdPerHour;
    const spot = findPrice(OFFLINE_PRICE_TABLE, { cloud: 'aws', region: 'us-east-1', sku: 'g4dn.xlarge', pricing: 'spot' }).price.usdPerHour;
    expect([onDemand, spot]).toStrictEqual([0.526, Math.round(0.526 * ILLUSTRATIVE_SPOT_SHARE * 10_000) / 10_000]);
  });

  it('falls back to the reference region with a note, and fails loudly for an unknown SKU', () => {
    const found = findPrice(OFFLINE_PRICE_TABLE, { cloud: 'azure', region: 'koreacentral', sku: 'Standard_NC4as_T4_v3', pricing: 'spot' });
    expect(found.fallbackNote).toBe('azure Standard_NC4as_T4_v3 spot: no koreacentral price in the offline table, priced at eastus');
    expect(found.price.region).toBe('eastus');
    expect(() => findPrice(OFFLINE_PRICE_TABLE, { cloud: 'aws', region: 'us-east-1', sku: 'p5.48xlarge', pricing: 'spot' })).toThrow(
      new PriceNotFoundError('the offline price table has no spot price for aws p5.48xlarge in us-east-1 or us-east-1'),
    );
  });
});

describe('resolvePriceTable', () => {
  const ec2Mock = mockClient(EC2Client);
  const pricingMock = mockClient(PricingClient);
  let dir: string;
  beforeEach(() => {
    ec2Mock.reset();
    pricingMock.reset();
    dir = mkdtempSync(path.join(tmpdir(), 'spot-on-prices-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const NOW = new Date('2026-12-04T03:00:00.000Z');
  const noLive = () => {
    throw new Error('the offline table must not build clients');
  };

  it('is the offline table by default', async () => {
    await expect(resolvePriceTable({ kind: 'offline' }, noLive, () => NOW)).resolves.toBe(OFFLINE_PRICE_TABLE);
  });

  it('fetches live prices, caches them with their timestamp, and reads the cache back', async () => {
    ec2Mock.on(DescribeSpotPriceHistoryCommand).resolvesOnce(spotPage('aws-spot-price-history.page-1.json')).resolvesOnce(spotPage('aws-spot-price-history.page-2.json'));
    pricingMock.on(GetProductsCommand).resolves(fixture('aws-get-products.g4dn.xlarge.json') as object);
    const page1 = fixture('azure-retail-prices.page-1.json') as { NextPageLink: string };
    const { fetch } = fakeFetch({ [retailPricesUrl('koreacentral', 'Standard_NC4as_T4_v3')]: page1, [page1.NextPageLink]: fixture('azure-retail-prices.page-2.json') });
    const live = () => ({
      clients: { ec2: new EC2Client({ region: 'ap-northeast-2' }), pricing: new PricingClient({ region: 'us-east-1' }), fetch },
      request: { aws: { region: 'ap-northeast-2', instanceTypes: ['g4dn.xlarge'] }, azure: { region: 'koreacentral', skus: ['Standard_NC4as_T4_v3'] } },
    });
    const cacheFile = path.join(dir, 'prices.json');

    const table = await resolvePriceTable({ kind: 'live', cacheFile }, live, () => NOW);

    expect(table.compute.map((p) => `${p.cloud} ${p.region} ${p.sku} ${p.pricing} ${p.usdPerHour} ${p.basis}`)).toStrictEqual([
      'aws ap-northeast-2 g4dn.xlarge spot 0.25 live',
      'aws ap-northeast-2 g5.xlarge spot 0.4 live',
      'aws ap-northeast-2 g4dn.xlarge on-demand 0.6 live',
      'azure koreacentral Standard_NC4as_T4_v3 on-demand 0.5 live',
      'azure koreacentral Standard_NC4as_T4_v3 spot 0.15 live',
    ]);
    expect(readPriceCache(cacheFile)).toStrictEqual({ version: 1, fetchedAt: NOW.toISOString(), table });
    await expect(resolvePriceTable({ kind: 'file', file: cacheFile }, noLive, () => NOW)).resolves.toStrictEqual(table);
  });

  it('refuses a cache file that is not a price cache, naming the file', () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ version: 1, fetchedAt: 'yesterday', table: {} }));
    expect(() => readPriceCache(file)).toThrow(PriceTableError);
    expect(() => readPriceCache(path.join(dir, 'missing.json'))).toThrow(expect.objectContaining({ name: 'PriceTableError', message: expect.stringMatching(/missing\.json: cannot read a price cache/) }));
  });
});
