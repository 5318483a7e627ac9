import { costSoFar } from '../../../cli/status/cost-so-far';
import type { RunStatus } from '../../../protocol/run-status';
import { TEST_FLEET, TEST_STANDBY, TEST_TABLE } from '../finops/cost/support';

const ASOF = new Date('2026-12-04T12:00:00.000Z');
const PRICING = { table: TEST_TABLE, standby: TEST_STANDBY, fleet: TEST_FLEET };

function status(usage?: RunStatus['usage']): RunStatus {
  return {
    version: 1,
    runId: 'run-1',
    round: 9,
    epoch: 2,
    updatedAt: ASOF.toISOString(),
    trainers: [],
    shards: [],
    reporting: { aws: 0, azure: 0 },
    schedule: { rounds: 20, startedAt: '2026-12-04T10:00:00.000Z' },
    ...(usage === undefined ? {} : { usage }),
  };
}

describe('cost so far', () => {
  it('prices each node\'s GPU time on its pool, the on-demand pool on-demand, plus the standby since the start', () => {
    // Test prices: AWS Spot $0.20/h, Azure Spot $0.30/h, Azure on-demand $0.60/h; standby $0.10/h AWS, $0.20/h Azure.
    const cost = costSoFar(status([
      { cloud: 'aws', node: 'i-0a1', seconds: 3600 },
      { cloud: 'azure', node: 'aks-gpuondemand-00001-vmss000000', seconds: 1800 },
      { cloud: 'azure', node: 'aks-gpuspot-00002-vmss000000', seconds: 1800 },
    ]), ASOF, PRICING);
    expect(cost).toStrictEqual({
      gpu: [
        { cloud: 'aws', pool: 'spot-gpu', pricing: 'spot', nodeHours: 1, usd: 0.2 },
        { cloud: 'azure', pool: 'gpuondemand', pricing: 'on-demand', nodeHours: 0.5, usd: 0.3 },
        { cloud: 'azure', pool: 'gpuspot', pricing: 'spot', nodeHours: 0.5, usd: 0.15 },
      ],
      gpuUsd: 0.65,
      standbyUsd: 0.6,
      totalUsd: 1.25,
      prices: 'test price table as of 2026-12-01 (GPU prices published)',
    });
  });

  it('is null for a status.json without usage (an older aggregator), and only the standby before any GPU time', () => {
    expect(costSoFar(status(), ASOF, PRICING)).toBeNull();
    expect(costSoFar(status([]), ASOF, PRICING)).toMatchObject({ gpu: [], gpuUsd: 0, standbyUsd: 0.6, totalUsd: 0.6 });
  });
});
