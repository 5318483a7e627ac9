/**
 * runs/<runId>/status.json: the aggregator's view of a run, rewritten every round. The failover brain reads it
 * to size the Azure pool (how many AWS trainers are missing) and to know which shards may move to Azure.
 */
import { z } from 'zod';
import { PathSegmentSchema } from './blob-layout';

export const CloudSchema = z.enum(['aws', 'azure']);
export type Cloud = z.infer<typeof CloudSchema>;

/** Where a data shard may be processed. Raw data never moves; a pinned shard pauses when its cloud is down. */
export const ResidencySchema = z.enum(['aws', 'azure', 'any']);
export type Residency = z.infer<typeof ResidencySchema>;

export const TrainerStatusSchema = z.strictObject({
  clientId: PathSegmentSchema,
  cloud: CloudSchema,
  shard: PathSegmentSchema,
  residency: ResidencySchema,
  instanceId: z.string().optional(),
  nodeName: z.string().optional(),
  lastSeenAt: z.iso.datetime({ offset: true }),
  /** Last round this trainer contributed to, if any. */
  lastRound: z.number().int().nonnegative().optional(),
});
export type TrainerStatus = z.infer<typeof TrainerStatusSchema>;

export const ShardStatusSchema = z.strictObject({
  shard: PathSegmentSchema,
  residency: ResidencySchema,
  /** True when the shard may be trained on Azure (residency azure or any). */
  movableToAzure: z.boolean(),
});

export const RunStatusSchema = z.strictObject({
  version: z.literal(1),
  runId: PathSegmentSchema,
  round: z.number().int().nonnegative(),
  epoch: z.number().int().nonnegative(),
  updatedAt: z.iso.datetime({ offset: true }),
  trainers: z.array(TrainerStatusSchema),
  shards: z.array(ShardStatusSchema),
  /** Trainers per cloud that reported within the aggregator's liveness window. */
  reporting: z.strictObject({ aws: z.number().int().nonnegative(), azure: z.number().int().nonnegative() }),
  /** Last time any AWS trainer reported (drives the aggregator's aws-silent signal). */
  awsLastReportAt: z.iso.datetime({ offset: true }).optional(),
  metrics: z.strictObject({ loss: z.number().optional(), accuracy: z.number().min(0).max(1).optional() }).optional(),
  /**
   * The run's schedule: rounds to train, when it started (its round 0), and the deadline it must finish by when the
   * run configuration sets one (`deadlineMs`). What a deadline-aware decision and an operator compare progress with.
   */
  schedule: z
    .strictObject({ rounds: z.number().int().positive(), startedAt: z.iso.datetime({ offset: true }), deadlineAt: z.iso.datetime({ offset: true }).optional() })
    .optional(),
  /**
   * GPU node time since the run started, per node (one trainer per GPU node): the seconds a trainer on it was heard
   * within the liveness window. What `spot-on status` prices as the cost so far. At most USAGE_NODE_LIMIT nodes per
   * cloud; the time of any further node is added to the cloud's `OTHER_NODES` entry.
   */
  usage: z
    .array(z.strictObject({ cloud: CloudSchema, node: z.string().min(1).max(253), seconds: z.number().nonnegative() }))
    .max(2 * 500 + 2)
    .optional(),
});
export type RunStatus = z.infer<typeof RunStatusSchema>;
export type NodeUsageSeconds = NonNullable<RunStatus['usage']>[number];

/** Nodes status.json's `usage` names one by one per cloud; the rest are summed under OTHER_NODES. */
export const USAGE_NODE_LIMIT = 500;
export const OTHER_NODES = '(other nodes)';
