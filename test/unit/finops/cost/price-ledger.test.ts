/**
 * Pricing a ledger, checked by hand. The scenario (support.ts) is one real hour: AWS nodes 3600 + 1800 + 720 s,
 * the Azure node 1080 s, so 7200 GPU-seconds; 36,000 examples make 5 examples per GPU-second, and the 900 redone
 * examples 180 GPU-seconds. Prices: AWS Spot $0.20/h, On-Demand $0.50/h, Azure Spot $0.30/h; standby $0.30/h.
 */
import { ledgerFromDrill } from '../../../../finops/cost/from-drill';
import { priceLedger } from '../../../../finops/cost/price-ledger';
import { CostReportSchema } from '../../../../finops/cost/report';
import { PriceNotFoundError } from '../../../../finops/prices/errors';
import { drillReport, TEST_FLEET, TEST_STANDBY, TEST_TABLE } from './support';

const NOTES = [
  'instance types assumed from the deployment: AWS spot-gpu g4dn.xlarge spot, Azure gpuspot Standard_NC4as_T4_v3 spot (gpuondemand: on-demand)',
  'node time = trainer process time on the node (the drill reports no node boot or drain)',
];

describe('ledgerFromDrill', () => {
  it('turns placement into node time in real seconds, one entry per node with its processes merged', () => {
    const ledger = ledgerFromDrill(drillReport(), 60, TEST_FLEET);
    expect(ledger).toStrictEqual({
      run: 'spot-interruption',
      source: 'drill',
      durationSeconds: 3600,
      timeCompressionFactor: 60,
      regions: { aws: 'us-east-1', azure: 'eastus' },
      awsPool: { pool: 'spot-gpu', instanceType: 'g4dn.xlarge' },
      nodes: [
        { cloud: 'aws', pool: 'spot-gpu', instanceType: 'g4dn.xlarge', pricing: 'spot', node: 'ip-10-0-1-11', spans: [[0, 3600]] },
        { cloud: 'aws', pool: 'spot-gpu', instanceType: 'g4dn.xlarge', pricing: 'spot', node: 'ip-10-0-2-12', spans: [[0, 1800]] },
        { cloud: 'azure', pool: 'gpuspot', instanceType: 'Standard_NC4as_T4_v3', pricing: 'spot', node: 'aks-gpuspot-00001-vmss000000', spans: [[2160, 3240]] },
        { cloud: 'aws', pool: 'spot-gpu', instanceType: 'g4dn.xlarge', pricing: 'spot', node: 'ip-10-0-4-14', spans: [[2880, 3600]] },
      ],
      work: { examples: 36_000, redoneExamples: 900 },
      notes: NOTES,
    });
  });
});

describe('priceLedger', () => {
  it('prices GPU time, redone work, the standby and the four figures', () => {
    const report = priceLedger(ledgerFromDrill(drillReport(), 60, TEST_FLEET), TEST_TABLE, TEST_STANDBY);
    expect(report).toStrictEqual({
      run: 'spot-interruption',
      source: 'drill',
      durationSeconds: 3600,
      timeCompressionFactor: 60,
      usage: [
        { cloud: 'aws', pool: 'spot-gpu', instanceType: 'g4dn.xlarge', pricing: 'spot', pricedRegion: 'us-east-1', nodes: 3, nodeSeconds: 6120, usdPerHour: 0.2, usd: 0.34, basis: 'published' },
        { cloud: 'azure', pool: 'gpuspot', instanceType: 'Standard_NC4as_T4_v3', pricing: 'spot', pricedRegion: 'eastus', nodes: 1, nodeSeconds: 1080, usdPerHour: 0.3, usd: 0.09, basis: 'published' },
      ],
      gpuSeconds: 7200,
      // 180 redone GPU-seconds at the run's blended $0.43 / 7200 s.
      work: { examples: 36_000, examplesPerGpuSecond: 5, redoneExamples: 900, redoneGpuSeconds: 180, redoneUsd: 0.0108 },
      standby: { usd: 0.3, awsUsd: 0.1, azureUsd: 0.2 },
      figures: {
        // 0.34 + 0.09 GPU + 0.30 standby.
        actualUsd: 0.73,
        // (7200 - 180) s at $0.50/h + 0.30 standby.
        allOnDemandAwsUsd: 1.275,
        // AWS 0.34 as it ran + (1080 - 180) s at $0.20/h + standby over 1 h + 0.3 h of waiting.
        awsSpotNoFailoverUsd: 0.78,
        failoverSavedUsd: 0.05,
      },
      noFailover: { waitSeconds: 1080, durationSeconds: 4680, movedGpuSeconds: 900 },
      notes: NOTES,
    });
    expect(CostReportSchema.parse(report)).toStrictEqual(report);
  });

  it('says so when it prices a region the table lacks at the reference region', () => {
    const fleet = { ...TEST_FLEET, aws: { ...TEST_FLEET.aws, region: 'ap-northeast-2' } };
    const report = priceLedger(ledgerFromDrill(drillReport(), 60, fleet), TEST_TABLE, TEST_STANDBY);
    expect(report.usage[0]?.pricedRegion).toBe('us-east-1');
    expect(report.notes.slice(2)).toStrictEqual([
      'aws g4dn.xlarge spot: no ap-northeast-2 price in the test table, priced at us-east-1',
      'aws g4dn.xlarge on-demand: no ap-northeast-2 price in the test table, priced at us-east-1',
    ]);
  });

  it('costs what it is given: no Azure time means no waiting and nothing saved but the figures still add up', () => {
    const awsOnly = drillReport({ placement: [{ clientId: 'a', cloud: 'aws', node: 'n1', from: 0, to: 60_000, end: 'stopped' }], examplesRedone: 0, examplesDuplicated: 0 });
    const report = priceLedger(ledgerFromDrill(awsOnly, 60, TEST_FLEET), TEST_TABLE, TEST_STANDBY);
    expect(report.figures).toStrictEqual({ actualUsd: 0.5, allOnDemandAwsUsd: 0.8, awsSpotNoFailoverUsd: 0.5, failoverSavedUsd: 0 });
    expect(report.noFailover).toStrictEqual({ waitSeconds: 0, durationSeconds: 3600, movedGpuSeconds: 0 });
  });

  it('fails loudly when the table cannot price a pool the run used', () => {
    const fleet = { ...TEST_FLEET, azure: { ...TEST_FLEET.azure, instanceType: 'Standard_NC8as_T4_v3' } };
    expect(() => priceLedger(ledgerFromDrill(drillReport(), 60, fleet), TEST_TABLE, TEST_STANDBY)).toThrow(
      new PriceNotFoundError('the test price table has no spot price for azure Standard_NC8as_T4_v3 in eastus or eastus'),
    );
  });
});
