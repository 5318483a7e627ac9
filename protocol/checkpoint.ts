/**
 * Checkpoint manifest and LATEST pointer: what makes a committed round verifiable and resumable anywhere.
 */
import { z } from 'zod';
import { PathSegmentSchema } from './blob-layout';

const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex SHA-256');

export const WeightSpecSchema = z.strictObject({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.literal('float32'),
});
export type WeightSpec = z.infer<typeof WeightSpecSchema>;

export const ParticipantSchema = z.strictObject({
  clientId: PathSegmentSchema,
  examples: z.number().int().nonnegative(),
  updateDigest: Sha256Schema,
  baseRound: z.number().int().nonnegative(),
  /** True for work flushed on an interruption warning (fewer examples than a full local epoch). */
  partial: z.boolean(),
  cloud: z.enum(['aws', 'azure']),
});
export type Participant = z.infer<typeof ParticipantSchema>;

export const CheckpointManifestSchema = z.strictObject({
  version: z.literal(1),
  runId: PathSegmentSchema,
  round: z.number().int().nonnegative(),
  /** Failover epoch the round was committed in. */
  epoch: z.number().int().nonnegative(),
  createdAt: z.iso.datetime({ offset: true }),
  /** SHA-256 of the canonical training configuration: resuming under another configuration is refused. */
  configHash: Sha256Schema,
  /** SHA-256 of the model topology (layer names, shapes, dtypes). */
  topologyHash: Sha256Schema,
  weights: z.array(WeightSpecSchema),
  /** SHA-256 and size of model.bin: the weights, concatenated float32 little-endian in `weights` order. */
  modelSha256: Sha256Schema,
  modelBytes: z.number().int().nonnegative(),
  /** Optimizer state saved alongside, when the strategy keeps one (e.g. server-side Adam). */
  optimizer: z.strictObject({ name: z.string(), sha256: Sha256Schema, bytes: z.number().int().nonnegative() }).optional(),
  participants: z.array(ParticipantSchema),
  metrics: z.strictObject({
    examples: z.number().int().nonnegative(),
    loss: z.number().optional(),
    accuracy: z.number().min(0).max(1).optional(),
  }),
});
export type CheckpointManifest = z.infer<typeof CheckpointManifestSchema>;

export const LatestPointerSchema = z.strictObject({
  round: z.number().int().nonnegative(),
  manifestSha256: Sha256Schema,
});
export type LatestPointer = z.infer<typeof LatestPointerSchema>;
