import { z } from 'zod';
import { Ec2InstanceIdSchema } from './ids';

/**
 * Signal v1: the only message that crosses from AWS to Azure (POST /api/signals).
 * See docs/ARCHITECTURE.md, "Contracts".
 */
export const SIGNAL_TYPES = [
  'capacity-lost',
  'aws-unhealthy',
  'aws-silent',
  'aws-recovered',
  // From the aggregator: Azure is covering, and no Azure trainer has been heard for its silence timeout (the Azure
  // Spot pool was evicted, or its nodes never came back): a run behind its deadline moves to on-demand capacity.
  'azure-silent',
  'run-complete',
  'checkpoint-flushed',
  'drill',
] as const;

export const SignalTypeSchema = z.enum(SIGNAL_TYPES);
export type SignalType = z.infer<typeof SignalTypeSchema>;

/** Largest body the signals endpoint accepts; larger bodies get 413. */
export const MAX_SIGNAL_BYTES = 64 * 1024;

export const SignalSchema = z.strictObject({
  version: z.literal(1),
  /** Idempotency key: the same id is acted on at most once. */
  id: z.string().min(1).max(200),
  type: SignalTypeSchema,
  runId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'runId must be 1-63 of [A-Za-z0-9._-]'),
  issuedAt: z.iso.datetime({ offset: true }),
  source: z.strictObject({
    eventId: z.string().min(1),
    source: z.string().min(1),
    detailType: z.string().min(1),
    time: z.iso.datetime({ offset: true }),
  }),
  instanceIds: z.array(Ec2InstanceIdSchema).max(1000).optional(),
  alarmName: z.string().min(1).max(255).optional(),
});
export type Signal = z.infer<typeof SignalSchema>;
