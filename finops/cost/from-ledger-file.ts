/** A production ledger file (LedgerFileSchema) as a ledger: ISO times to seconds since the run's start. */
import { CostInputError } from './errors';
import { DEFAULT_FLEET } from './fleet';
import { mergeSpans, spanSeconds, type Ledger, type LedgerFile, type NodeUsage } from './ledger';

/** Converts a validated ledger file; intervals outside [startedAt, endedAt] are clipped to the run. */
export function ledgerFromFile(file: LedgerFile, source: string): Ledger {
  const start = Date.parse(file.startedAt);
  const end = Date.parse(file.endedAt);
  if (end < start) throw new CostInputError(`${source}: endedAt ${file.endedAt} is before startedAt ${file.startedAt}`);
  const seconds = (iso: string) => (Math.min(Math.max(Date.parse(iso), start), end) - start) / 1000;
  const byNode = new Map<string, NodeUsage & { spans: [number, number][] }>();
  for (const interval of file.intervals) {
    const key = `${interval.cloud} ${interval.node}`;
    const entry = byNode.get(key) ?? { cloud: interval.cloud, pool: interval.pool, instanceType: interval.instanceType, pricing: interval.pricing, node: interval.node, spans: [] };
    if (entry.pool !== interval.pool || entry.instanceType !== interval.instanceType || entry.pricing !== interval.pricing) {
      throw new CostInputError(`${source}: node ${interval.node} appears with two pools, types or pricing models`);
    }
    entry.spans.push([seconds(interval.from), seconds(interval.to)]);
    byNode.set(key, entry);
  }
  const nodes = [...byNode.values()].map((node) => ({ ...node, spans: mergeSpans(node.spans) }));
  const awsSeconds = new Map<string, number>();
  for (const node of nodes.filter((n) => n.cloud === 'aws')) {
    const key = `${node.pool} ${node.instanceType}`;
    awsSeconds.set(key, (awsSeconds.get(key) ?? 0) + spanSeconds(node.spans));
  }
  // Work that did not run on AWS is priced on the AWS pool the run used most.
  const mainAws = [...awsSeconds].sort((a, b) => b[1] - a[1])[0]?.[0];
  const fallback = `${DEFAULT_FLEET.aws.pool} ${DEFAULT_FLEET.aws.instanceType}`;
  const notes: string[] = [];
  if (mainAws === undefined) notes.push(`no AWS node in the ledger: work moved to AWS is priced as ${fallback}`);
  if (file.work === undefined) notes.push('the ledger has no work counts: redone work is not separated');
  const [pool, instanceType] = (mainAws ?? fallback).split(' ') as [string, string];
  return {
    run: file.runId,
    source: 'ledger',
    durationSeconds: (end - start) / 1000,
    timeCompressionFactor: null,
    regions: file.regions,
    awsPool: { pool, instanceType },
    nodes,
    work: { examples: file.work?.examples ?? 0, redoneExamples: (file.work?.examplesRedone ?? 0) + (file.work?.examplesDuplicated ?? 0) },
    notes,
  };
}
