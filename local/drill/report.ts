/**
 * The drill report (`spot-on drill --json`): what one scenario did, measured. The schema is the contract between
 * the drill, its tests, the HTML report and anyone scripting against `--json` (docs/ARCHITECTURE.md).
 */
import { z } from 'zod';
import { INCIDENT_STEPS, TRACE_COMPONENTS } from '../../protocol/tracing';

export const SCENARIOS = ['spot-interruption', 'capacity-loss', 'aws-outage', 'duplicate-storm', 'vpn-outage', 'quiet-deploy', 'long-vpn-outage', 'partial-loss', 'brain-outage', 'ambiguous-commit', 'deadline'] as const;
export const ScenarioSchema = z.enum(SCENARIOS);
export type Scenario = z.infer<typeof ScenarioSchema>;

/** Where a timeline entry came from: the component that did or saw it. */
export const ComponentSchema = z.enum(['drill', 'aws', 'eventbridge', 'sqs', 'lambda', 'trainer', 'aggregator', 'signals', 'brain', 'arm', 'cluster']);

export const TimelineEntrySchema = z.strictObject({
  /** Milliseconds since the scenario started. */
  t: z.number().nonnegative(),
  at: z.iso.datetime(),
  component: ComponentSchema,
  event: z.string().min(1),
  detail: z.string().optional(),
  /** An ARM agent-pool operation's entry: the node count the operation sets. */
  nodeCount: z.number().int().nonnegative().optional(),
  /** An ARM agent-pool operation's entry: the pool it scales (Spot, or the deadline safety net's on-demand pool). */
  pool: z.string().optional(),
  round: z.number().int().nonnegative().optional(),
});
export type TimelineEntry = z.infer<typeof TimelineEntrySchema>;
/** What a timeline entry carries besides its prose, for the drill to measure by. */
export type TimelineFacts = Pick<TimelineEntry, 'nodeCount' | 'pool'>;

export const RoundMetricsSchema = z.strictObject({
  round: z.number().int().nonnegative(),
  /** Milliseconds since the scenario started, when the round was committed. */
  t: z.number().nonnegative(),
  loss: z.number(),
  accuracy: z.number().min(0).max(1),
  examples: z.number().int().nonnegative(),
  epoch: z.number().int().nonnegative(),
  participants: z.strictObject({ aws: z.number().int().nonnegative(), azure: z.number().int().nonnegative() }),
  partialUpdates: z.number().int().nonnegative(),
});
export type RoundMetrics = z.infer<typeof RoundMetricsSchema>;

/** Trainer placement over time: one interval per trainer process. */
export const PlacementSchema = z.strictObject({
  clientId: z.string(),
  cloud: z.enum(['aws', 'azure']),
  node: z.string(),
  from: z.number().nonnegative(),
  to: z.number().nonnegative().optional(),
  /** How the interval ended: flushed on a warning, killed without one, stopped at the end. */
  end: z.enum(['flushed', 'killed', 'stopped', 'scaled-in']).optional(),
});
export type Placement = z.infer<typeof PlacementSchema>;

const Millis = z.number().nonnegative().nullable();

/** The data-residency check (residency.ts): where the bytes of shards pinned to AWS were looked for, and found. */
export const ResidencyReportSchema = z.strictObject({
  pinnedToAws: z.array(z.string()),
  /** Every blob of the Azure storage account, read whole after the scenario. */
  azureObjectsScanned: z.number().int().nonnegative(),
  azureBytesScanned: z.number().int().nonnegative(),
  /** Data objects Azure trainer pods read. */
  azureReads: z.number().int().nonnegative(),
  /** Each place a pinned shard's bytes were found outside AWS; must be empty. */
  leaks: z.array(z.string()),
});
export type ResidencyReport = z.infer<typeof ResidencyReportSchema>;

/** One span of a trace, as every component exported it to the drill's OTLP receiver (protocol/tracing.ts). */
export const TraceSpanSchema = z.strictObject({
  spanId: z.string().regex(/^[0-9a-f]{16}$/),
  /** Absent for the trace's root. */
  parentSpanId: z.string().regex(/^[0-9a-f]{16}$/).optional(),
  name: z.string().min(1),
  component: z.enum(TRACE_COMPONENTS),
  /** The step of the incident's critical path this span marks, if it marks one. */
  step: z.enum(INCIDENT_STEPS).optional(),
  /** Milliseconds since the scenario started (a span may start before it: a step's recorded start). */
  startMs: z.number(),
  endMs: z.number(),
});
export type TraceSpan = z.infer<typeof TraceSpanSchema>;

/** One trace: every span with its trace id, oldest first. An incident's trace runs from its first AWS event on. */
export const TraceSchema = z.strictObject({
  traceId: z.string().regex(/^[0-9a-f]{32}$/),
  spans: z.array(TraceSpanSchema).min(1),
});
export type Trace = z.infer<typeof TraceSchema>;

export const DrillReportSchema = z.strictObject({
  scenario: ScenarioSchema,
  seed: z.number().int(),
  rounds: z.number().int().nonnegative(),
  /** Examples trained but never aggregated (work lost); the drill's central promise is 0. */
  examplesLost: z.number().int().nonnegative(),
  /** Examples refused for a stale epoch and trained again in the same round: compute spent twice, no data lost. */
  examplesRedone: z.number().int().nonnegative(),
  /** Trained by two trainers for one shard and round (a handover mid-round); counted once. */
  examplesDuplicated: z.number().int().nonnegative().optional(),
  checkpoint: z.strictObject({
    /** From the Spot warning's injection to the flushed partial update being durable; null if none was flushed. */
    warningToDurableMs: Millis,
  }),
  failover: z.strictObject({
    signalToPoolScaledMs: Millis,
    signalToTrainingResumedMs: Millis,
  }),
  failback: z.strictObject({ signalToAwsPrimaryMs: Millis }),
  accuracy: z.strictObject({
    final: z.number().min(0).max(1),
    /** Same seed, same rounds, no interruptions. */
    baseline: z.number().min(0).max(1),
  }),
  /** Failover epochs seen by the brain, in order (starts at 0). */
  epochs: z.array(z.number().int().nonnegative()),
  failovers: z.number().int().nonnegative(),
  failbacks: z.number().int().nonnegative(),
  /** Signals: sent by the Lambda, accepted by the brain, answered as duplicates, retried. */
  signals: z.strictObject({
    sent: z.number().int().nonnegative(),
    accepted: z.number().int().nonnegative(),
    duplicates: z.number().int().nonnegative(),
    retried: z.number().int().nonnegative(),
  }),
  /** Messages in the dead-letter queues at the end: a signal or event given up on. Must be 0. */
  deadLettered: z.strictObject({ interruption: z.number().int().nonnegative(), outbox: z.number().int().nonnegative() }),
  durationMs: z.number().nonnegative(),
  residency: ResidencyReportSchema.optional(),
  roundsDetail: z.array(RoundMetricsSchema),
  placement: z.array(PlacementSchema),
  timeline: z.array(TimelineEntrySchema),
  /** The traces of the scenario's incidents: those with a step of the critical path (protocol/tracing.ts). Reports from before traces read as []. */
  traces: z.array(TraceSchema).default([]),
});
export type DrillReport = z.infer<typeof DrillReportSchema>;

/** `spot-on drill --json` with several scenarios. */
/** A setting the drill runs differently from production, and why (production/time-compression.ts). */
export const ProductionDifferenceSchema = z.strictObject({ setting: z.string(), production: z.string(), drill: z.string(), reason: z.string() });

export const DrillSummarySchema = z.strictObject({
  /** How the drill's clock relates to production's: every production duration divided by `factor`. */
  timeCompression: z.strictObject({ factor: z.number().positive(), meaning: z.string() }).optional(),
  /** Every setting the drill could not take from the deployment as it is, with the reason. */
  differsFromProduction: z.array(ProductionDifferenceSchema).optional(),
  scenarios: z.array(DrillReportSchema),
});
export type DrillSummary = z.infer<typeof DrillSummarySchema>;
