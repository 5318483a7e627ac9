/**
 * A drill scenario's ledger. The drill runs on a compressed clock (local/drill/production/time-compression.ts:
 * every production duration divided by `factor`), so every drill millisecond is `factor` real milliseconds here.
 * Node time is the union of the trainer process intervals on that node (`placement`): the drill does not report a
 * node's boot before its trainer starts or its drain after, so both clouds' GPU time is a slight underestimate.
 */
import type { DrillReport } from '../../local/drill/report';
import { poolOfNode, type Fleet } from './fleet';
import { mergeSpans, type Ledger, type NodeUsage } from './ledger';

/** Builds the ledger of one drill scenario, `factor` real seconds per drill second. */
export function ledgerFromDrill(report: DrillReport, factor: number, fleet: Fleet, notes: readonly string[] = []): Ledger {
  const realSeconds = (drillMs: number) => (drillMs * factor) / 1000;
  const byNode = new Map<string, { cloud: 'aws' | 'azure'; spans: [number, number][] }>();
  for (const p of report.placement) {
    const entry = byNode.get(p.node) ?? { cloud: p.cloud, spans: [] };
    entry.spans.push([realSeconds(p.from), realSeconds(p.to ?? report.durationMs)]);
    byNode.set(p.node, entry);
  }
  const nodes: NodeUsage[] = [...byNode].map(([node, { cloud, spans }]) => {
    const pool = poolOfNode(fleet, cloud, node);
    return { cloud, pool: pool.pool, instanceType: pool.instanceType, pricing: pool.pricing, node, spans: mergeSpans(spans) };
  });
  return {
    run: report.scenario,
    source: 'drill',
    durationSeconds: realSeconds(report.durationMs),
    timeCompressionFactor: factor,
    regions: { aws: fleet.aws.region, azure: fleet.azure.region },
    awsPool: { pool: fleet.aws.pool, instanceType: fleet.aws.instanceType },
    nodes,
    work: {
      examples: report.roundsDetail.reduce((total, round) => total + round.examples, 0),
      redoneExamples: report.examplesRedone + (report.examplesDuplicated ?? 0),
    },
    notes: [
      ...notes,
      `instance types assumed from the deployment: AWS ${fleet.aws.pool} ${fleet.aws.instanceType} ${fleet.aws.pricing}, Azure ${fleet.azure.pool} ${fleet.azure.instanceType} ${fleet.azure.pricing} (${fleet.azureOnDemand.pool}: ${fleet.azureOnDemand.pricing})`,
      'node time = trainer process time on the node (the drill reports no node boot or drain)',
    ],
  };
}
