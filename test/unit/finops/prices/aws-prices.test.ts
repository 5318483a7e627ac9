/** Live AWS prices through the real SDK clients, mocked with aws-sdk-client-mock and answered from the fixtures. */
import { DescribeSpotPriceHistoryCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import { fetchAwsPrices, latestSpotPrices, onDemandFilters, parseOnDemandItem } from '../../../../finops/prices/aws-prices';
import { PriceSourceError } from '../../../../finops/prices/errors';
import { fixture, spotPage } from './support';

const ec2Mock = mockClient(EC2Client);
const pricingMock = mockClient(PricingClient);
beforeEach(() => {
  ec2Mock.reset();
  pricingMock.reset();
});

const NOW = new Date('2026-12-04T03:00:00.000Z');
const clients = () => ({ ec2: new EC2Client({ region: 'ap-northeast-2' }), pricing: new PricingClient({ region: 'us-east-1' }) });
const getProducts = fixture('aws-get-products.g4dn.xlarge.json') as { FormatVersion: string; PriceList: string[] };

describe('fetchAwsPrices', () => {
  it('pages through the Spot history and prices On-Demand from GetProducts', async () => {
    ec2Mock.on(DescribeSpotPriceHistoryCommand).resolvesOnce(spotPage('aws-spot-price-history.page-1.json')).resolvesOnce(spotPage('aws-spot-price-history.page-2.json'));
    pricingMock.on(GetProductsCommand).resolves(getProducts);

    const prices = await fetchAwsPrices(clients(), 'ap-northeast-2', ['g4dn.xlarge'], NOW);

    const spotSource = 'EC2 DescribeSpotPriceHistory (Linux/UNIX), mean of the latest price in each availability zone';
    expect(prices).toStrictEqual([
      { cloud: 'aws', region: 'ap-northeast-2', sku: 'g4dn.xlarge', pricing: 'spot', usdPerHour: 0.25, basis: 'live', source: spotSource, asOf: NOW.toISOString() },
      { cloud: 'aws', region: 'ap-northeast-2', sku: 'g5.xlarge', pricing: 'spot', usdPerHour: 0.4, basis: 'live', source: spotSource, asOf: NOW.toISOString() },
      {
        cloud: 'aws',
        region: 'ap-northeast-2',
        sku: 'g4dn.xlarge',
        pricing: 'on-demand',
        usdPerHour: 0.6,
        basis: 'live',
        source: 'AWS Price List Query API GetProducts (AmazonEC2, Linux, Shared, preInstalledSw NA, capacitystatus Used)',
        asOf: NOW.toISOString(),
      },
    ]);
    // The SDK paginator reuses one input object across pages, so only the last state of it can be asserted.
    const spotCalls = ec2Mock.commandCalls(DescribeSpotPriceHistoryCommand).map((call) => call.args[0].input);
    expect(spotCalls).toHaveLength(2);
    expect(spotCalls[1]).toStrictEqual({ InstanceTypes: ['g4dn.xlarge'], ProductDescriptions: ['Linux/UNIX'], StartTime: NOW, EndTime: NOW, NextToken: 'page-2', MaxResults: undefined });
    const productCalls = pricingMock.commandCalls(GetProductsCommand).map((call) => call.args[0].input);
    expect(productCalls).toHaveLength(1);
    expect(productCalls[0]).toMatchObject({ ServiceCode: 'AmazonEC2', Filters: onDemandFilters('g4dn.xlarge', 'ap-northeast-2'), FormatVersion: 'aws_v1' });
  });

  it('filters GetProducts on type, region, Linux, shared tenancy, no pre-installed software and used capacity', () => {
    expect(onDemandFilters('g5.xlarge', 'ap-northeast-2')).toStrictEqual([
      { Type: 'TERM_MATCH', Field: 'instanceType', Value: 'g5.xlarge' },
      { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'ap-northeast-2' },
      { Type: 'TERM_MATCH', Field: 'operatingSystem', Value: 'Linux' },
      { Type: 'TERM_MATCH', Field: 'tenancy', Value: 'Shared' },
      { Type: 'TERM_MATCH', Field: 'preInstalledSw', Value: 'NA' },
      { Type: 'TERM_MATCH', Field: 'capacitystatus', Value: 'Used' },
    ]);
  });

  it('wraps an SDK failure in PriceSourceError with the SDK error as cause', async () => {
    const denied = Object.assign(new Error('not authorized to perform ec2:DescribeSpotPriceHistory'), { name: 'UnauthorizedOperation' });
    ec2Mock.on(DescribeSpotPriceHistoryCommand).rejects(denied);
    const error = await fetchAwsPrices(clients(), 'ap-northeast-2', ['g4dn.xlarge'], NOW).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PriceSourceError);
    expect(error).toMatchObject({ name: 'PriceSourceError', message: 'DescribeSpotPriceHistory failed in ap-northeast-2: not authorized to perform ec2:DescribeSpotPriceHistory', cause: denied });
  });

  it('refuses an instance type GetProducts has no price for', async () => {
    ec2Mock.on(DescribeSpotPriceHistoryCommand).resolves({ SpotPriceHistory: [] });
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [] });
    await expect(fetchAwsPrices(clients(), 'ap-northeast-2', ['g6.xlarge'], NOW)).rejects.toThrow(new PriceSourceError('GetProducts: expected one On-Demand price for g6.xlarge in ap-northeast-2, found 0'));
  });
});

describe('parsing', () => {
  it('takes each zone\'s latest Spot price and averages the zones', () => {
    const history = (spotPage('aws-spot-price-history.page-1.json').SpotPriceHistory ?? []).concat([{ InstanceType: 'g4dn.xlarge', AvailabilityZone: 'ap-northeast-2b', SpotPrice: 'not a number' }]);
    expect(latestSpotPrices(history)).toStrictEqual(new Map([['g4dn.xlarge', 0.25]]));
  });

  it('reads the hourly USD price of an On-Demand term', () => {
    expect(parseOnDemandItem(getProducts.PriceList[0] as string)).toStrictEqual({ instanceType: 'g4dn.xlarge', usdPerHour: 0.6 });
  });

  it('refuses an item that is not JSON or not a product with On-Demand terms', () => {
    const notJson = (() => {
      try {
        parseOnDemandItem('{');
      } catch (error) {
        return error as Error;
      }
      throw new Error('no error');
    })();
    expect(notJson).toMatchObject({ name: 'PriceSourceError', message: 'GetProducts returned a PriceList item that is not JSON' });
    expect(notJson.cause).toBeInstanceOf(SyntaxError);
    expect(() => parseOnDemandItem(JSON.stringify({ product: {}, terms: {} }))).toThrow(PriceSourceError);
  });
});
