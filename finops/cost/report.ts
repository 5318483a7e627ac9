/**
 * `spot-on cost --json`: the contract. One CostReport per run (drill scenario or ledger), the price table used and
 * the deployment's standby list. USD are rounded to 4 decimals and seconds to 3, so the output is stable.
 */
import { z } from 'zod';
import { CloudSchema } from '../../protocol/run-status';
import { PriceBasisSchema, PricingModelSchema } from '../prices/schema';

const Usd = z.number();
const Seconds = z.number().nonnegative();

export const UsageLineSchema = z.strictObject({
  cloud: CloudSchema,
  pool: z.string(),
  instanceType: z.string(),
  pricing: PricingModelSchema,
  /** The region whose price was used (the table's reference region when it lacks the run's). */
  pricedRegion: z.string(),
  nodes: z.int().nonnegative(),
  nodeSeconds: Seconds,
  usdPerHour: Usd,
  usd: Usd,
  basis: PriceBasisSchema,
});
export type UsageLine = z.infer<typeof UsageLineSchema>;

export const CostReportSchema = z.strictObject({
  run: z.string(),
  source: z.enum(['drill', 'ledger']),
  /** Real seconds (drill time x factor). */
  durationSeconds: Seconds,
  timeCompressionFactor: z.number().positive().nullable(),
  usage: z.array(UsageLineSchema),
  gpuSeconds: Seconds,
  work: z.strictObject({
    examples: z.int().nonnegative(),
    /** Committed examples per GPU node-second of the run (null without examples or GPU time). */
    examplesPerGpuSecond: z.number().nonnegative().nullable(),
    redoneExamples: z.int().nonnegative(),
    /** Redone examples at the run's throughput: GPU time spent twice (already inside the actual cost). */
    redoneGpuSeconds: Seconds,
    redoneUsd: Usd,
  }),
  /** The deployment's standby prorated over this run's duration. */
  standby: z.strictObject({ usd: Usd, awsUsd: Usd, azureUsd: Usd }),
  figures: z.strictObject({
    /** GPU node time at its prices plus the standby over the run. */
    actualUsd: Usd,
    /** The same useful GPU work (redone work excluded) on AWS On-Demand, plus the standby over the run. */
    allOnDemandAwsUsd: Usd,
    /** No failover: Azure's work done later on AWS Spot, the standby paid while waiting for capacity. */
    awsSpotNoFailoverUsd: Usd,
    /** awsSpotNoFailover - actual: positive when failing over saved money. */
    failoverSavedUsd: Usd,
  }),
  noFailover: z.strictObject({
    /** Wall-clock time Azure trainers ran: the time the run would have waited for AWS capacity. */
    waitSeconds: Seconds,
    durationSeconds: Seconds,
    /** Azure GPU time (less redone work) moved to AWS Spot. */
    movedGpuSeconds: Seconds,
  }),
  notes: z.array(z.string()),
});
export type CostReport = z.infer<typeof CostReportSchema>;

export const StandbyLineOutputSchema = z.strictObject({
  id: z.string(),
  cloud: CloudSchema,
  what: z.string(),
  category: z.enum(['compute', 'network', 'platform']),
  sku: z.string().optional(),
  quantity: z.number().nonnegative(),
  unit: z.enum(['hour', 'day', 'month']),
  usdPerUnit: Usd,
  monthlyUsd: Usd,
  basis: z.enum(['published', 'illustrative', 'usage']),
  source: z.string(),
});

export const CostOutputSchema = z.strictObject({
  version: z.literal(1),
  input: z.string(),
  prices: z.strictObject({ table: z.string(), asOf: z.string(), source: z.string() }),
  /** The monthly cost of the deployment with nothing training: the "no idle compute" claim as a number. */
  standby: z.strictObject({
    monthlyUsd: Usd,
    awsMonthlyUsd: Usd,
    azureMonthlyUsd: Usd,
    /** Of which always-on compute (AKS system and user nodes, VMs, their disks): what "no idle compute" leaves. */
    computeMonthlyUsd: Usd,
    lines: z.array(StandbyLineOutputSchema),
  }),
  runs: z.array(CostReportSchema),
});
export type CostOutput = z.infer<typeof CostOutputSchema>;
