import { UsageMeter } from '../../../fl-training/aggregator/usage-meter';
import { OTHER_NODES, USAGE_NODE_LIMIT } from '../../../protocol/run-status';

const aws = (clientId: string, instanceId?: string) => ({ cloud: 'aws' as const, clientId, ...(instanceId ? { instanceId } : {}) });
const azure = (clientId: string, nodeName: string) => ({ cloud: 'azure' as const, clientId, nodeName });

describe('UsageMeter', () => {
  it('adds the time between observations to the node of each live trainer, a node once', () => {
    const meter = new UsageMeter();
    meter.observe([aws('a', 'i-1')], 0);
    meter.observe([aws('a', 'i-1'), azure('b', 'aks-gpuspot-1'), azure('c', 'aks-gpuspot-1')], 1500);
    meter.observe([azure('b', 'aks-gpuspot-1')], 2500);
    expect(meter.snapshot()).toStrictEqual([
      { cloud: 'aws', node: 'i-1', seconds: 1.5 },
      { cloud: 'azure', node: 'aks-gpuspot-1', seconds: 2.5 },
    ]);
  });

  it('names a bare trainer process by its client id, and counts nothing before the first observation', () => {
    const meter = new UsageMeter();
    meter.observe([aws('pod-7')], 10_000);
    expect(meter.snapshot()).toStrictEqual([]);
    meter.observe([aws('pod-7')], 11_000);
    expect(meter.snapshot()).toStrictEqual([{ cloud: 'aws', node: 'pod-7', seconds: 1 }]);
  });

  it('carries on from a restored status.json', () => {
    const meter = new UsageMeter();
    meter.restore([{ cloud: 'aws', node: 'i-1', seconds: 60 }]);
    meter.observe([aws('a', 'i-1')], 0);
    meter.observe([aws('a', 'i-1')], 2000);
    expect(meter.snapshot()).toStrictEqual([{ cloud: 'aws', node: 'i-1', seconds: 62 }]);
  });

  it('names at most USAGE_NODE_LIMIT nodes per cloud and sums the rest', () => {
    const meter = new UsageMeter();
    const many = Array.from({ length: USAGE_NODE_LIMIT + 3 }, (_, index) => aws(`t-${index}`, `i-${index}`));
    meter.observe(many, 0);
    meter.observe(many, 1000);
    const snapshot = meter.snapshot();
    expect(snapshot.filter((entry) => entry.cloud === 'aws')).toHaveLength(USAGE_NODE_LIMIT + 1);
    expect(snapshot.find((entry) => entry.node === OTHER_NODES)).toStrictEqual({ cloud: 'aws', node: OTHER_NODES, seconds: 3 });
  });
});
