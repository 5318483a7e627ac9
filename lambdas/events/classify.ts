import { z } from 'zod';
import { EventBridgeEnvelopeSchema, type EventBridgeEnvelope } from './envelope';
import { InvalidEventError } from './errors';
import { AsgNotificationSchema, liftAsgNotification, looksLikeAsgNotification } from './kinds/asg-notification';
import type { Message } from './message';
import { lookupEventModule } from './registry';
import { ignored } from './registry-types';

/** EventBridge's limit for one event entry; anything larger cannot be a real event. */
export const MAX_EVENT_BYTES = 256 * 1024;

/** Parses event text (an SQS body or a file), failing with InvalidEventError for empty, oversize or non-JSON. */
export function parseEventText(text: string): unknown {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_EVENT_BYTES) {
    throw new InvalidEventError(`event is ${bytes} bytes, over EventBridge's ${MAX_EVENT_BYTES}-byte limit`);
  }
  if (text.trim() === '') throw new InvalidEventError('event is empty');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidEventError(`event is not JSON: ${(error as Error).message}`, { cause: error });
  }
}

const SqsRecordSchema = z.looseObject({
  body: z.string(),
  awsRegion: z.string().optional(),
});

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// An SQS record as Lambda receives it: `eventSource` "aws:sqs", the event as a JSON string in `body`.
function isSqsRecord(value: Record<string, unknown>): boolean {
  return value.eventSource === 'aws:sqs' || (typeof value.body === 'string' && 'messageId' in value);
}

function summarise(error: z.ZodError): string {
  const [first] = error.issues;
  if (first === undefined) return 'invalid';
  const path = first.path.length > 0 ? first.path.join('.') : '(root)';
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return `${path}: ${first.message}${more}`;
}

function parseWith<T>(schema: z.ZodType<T, unknown>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InvalidEventError(`malformed ${what}: ${summarise(result.error)}`, { cause: result.error.issues });
  }
  return result.data;
}

function classifyEnvelope(envelope: EventBridgeEnvelope): Message {
  const module = lookupEventModule(envelope.source, envelope['detail-type']);
  if (module === undefined) {
    return ignored(envelope, `no handler for ${envelope.source} "${envelope['detail-type']}"`);
  }
  const detail: unknown = parseWith(module.detailSchema, envelope.detail, `${envelope['detail-type']} ${envelope.id} detail`);
  return module.toMessage(envelope, detail);
}

function classifyObject(raw: Record<string, unknown>, region: string | undefined): Message {
  if (looksLikeAsgNotification(raw)) {
    const notification = parseWith(AsgNotificationSchema, raw, 'Auto Scaling notification');
    const lifted = liftAsgNotification(notification, region ?? 'unknown');
    return 'ignored' in lifted ? lifted.ignored : classifyEnvelope(lifted.envelope);
  }
  return classifyEnvelope(parseWith(EventBridgeEnvelopeSchema, raw, 'EventBridge event'));
}

/**
 * Classifies one raw event: an EventBridge event, an Auto Scaling hook notification, or an SQS record whose
 * `body` is either. Unknown or irrelevant events are `ignored` with a reason; a malformed event throws
 * InvalidEventError carrying the zod issues as `cause`.
 */
export function classify(raw: unknown): Message {
  if (!isObject(raw)) {
    throw new InvalidEventError(`event must be a JSON object, got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`);
  }
  if (isSqsRecord(raw)) {
    const record = parseWith(SqsRecordSchema, raw, 'SQS record');
    const body = parseEventText(record.body);
    if (!isObject(body)) throw new InvalidEventError('SQS record body must be a JSON object');
    if (isSqsRecord(body)) throw new InvalidEventError('SQS record body is itself an SQS record');
    return classifyObject(body, record.awsRegion);
  }
  return classifyObject(raw, undefined);
}
