/** Live Azure prices from the Retail Prices API, with an injected fetch answering from the fixtures. */
import { fetchAzurePrices, pricingOf, retailPricesUrl, RetailPriceItemSchema, selectVmPrices } from '../../../../finops/prices/azure-prices';
import { PriceSourceError } from '../../../../finops/prices/errors';
import { fakeFetch, fixture } from './support';

const NOW = new Date('2026-12-04T03:00:00.000Z');
const FIRST = retailPricesUrl('koreacentral', 'Standard_NC4as_T4_v3');
const page1 = fixture('azure-retail-prices.page-1.json') as { Items: unknown[]; NextPageLink: string };
const page2 = fixture('azure-retail-prices.page-2.json') as { Items: unknown[] };
const SOURCE = 'Azure Retail Prices API (Virtual Machines, Consumption, Linux)';

describe('fetchAzurePrices', () => {
  it('follows NextPageLink and keeps the Linux Spot and pay-as-you-go meters only', async () => {
    const { fetch, urls } = fakeFetch({ [FIRST]: page1, [page1.NextPageLink]: page2 });

    const prices = await fetchAzurePrices(fetch, 'koreacentral', ['Standard_NC4as_T4_v3'], NOW);

    expect(prices).toStrictEqual([
      { cloud: 'azure', region: 'koreacentral', sku: 'Standard_NC4as_T4_v3', pricing: 'on-demand', usdPerHour: 0.5, basis: 'live', source: SOURCE, asOf: NOW.toISOString() },
      { cloud: 'azure', region: 'koreacentral', sku: 'Standard_NC4as_T4_v3', pricing: 'spot', usdPerHour: 0.15, basis: 'live', source: SOURCE, asOf: NOW.toISOString() },
    ]);
    expect(urls).toStrictEqual([FIRST, page1.NextPageLink]);
  });

  it('asks for one SKU\'s Consumption VM meters in one region, with the documented api-version', () => {
    expect(decodeURIComponent(FIRST)).toBe(
      "https://prices.azure.com/api/retail/prices?api-version=2023-01-01-preview&$filter=serviceName eq 'Virtual Machines' and armRegionName eq 'koreacentral' and armSkuName eq 'Standard_NC4as_T4_v3' and priceType eq 'Consumption'",
    );
  });

  it('fails when a pricing model is missing (no Spot meter in the region)', async () => {
    const { fetch } = fakeFetch({ [FIRST]: { ...page1, NextPageLink: null } });
    await expect(fetchAzurePrices(fetch, 'koreacentral', ['Standard_NC4as_T4_v3'], NOW)).rejects.toThrow(
      new PriceSourceError('Retail Prices has no Linux spot price for Standard_NC4as_T4_v3 in koreacentral'),
    );
  });

  it('wraps an HTTP failure and a malformed page in PriceSourceError', async () => {
    const failure = (pages: Record<string, unknown>) =>
      fetchAzurePrices(fakeFetch(pages).fetch, 'koreacentral', ['Standard_NC4as_T4_v3'], NOW).then(
        () => {
          throw new Error('no error');
        },
        (e: unknown) => e as Error,
      );
    const failed = await failure({});
    expect(failed).toMatchObject({ name: 'PriceSourceError', message: `Retail Prices request failed (${FIRST}): HTTP 404` });
    expect(failed.cause).toStrictEqual(new Error('HTTP 404'));
    const malformed = await failure({ [FIRST]: { Items: [{ retailPrice: 'cheap' }] } });
    expect(malformed).toBeInstanceOf(PriceSourceError);
    expect(malformed.message.startsWith('Retail Prices answered an unexpected page:\n')).toBe(true);
  });
});

describe('selection', () => {
  const items = [...page1.Items, ...page2.Items].map((item) => RetailPriceItemSchema.parse(item));

  it('sorts each meter into Spot, pay-as-you-go or not ours', () => {
    expect(items.map((item) => pricingOf(item))).toStrictEqual(['on-demand', undefined, undefined, undefined, 'spot']);
  });

  it('refuses two different prices for the same SKU and model', () => {
    const twice = [items[0], { ...items[0], retailPrice: 0.9 }].map((item) => RetailPriceItemSchema.parse(item));
    expect(() => selectVmPrices(twice, NOW.toISOString())).toThrow(new PriceSourceError('Retail Prices: two on-demand prices for Standard_NC4as_T4_v3 in koreacentral: 0.5 and 0.9'));
  });
});
