import { z } from 'zod';
import { Ec2InstanceIdSchema } from './ids';

/**
 * Flush request v1: the interruption Lambda asks one trainer to stop at its next batch boundary and contribute
 * its partial local update (`POST http://<podIP>:<TRAINER_PORT>/checkpoint`).
 *
 * The body is signed like a signal (protocol/signing.ts: `x-spoton-timestamp`, `x-spoton-signature`).
 * The trainer answers as soon as it has accepted the request (within FLUSH_ANSWER_TIMEOUT_MS), then finishes
 * the flush on its own by `deadline`; the caller does not wait for the upload.
 * Answers the trainer gives:
 * - 2xx: 202 flush started, 200 already done for this `requestId` (the request is idempotent per event);
 * - 409: a flush is already in progress (for this or another request); the caller treats it as success;
 * - 400 invalid body, 401 bad/expired signature, 421 the trainer is not on `instanceId`: never retried;
 * - 5xx / 503: retried by the caller while the deadline has not passed.
 */

/** Path the trainer serves flush requests on. */
export const FLUSH_PATH = '/checkpoint';

/** Seconds from the event's time until the trainer's work must be durable (the Spot two-minute notice). */
export const FLUSH_WINDOW_SECONDS = 120;

/** How long the caller waits for the trainer's answer (never past the deadline). */
export const FLUSH_ANSWER_TIMEOUT_MS = 10_000;

/** Why a flush was requested: the kind of the AWS event that named the trainer's instance. */
export const FLUSH_REASONS = [
  'spot-interruption',
  'rebalance-recommendation',
  'instance-state-change',
  'scheduled-change',
  'asg-terminate-lifecycle',
] as const;

export const FlushReasonSchema = z.enum(FLUSH_REASONS);
export type FlushReason = z.infer<typeof FlushReasonSchema>;

export const FlushRequestSchema = z.strictObject({
  version: z.literal(1),
  /** The AWS event id: a trainer flushes at most once per requestId. */
  requestId: z.string().min(1).max(200),
  reason: FlushReasonSchema,
  /** ISO-8601 instant by which the partial update must be durable (event time + FLUSH_WINDOW_SECONDS). */
  deadline: z.iso.datetime({ offset: true }),
  /** The EC2 instance the trainer runs on (the one going away). */
  instanceId: Ec2InstanceIdSchema,
});
export type FlushRequest = z.infer<typeof FlushRequestSchema>;

/** The flush deadline for an event that happened at `eventTime` (ISO-8601). */
export function flushDeadline(eventTime: string): string {
  const ms = Date.parse(eventTime);
  if (Number.isNaN(ms)) throw new RangeError(`event time is not a date: ${JSON.stringify(eventTime)}`);
  return new Date(ms + FLUSH_WINDOW_SECONDS * 1000).toISOString();
}
