import { EventBridgeEnvelopeSchema, type EventBridgeEnvelope } from './envelope';
import { InvalidEventError, parseEventPart } from './errors';
import { AsgNotificationSchema, liftAsgNotification, looksLikeAsgNotification } from './kinds/asg-notification';
import type { Message } from './message';
import { lookupEventModule } from './registry';
import { ignored } from './registry-types';
import { looksLikeSnsEnvelope, nonNotification, SnsNotificationSchema, topicRegion } from './sns-envelope';
import { isSqsMessage, readSqsMessage, sqsBatchOf } from './sqs-envelope';

/** EventBridge's limit for one event entry; anything larger cannot be a real event. */
export const MAX_EVENT_BYTES = 256 * 1024;

function parseJson(text: string): unknown {
  if (text.trim() === '') throw new InvalidEventError('event is empty');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidEventError(`event is not JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** Parses event text (an SQS body or a file), failing with InvalidEventError for empty, oversize or non-JSON. */
export function parseEventText(text: string): unknown {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_EVENT_BYTES) {
    throw new InvalidEventError(`event is ${bytes} bytes, over EventBridge's ${MAX_EVENT_BYTES}-byte limit`);
  }
  return parseJson(text);
}

/**
 * Parses a file that may hold several SQS messages (a Lambda batch, a `receive-message` dump of a dead-letter
 * queue): such a file may be larger than one event, each of its messages is bounded when it is classified.
 * Anything else is parsed as one event by parseEventText.
 */
export function parseInputText(text: string): unknown {
  if (Buffer.byteLength(text, 'utf8') <= MAX_EVENT_BYTES) return parseEventText(text);
  const raw = parseJson(text);
  return sqsBatchOf(raw) === undefined ? parseEventText(text) : raw;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function classifyEnvelope(envelope: EventBridgeEnvelope): Message {
  const module = lookupEventModule(envelope.source, envelope['detail-type']);
  if (module === undefined) {
    return ignored(envelope, `no handler for ${envelope.source} "${envelope['detail-type']}"`);
  }
  const detail: unknown = parseEventPart(module.detailSchema, envelope.detail, `${envelope['detail-type']} ${envelope.id} detail`);
  return module.toMessage(envelope, detail);
}

/** An EventBridge event or an Auto Scaling notification, with every transport envelope removed. */
function classifyPayload(raw: Record<string, unknown>, region: string | undefined): Message {
  if (looksLikeAsgNotification(raw)) {
    const notification = parseEventPart(AsgNotificationSchema, raw, 'Auto Scaling notification');
    const lifted = liftAsgNotification(notification, region ?? 'unknown');
    return 'ignored' in lifted ? lifted.ignored : classifyEnvelope(lifted.envelope);
  }
  return classifyEnvelope(parseEventPart(EventBridgeEnvelopeSchema, raw, 'EventBridge event'));
}

/** A payload, or an SNS notification carrying one (a topic subscribed to the queue without raw delivery). */
function classifyUnwrapped(raw: Record<string, unknown>, region: string | undefined): Message {
  if (!looksLikeSnsEnvelope(raw)) return classifyPayload(raw, region);
  const envelope = parseEventPart(SnsNotificationSchema, raw, 'SNS notification');
  const notNotification = nonNotification(envelope);
  if (notNotification !== undefined) return notNotification;
  const inner = parseEventText(envelope.Message);
  if (!isObject(inner)) throw new InvalidEventError('SNS notification Message must be a JSON object');
  if (isSqsMessage(inner) || looksLikeSnsEnvelope(inner)) throw new InvalidEventError('SNS notification Message is itself an SQS or SNS envelope');
  return classifyPayload(inner, topicRegion(envelope.TopicArn) ?? region);
}

/**
 * Classifies one raw event: an EventBridge event or an Auto Scaling hook notification, bare, in an SNS
 * notification, or in an SQS message (a Lambda record or a `receive-message` one) whose body is any of those.
 * Unknown or irrelevant events are `ignored` with a reason; a malformed event throws InvalidEventError
 * carrying the zod issues as `cause`.
 */
export function classify(raw: unknown): Message {
  if (!isObject(raw)) {
    throw new InvalidEventError(`event must be a JSON object, got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`);
  }
  if (isSqsMessage(raw)) {
    const message = readSqsMessage(raw);
    const body = parseEventText(message.body);
    if (!isObject(body)) throw new InvalidEventError('SQS record body must be a JSON object');
    if (isSqsMessage(body)) throw new InvalidEventError('SQS record body is itself an SQS record');
    return classifyUnwrapped(body, message.region);
  }
  return classifyUnwrapped(raw, undefined);
}
