/**
 * The cost so far of a live run: status.json's `usage` (GPU node seconds per node, from the aggregator) priced like
 * any ledger (finops/cost/price-ledger.ts), on the deployment's pools (DEFAULT_FLEET: a node of the on-demand pool is
 * priced on-demand) and the offline price table, plus the deployment's standby prorated since the run started.
 */
import { z } from 'zod';
import { DEFAULT_FLEET, poolOfNode, type Fleet } from '../../finops/cost/fleet';
import type { Ledger, NodeUsage } from '../../finops/cost/ledger';
import { priceLedger } from '../../finops/cost/price-ledger';
import { OFFLINE_PRICE_TABLE } from '../../finops/prices/offline-table';
import type { PriceTable } from '../../finops/prices/schema';
import { STANDBY_LINES, type StandbyLine } from '../../finops/prices/standby';
import { CloudSchema, type RunStatus } from '../../protocol/run-status';

const Usd = z.number().nonnegative();

export const CostSoFarSchema = z.strictObject({
  /** GPU node hours per cloud, pool and pricing model, priced. */
  gpu: z.array(z.strictObject({ cloud: CloudSchema, pool: z.string(), pricing: z.enum(['spot', 'on-demand']), nodeHours: z.number().nonnegative(), usd: Usd })),
  gpuUsd: Usd,
  /** The deployment's standby (VPN, resolvers, always-on nodes) prorated over the run so far. */
  standbyUsd: Usd,
  totalUsd: Usd,
  /** Where the prices come from, and how far to trust them. */
  prices: z.string(),
});
export type CostSoFar = z.infer<typeof CostSoFarSchema>;

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** What the usage is priced with: the offline table, the example deployment's standby and pools. */
export interface Pricing {
  readonly table: PriceTable;
  readonly standby: readonly StandbyLine[];
  readonly fleet: Fleet;
}
export const DEFAULT_PRICING: Pricing = { table: OFFLINE_PRICE_TABLE, standby: STANDBY_LINES, fleet: DEFAULT_FLEET };

/** Prices the run's usage so far; null when status.json carries none (an aggregator older than the usage meter). */
export function costSoFar(status: RunStatus | undefined, asOf: Date, pricing: Pricing = DEFAULT_PRICING): CostSoFar | null {
  const { table, fleet } = pricing;
  if (status?.usage === undefined || status.schedule === undefined) return null;
  const nodes: NodeUsage[] = status.usage.map(({ cloud, node, seconds }) => {
    const pool = poolOfNode(fleet, cloud, node);
    return { cloud, node, pool: pool.pool, instanceType: pool.instanceType, pricing: pool.pricing, spans: [[0, seconds]] };
  });
  const ledger: Ledger = {
    run: status.runId,
    source: 'ledger',
    durationSeconds: Math.max(0, (asOf.getTime() - Date.parse(status.schedule.startedAt)) / 1000),
    timeCompressionFactor: null,
    regions: { aws: fleet.aws.region, azure: fleet.azure.region },
    awsPool: { pool: fleet.aws.pool, instanceType: fleet.aws.instanceType },
    nodes,
    work: { examples: 0, redoneExamples: 0 },
    notes: [],
  };
  const priced = priceLedger(ledger, table, pricing.standby);
  const gpu = priced.usage.map((line) => ({ cloud: line.cloud, pool: line.pool, pricing: line.pricing, nodeHours: round(line.nodeSeconds / 3600, 3), usd: round(line.usd, 2) }));
  const gpuUsd = priced.usage.reduce((total, line) => total + line.usd, 0);
  const basis = [...new Set(priced.usage.map((line) => line.basis))].join(', ') || 'no GPU time yet';
  return {
    gpu,
    gpuUsd: round(gpuUsd, 2),
    standbyUsd: round(priced.standby.usd, 2),
    totalUsd: round(gpuUsd + priced.standby.usd, 2),
    prices: `${table.name} price table as of ${table.asOf} (GPU prices ${basis})`,
  };
}
