/**
 * The cost ledger: which GPU nodes ran, in which pool and under which pricing model, for how long in real time, and
 * how much of their work was done twice. Built from a drill report (from-drill.ts) or read from a ledger file that a
 * production run can export (LedgerFileSchema below); priced by price-ledger.ts.
 */
import { z } from 'zod';
import { CloudSchema, type Cloud } from '../../protocol/run-status';
import { PricingModelSchema, type PricingModel } from '../prices/schema';

/** One GPU node's billed time, in seconds since the run started (real time, never drill time). */
export interface NodeUsage {
  readonly cloud: Cloud;
  readonly pool: string;
  readonly instanceType: string;
  readonly pricing: PricingModel;
  readonly node: string;
  /** Disjoint, sorted [from, to) spans in seconds. */
  readonly spans: readonly (readonly [number, number])[];
}

export interface Ledger {
  /** The scenario (drill) or run id (ledger file). */
  readonly run: string;
  readonly source: 'drill' | 'ledger';
  /** Real seconds from the run's start to its end. */
  readonly durationSeconds: number;
  /** Drill time x factor = real time; null for a production ledger. */
  readonly timeCompressionFactor: number | null;
  readonly regions: Readonly<Record<Cloud, string>>;
  /** Where AWS work goes when it is not done on Azure: the AWS pool of the run. */
  readonly awsPool: { readonly pool: string; readonly instanceType: string };
  readonly nodes: readonly NodeUsage[];
  readonly work: {
    /** Examples committed into rounds (each counted once). */
    readonly examples: number;
    /** Examples trained a second time: refused for a stale epoch, or trained by two trainers at a shard handover. */
    readonly redoneExamples: number;
  };
  readonly notes: readonly string[];
}

/** Merges [from, to) spans into disjoint sorted spans (a node hosting two trainer processes in turn is billed once). */
export function mergeSpans(spans: readonly (readonly [number, number])[]): [number, number][] {
  const sorted = spans.filter(([from, to]) => to > from).sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [from, to] of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

/** Total seconds covered by spans. */
export const spanSeconds = (spans: readonly (readonly [number, number])[]) => spans.reduce((total, [from, to]) => total + (to - from), 0);

const Instant = z.iso.datetime({ offset: true });

/**
 * A ledger a production run exports (docs/FINOPS.md, "Cost model"): one entry per GPU node interval, with ISO times.
 * Node intervals are what the providers bill: from the node's launch (Karpenter NodeClaim / VMSS instance creation)
 * to its termination, not the trainer pod's life.
 */
export const LedgerIntervalSchema = z.strictObject({
  cloud: CloudSchema,
  pool: z.string().min(1),
  instanceType: z.string().min(1),
  pricing: PricingModelSchema,
  /** Node name or instance id; intervals of one node are merged. */
  node: z.string().min(1),
  from: Instant,
  to: Instant,
});
export type LedgerInterval = z.infer<typeof LedgerIntervalSchema>;

export const LedgerFileSchema = z.strictObject({
  kind: z.literal('spot-on-ledger'),
  version: z.literal(1),
  runId: z.string().min(1),
  startedAt: Instant,
  endedAt: Instant,
  regions: z.strictObject({ aws: z.string().min(1), azure: z.string().min(1) }),
  intervals: z.array(LedgerIntervalSchema),
  /** The aggregator's counts, when the run has them (see the drill report's fields of the same names). */
  work: z
    .strictObject({
      examples: z.int().nonnegative(),
      examplesRedone: z.int().nonnegative(),
      examplesDuplicated: z.int().nonnegative().default(0),
    })
    .optional(),
});
export type LedgerFile = z.infer<typeof LedgerFileSchema>;
