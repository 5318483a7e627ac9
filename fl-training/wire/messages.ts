/**
 * JSON messages between trainers and the aggregator, validated with zod at both edges. Binary weights travel
 * in a frame (wire/frame.ts) whose header is one of these.
 */
import { z } from 'zod';
import { PathSegmentSchema } from '../../protocol/blob-layout';
import { WeightSpecSchema } from '../../protocol/checkpoint';
import { CloudSchema, ResidencySchema } from '../../protocol/run-status';
import { OptimizerNameSchema } from '../config';

const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex SHA-256');
const RoundSchema = z.number().int().min(0).max(999_999);

/** POST /register */
export const RegisterRequestSchema = z.strictObject({
  clientId: PathSegmentSchema,
  cloud: CloudSchema,
  /** Absent: the aggregator assigns a shard that needs a trainer (alike pods of a scaled Deployment). */
  shard: PathSegmentSchema.optional(),
  /** The residency the trainer believes its shard has; given with `shard`. */
  residency: ResidencySchema.optional(),
  instanceId: z.string().min(1).max(200).optional(),
  nodeName: z.string().min(1).max(253).optional(),
});
export type RegisterRequest = z.infer<typeof RegisterRequestSchema>;

export const RegisterReplySchema = z.strictObject({
  runId: PathSegmentSchema,
  /** The shard this trainer trains: the one it asked for, or the one assigned to it. */
  shard: PathSegmentSchema,
  /** The open round: the one trainers train now. */
  round: RoundSchema,
  epoch: z.number().int().nonnegative(),
  configHash: Sha256Schema,
  /** True when this client already has an update in the open round (it rejoined after a restart). */
  submitted: z.boolean(),
});
export type RegisterReply = z.infer<typeof RegisterReplySchema>;

/** What a trainer does in a round (Flower's configure_fit); sent with the global model. */
export const FitInstructionsSchema = z.strictObject({
  localEpochs: z.number().int().min(1),
  batchSize: z.number().int().min(1),
  learningRate: z.number().positive(),
  optimizer: OptimizerNameSchema,
});
export type FitInstructions = z.infer<typeof FitInstructionsSchema>;

/** Header of the GET /model frame; the payload is the global weights of `baseRound`. */
export const ModelHeaderSchema = z.strictObject({
  version: z.literal(1),
  runId: PathSegmentSchema,
  round: RoundSchema,
  baseRound: RoundSchema,
  epoch: z.number().int().nonnegative(),
  configHash: Sha256Schema,
  fit: FitInstructionsSchema,
  weights: z.array(WeightSpecSchema),
});
export type ModelHeader = z.infer<typeof ModelHeaderSchema>;

/** A weight spec as a trainer declares it; dtype is checked by the aggregator so a wrong one gets a clear 422. */
const DeclaredWeightSpecSchema = z.strictObject({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.string(),
});

/** Header of the POST /update frame (and updates/<clientId>.json); the payload is the local weights. */
export const UpdateMetaSchema = z.strictObject({
  version: z.literal(1),
  runId: PathSegmentSchema,
  clientId: PathSegmentSchema,
  round: RoundSchema,
  /** The global round the trainer started from (round - 1). */
  baseRound: RoundSchema,
  /** Failover epoch the trainer got the global model in. */
  epoch: z.number().int().nonnegative(),
  /** Examples processed this round (over all local epochs); the FedAvg weight. */
  examples: z.number().int(),
  /** True for work flushed on an interruption (stopped at a batch boundary). */
  partial: z.boolean(),
  cloud: CloudSchema,
  shard: PathSegmentSchema,
  weights: z.array(DeclaredWeightSpecSchema),
  /** SHA-256 of the payload. */
  sha256: Sha256Schema,
  /** Mean training loss over the processed batches. */
  loss: z.number().optional(),
  createdAt: z.iso.datetime({ offset: true }),
});
export type UpdateMeta = z.infer<typeof UpdateMetaSchema>;

/** updates/<clientId>.json: the meta, plus when and in which epoch the aggregator accepted it (absent when a trainer wrote it directly). */
export const StoredUpdateMetaSchema = UpdateMetaSchema.extend({
  accepted: z.strictObject({ at: z.iso.datetime({ offset: true }), epoch: z.number().int().nonnegative() }).optional(),
});
export type StoredUpdateMeta = z.infer<typeof StoredUpdateMetaSchema>;

/** POST /heartbeat: a trainer is alive (and how far it is). */
export const HeartbeatSchema = z.strictObject({
  clientId: PathSegmentSchema,
  round: RoundSchema.optional(),
  processed: z.number().int().nonnegative().optional(),
});

/** POST /leave: a trainer stops without an update (flushed while idle, or SIGTERM between rounds). */
export const LeaveSchema = z.strictObject({ clientId: PathSegmentSchema, reason: z.string().min(1).max(200) });

/** Machine-readable reasons for a refusal, one per check. */
export const REJECTION_CODES = [
  'malformed',
  'too-large',
  'wrong-run',
  'unregistered',
  'wrong-shard',
  'residency',
  'unknown-shard',
  'no-free-shard',
  'identity-taken',
  'stale-round',
  'future-round',
  'round-closed',
  'wrong-base',
  'stale-epoch',
  'future-epoch',
  'duplicate',
  'shard-covered',
  'wrong-dtype',
  'wrong-shape',
  'digest-mismatch',
  'non-finite',
  'out-of-bounds',
  'absurd-examples',
  'run-complete',
  'bad-signature',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

/** Body of every 4xx answer. */
export const ErrorReplySchema = z.strictObject({ error: z.enum(REJECTION_CODES), message: z.string() });
export type ErrorReply = z.infer<typeof ErrorReplySchema>;

/** Body of a 202 answer to POST /update. */
export const UpdateReplySchema = z.strictObject({
  accepted: z.literal(true),
  round: RoundSchema,
  /** Updates in the open round so far, this one included. */
  pending: z.number().int().nonnegative(),
});
