/**
 * SQS messages in the two forms Spot-On reads: a record of the Lambda's SQS batch (`{"Records": [...]}`,
 * camelCase `messageId`, `body`, `awsRegion`), and a message as `aws sqs receive-message` prints it
 * (`{"Messages": [...]}`, PascalCase `MessageId`, `Body`), which is how a dead-letter queue is dumped for replay.
 */
import { z } from 'zod';
import { parseEventPart } from './errors';

const LambdaSqsRecordSchema = z.looseObject({ body: z.string(), awsRegion: z.string().optional() });
const CliSqsMessageSchema = z.looseObject({ MessageId: z.string().min(1), Body: z.string() });

/** One SQS message, whichever form it came in. */
export interface SqsMessage {
  readonly body: string;
  /** The queue's Region; only Lambda records carry it. */
  readonly region: string | undefined;
}

const isCliMessage = (value: Record<string, unknown>) => typeof value.Body === 'string' && 'MessageId' in value;

/** True for an SQS message in either form (Lambda record, or `receive-message` output). */
export function isSqsMessage(value: Record<string, unknown>): boolean {
  return value.eventSource === 'aws:sqs' || (typeof value.body === 'string' && 'messageId' in value) || isCliMessage(value);
}

/** The body and Region of an SQS message; throws InvalidEventError when it is malformed. */
export function readSqsMessage(value: Record<string, unknown>): SqsMessage {
  if (isCliMessage(value)) return { body: parseEventPart(CliSqsMessageSchema, value, 'SQS message').Body, region: undefined };
  const record = parseEventPart(LambdaSqsRecordSchema, value, 'SQS record');
  return { body: record.body, region: record.awsRegion };
}

/** The messages of a Lambda SQS batch or of a `receive-message` dump, unparsed; undefined for anything else. */
export function sqsBatchOf(raw: unknown): unknown[] | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const { Records, Messages } = raw as { Records?: unknown; Messages?: unknown };
  if (Array.isArray(Records)) return Records;
  if (Array.isArray(Messages)) return Messages;
  return undefined;
}

/**
 * What redriving `raw` puts back on the queue: each message's body for a Lambda batch, a `receive-message` dump
 * or one SQS message (a message without a readable body as its own JSON, so that it dead-letters again with
 * the reason); undefined for anything that is not SQS-shaped.
 */
export function redriveBodies(raw: unknown): string[] | undefined {
  const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  const messages = sqsBatchOf(raw) ?? (isRecord(raw) && isSqsMessage(raw) ? [raw] : undefined);
  return messages?.map((message) => {
    if (!isRecord(message) || !isSqsMessage(message)) return JSON.stringify(message);
    try {
      return readSqsMessage(message).body;
    } catch {
      return JSON.stringify(message);
    }
  });
}
