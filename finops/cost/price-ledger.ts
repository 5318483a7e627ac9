/**
 * Pricing a ledger: a pure function of the ledger, a price table and the standby list. The four figures and their
 * models are described in docs/FINOPS.md ("Cost model"); in short:
 *  - actual: every GPU node-second at its own price, plus the standby prorated over the run;
 *  - all on-demand on AWS: the useful GPU work (redone work excluded: without interruptions nothing is redone) at
 *    AWS On-Demand of the run's AWS instance type, plus the standby over the same duration;
 *  - AWS Spot, no failover: AWS nodes as they ran; Azure's GPU time (less redone work) done afterwards on AWS Spot;
 *    the run waits for AWS capacity as long as Azure trainers ran, and the standby is paid over that longer time;
 *  - failover saved: no-failover minus actual.
 */
import type { Cloud } from '../../protocol/run-status';
import { findPrice } from '../prices/lookup';
import type { PriceTable } from '../prices/schema';
import { standbyFor, STANDBY_LINES, type StandbyLine } from '../prices/standby';
import { mergeSpans, spanSeconds, type Ledger, type NodeUsage } from './ledger';
import type { CostReport, UsageLine } from './report';

const usd = (value: number) => Math.round(value * 10_000) / 10_000;
const sec = (value: number) => Math.round(value * 1000) / 1000;

/** GPU node time grouped by cloud, pool, instance type and pricing model, priced. */
function usageLines(ledger: Ledger, table: PriceTable, notes: Set<string>): { lines: UsageLine[]; exact: { cloud: Cloud; seconds: number; usd: number }[] } {
  const groups = new Map<string, NodeUsage[]>();
  for (const node of ledger.nodes) {
    const key = [node.cloud, node.pool, node.instanceType, node.pricing].join(' ');
    groups.set(key, [...(groups.get(key) ?? []), node]);
  }
  const lines: UsageLine[] = [];
  const exact: { cloud: Cloud; seconds: number; usd: number }[] = [];
  for (const nodes of [...groups.values()].sort((a, b) => groupOrder(a[0] as NodeUsage).localeCompare(groupOrder(b[0] as NodeUsage)))) {
    const first = nodes[0] as NodeUsage;
    const found = findPrice(table, { cloud: first.cloud, region: ledger.regions[first.cloud], sku: first.instanceType, pricing: first.pricing });
    if (found.fallbackNote) notes.add(found.fallbackNote);
    const seconds = nodes.reduce((total, node) => total + spanSeconds(node.spans), 0);
    const cost = (seconds / 3600) * found.price.usdPerHour;
    exact.push({ cloud: first.cloud, seconds, usd: cost });
    lines.push({
      cloud: first.cloud,
      pool: first.pool,
      instanceType: first.instanceType,
      pricing: first.pricing,
      pricedRegion: found.price.region,
      nodes: nodes.length,
      nodeSeconds: sec(seconds),
      usdPerHour: found.price.usdPerHour,
      usd: usd(cost),
      basis: found.price.basis,
    });
  }
  return { lines, exact };
}

const groupOrder = (node: NodeUsage) => `${node.cloud === 'aws' ? 0 : 1} ${node.pool} ${node.instanceType} ${node.pricing}`;

/** The AWS hourly price of the run's AWS instance type under `pricing`, noting a region fallback. */
function awsRate(ledger: Ledger, table: PriceTable, pricing: 'spot' | 'on-demand', notes: Set<string>): number {
  const found = findPrice(table, { cloud: 'aws', region: ledger.regions.aws, sku: ledger.awsPool.instanceType, pricing });
  if (found.fallbackNote) notes.add(found.fallbackNote);
  return found.price.usdPerHour;
}

const nodesOf = (ledger: Ledger, cloud: Cloud) => ledger.nodes.filter((node) => node.cloud === cloud);

/** Prices one ledger. */
export function priceLedger(ledger: Ledger, table: PriceTable, standbyLines: readonly StandbyLine[] = STANDBY_LINES): CostReport {
  const notes = new Set<string>(ledger.notes);
  const { lines, exact } = usageLines(ledger, table, notes);
  const gpuSeconds = exact.reduce((total, line) => total + line.seconds, 0);
  const gpuUsd = exact.reduce((total, line) => total + line.usd, 0);

  // Throughput is measured over all GPU time, waiting at the round barrier included: that is what redoing costs.
  const throughput = ledger.work.examples > 0 && gpuSeconds > 0 ? ledger.work.examples / gpuSeconds : null;
  if (throughput === null && ledger.work.redoneExamples > 0) notes.add('redone examples but no committed examples or GPU time: redone work not priced');
  const redoneGpuSeconds = throughput === null ? 0 : Math.min(gpuSeconds, ledger.work.redoneExamples / throughput);
  const redoneUsd = gpuSeconds > 0 ? (redoneGpuSeconds * gpuUsd) / gpuSeconds : 0;

  const standby = standbyFor(ledger.durationSeconds, standbyLines);
  const actual = gpuUsd + standby.total;

  const onDemandRate = awsRate(ledger, table, 'on-demand', notes);
  const allOnDemand = ((gpuSeconds - redoneGpuSeconds) / 3600) * onDemandRate + standby.total;

  const awsSpotRate = awsRate(ledger, table, 'spot', notes);
  const azureNodes = nodesOf(ledger, 'azure');
  const awsGpuUsd = exact.filter((line) => line.cloud === 'aws').reduce((total, line) => total + line.usd, 0);
  const azureSeconds = azureNodes.reduce((total, node) => total + spanSeconds(node.spans), 0);
  const movedGpuSeconds = Math.max(0, azureSeconds - redoneGpuSeconds);
  const waitSeconds = spanSeconds(mergeSpans(azureNodes.flatMap((node) => node.spans)));
  const noFailoverDuration = ledger.durationSeconds + waitSeconds;
  const noFailover = awsGpuUsd + (movedGpuSeconds / 3600) * awsSpotRate + standbyFor(noFailoverDuration, standbyLines).total;

  return {
    run: ledger.run,
    source: ledger.source,
    durationSeconds: sec(ledger.durationSeconds),
    timeCompressionFactor: ledger.timeCompressionFactor,
    usage: lines,
    gpuSeconds: sec(gpuSeconds),
    work: {
      examples: ledger.work.examples,
      examplesPerGpuSecond: throughput === null ? null : Math.round(throughput * 1000) / 1000,
      redoneExamples: ledger.work.redoneExamples,
      redoneGpuSeconds: sec(redoneGpuSeconds),
      redoneUsd: usd(redoneUsd),
    },
    standby: { usd: usd(standby.total), awsUsd: usd(standby.aws), azureUsd: usd(standby.azure) },
    figures: {
      actualUsd: usd(actual),
      allOnDemandAwsUsd: usd(allOnDemand),
      awsSpotNoFailoverUsd: usd(noFailover),
      failoverSavedUsd: usd(noFailover - actual),
    },
    noFailover: { waitSeconds: sec(waitSeconds), durationSeconds: sec(noFailoverDuration), movedGpuSeconds: sec(movedGpuSeconds) },
    notes: [...notes],
  };
}
