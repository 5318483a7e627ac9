/**
 * Continuation messages on SPOTON_CONTINUATION_QUEUE: "look again later". Each is JSON, base64-encoded on the wire
 * (the Functions host's default `messageEncoding` for queue triggers), sent with a visibility delay.
 */
import { z } from 'zod';
import { PathSegmentSchema } from '../../../protocol/blob-layout';
import { TraceparentSchema } from '../../../protocol/tracing';

export const ContinuationMessageSchema = z.discriminatedUnion('kind', [
  /** Check the pending pool operation `operationId` once; re-queued with backoff while it runs. */
  z.strictObject({
    version: z.literal(1),
    kind: z.literal('operation'),
    runId: PathSegmentSchema,
    operationId: z.string().min(1).max(100),
    attempt: z.int().min(0).max(10_000),
    enqueuedAt: z.iso.datetime({ offset: true }),
    /** The trace of the invocation that queued it (protocol/tracing.ts). */
    traceparent: TraceparentSchema.optional(),
  }),
  /** Re-evaluate the deferred signal `signalId`. */
  z.strictObject({
    version: z.literal(1),
    kind: z.literal('deferred'),
    runId: PathSegmentSchema,
    signalId: z.string().min(1).max(200),
    attempt: z.int().min(0).max(10_000),
    enqueuedAt: z.iso.datetime({ offset: true }),
    /** The trace of the invocation that queued it (protocol/tracing.ts). */
    traceparent: TraceparentSchema.optional(),
  }),
]);
export type ContinuationMessage = z.infer<typeof ContinuationMessageSchema>;

/** A queue message that is not a valid continuation: dropped with a note, never retried. */
export class InvalidContinuationMessageError extends Error {
  override readonly name = 'InvalidContinuationMessageError';
}

/**
 * Parses what the queue trigger hands over: the host passes a JSON message as an object, anything else as a
 * string (or bytes). Throws InvalidContinuationMessageError with the zod issues as cause.
 */
export function parseContinuationMessage(raw: unknown): ContinuationMessage {
  let value: unknown = raw;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) value = Buffer.from(value).toString('utf8');
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch (error) {
      throw new InvalidContinuationMessageError(`continuation message is not JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  const parsed = ContinuationMessageSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? 'invalid' : `${issue.path.join('.') || '(root)'}: ${issue.message}`;
    throw new InvalidContinuationMessageError(`not a v1 continuation message: ${where}`, { cause: parsed.error.issues });
  }
  return parsed.data;
}

/** Delay before the next check of a running operation: grows by half each attempt, within [base, max]. */
export function backoffSeconds(attempt: number, baseSeconds: number, maxSeconds: number, atLeast = 0): number {
  const grown = Math.round(baseSeconds * 1.5 ** Math.min(attempt, 30));
  return Math.min(Math.max(maxSeconds, atLeast), Math.max(grown, atLeast, 0));
}
