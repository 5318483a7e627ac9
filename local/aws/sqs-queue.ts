/**
 * One SQS standard queue, as the SQS Developer Guide documents it, with the time injected (Clock) so that
 * tests drive it without waiting. No I/O: the wire protocol (sqs-protocol.ts) and long polling
 * (sqs-long-poll.ts) sit on top.
 *
 * Semantics followed:
 * - At-least-once delivery, best-effort order. Knobs (DeliveryFaults) make the guide's caveats happen on
 *   purpose, deterministically with a seeded Random: extra copies of a message (same MessageId, own receipt
 *   handles, deleting one leaves the others, as "a copy on an unavailable server" does) and shuffled receives.
 * - DelaySeconds (message or queue default) hides a new message; a receive hides it for the visibility
 *   timeout (queue default or per receive) and issues a new receipt handle; ApproximateReceiveCount counts
 *   receives; ApproximateFirstReceiveTimestamp is the first.
 * - DeleteMessage needs the latest receipt handle: with an older one "the request succeeds, but the message
 *   might not be deleted" (here: it is not); a handle this queue never issued is ReceiptHandleIsInvalid.
 *   Deleting after the visibility timeout ran out, with the latest handle, still deletes.
 * - ChangeMessageVisibility works only on an in-flight message with its latest handle (the service's
 *   "Message does not exist or is not available for visibility timeout change"), up to 12 hours after the
 *   receive; 0 makes the message visible at once.
 * - RedrivePolicy: a receive that finds a message already received maxReceiveCount times moves it to the
 *   dead-letter queue instead (same MessageId, body, attributes and SentTimestamp; the enqueue time, which
 *   retention counts from, is kept as for standard queues; the receive count is carried over; the
 *   DeadLetterQueueSourceArn system attribute names the source).
 * - MessageRetentionPeriod drops old messages; PurgeQueue at most once every 60 seconds.
 * Not emulated: FIFO queues, short-poll sampling (a receive here always sees every available message),
 * server-side encryption, message system attributes other than AWSTraceHeader.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from './clock';
import { md5Hex, md5OfMessageAttributes, type MessageAttribute, type MessageAttributes } from './md5';
import { shuffled, type Random } from './random';
import { sqsErrors } from './sqs-errors';

/** Service limits the queue enforces. */
export const SQS_LIMITS = {
  maxMessagesPerReceive: 10,
  maxWaitTimeSeconds: 20,
  maxDelaySeconds: 900,
  maxVisibilityTimeoutSeconds: 43_200,
  maxMessageAttributes: 10,
  minMessageSizeBytes: 1_024,
  maxMessageSizeBytes: 1_048_576,
  minRetentionSeconds: 60,
  maxRetentionSeconds: 1_209_600,
  maxReceiveCount: 1_000,
  purgeIntervalMs: 60_000,
} as const;

/** Where and when messages go to the dead-letter queue. */
export interface RedrivePolicy {
  readonly deadLetterTargetArn: string;
  readonly maxReceiveCount: number;
}

/** The queue attributes that shape delivery. */
export interface QueueSettings {
  readonly visibilityTimeoutSeconds: number;
  readonly delaySeconds: number;
  readonly messageRetentionSeconds: number;
  readonly maximumMessageSize: number;
  readonly receiveMessageWaitTimeSeconds: number;
  readonly redrivePolicy: RedrivePolicy | undefined;
}

/** SQS's defaults for a new standard queue. */
export const DEFAULT_QUEUE_SETTINGS: QueueSettings = {
  visibilityTimeoutSeconds: 30,
  delaySeconds: 0,
  messageRetentionSeconds: 345_600,
  maximumMessageSize: SQS_LIMITS.maxMessageSizeBytes,
  receiveMessageWaitTimeSeconds: 0,
  redrivePolicy: undefined,
};

/** Extra copies of each sent message: each with `probability`, or always `copies - 1` of them. */
export type DuplicateDelivery = { readonly probability: number } | { readonly copies: number };

/** Delivery faults to inject; both are allowed by SQS standard queues and happen rarely there. */
export interface DeliveryFaults {
  readonly duplicates?: DuplicateDelivery;
  /** Receives pick available messages in a random order instead of send order. */
  readonly outOfOrder?: boolean;
}

export interface SendMessageInput {
  readonly body: string;
  /** Overrides the queue's DelaySeconds. */
  readonly delaySeconds?: number;
  readonly messageAttributes?: MessageAttributes;
  /** The SenderId system attribute. @default the queue's defaultSenderId */
  readonly senderId?: string;
  /** The AWSTraceHeader system attribute. */
  readonly traceHeader?: string;
}

export interface SendMessageResult {
  readonly messageId: string;
  readonly md5OfMessageBody: string;
  readonly md5OfMessageAttributes?: string;
}

/** System attribute names ReceiveMessage accepts (`All` for every one). */
export const MESSAGE_SYSTEM_ATTRIBUTE_NAMES = [
  'All',
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SequenceNumber',
  'MessageDeduplicationId',
  'MessageGroupId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
] as const;

export interface ReceiveMessageInput {
  /** 1 to 10. @default 1 */
  readonly maxNumberOfMessages?: number;
  /** Overrides the queue's VisibilityTimeout for these messages. */
  readonly visibilityTimeoutSeconds?: number;
  /** System attributes to return (see MESSAGE_SYSTEM_ATTRIBUTE_NAMES). @default none */
  readonly attributeNames?: readonly string[];
  /** Message attributes to return: names, `prefix.*`, or `All` / `.*`. @default none */
  readonly messageAttributeNames?: readonly string[];
}

/** A message as ReceiveMessage returns it. */
export interface ReceivedMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly md5OfBody: string;
  /** The requested system attributes, values as strings (timestamps in epoch milliseconds). */
  readonly attributes: Readonly<Record<string, string>>;
  /** The requested message attributes. */
  readonly messageAttributes: MessageAttributes;
  /** MD5 of the returned message attributes; absent when none are returned. */
  readonly md5OfMessageAttributes?: string;
}

/** What a DeleteMessage did; the wire answer is a success in every case. */
export type DeleteOutcome = 'deleted' | 'already-gone' | 'stale-handle';

/** Where a message is in its life. */
export type MessageState = 'delayed' | 'visible' | 'in-flight';

/** A stored message (or duplicate copy), for inspection. */
export interface QueuedMessageView {
  readonly messageId: string;
  readonly body: string;
  readonly messageAttributes: MessageAttributes;
  readonly state: MessageState;
  readonly receiveCount: number;
  readonly sentAt: number;
  readonly visibleAt: number;
  /** 0 for the original, 1 and up for injected duplicates. */
  readonly copy: number;
  readonly deadLetterQueueSourceArn?: string;
}

/** ApproximateNumberOfMessages(Delayed/NotVisible), exact here. */
export interface QueueCounts {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
}

interface StoredMessage {
  readonly key: number;
  readonly copy: number;
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly messageAttributes: MessageAttributes;
  readonly senderId: string;
  readonly sentAt: number;
  /** Retention counts from here; kept when the message moves to a dead-letter queue. */
  readonly enqueuedAt: number;
  readonly traceHeader: string | undefined;
  readonly deadLetterQueueSourceArn: string | undefined;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt: number | undefined;
  lastReceivedAt: number | undefined;
}

/** What a dead-letter queue receives from its source queue. */
export type DeadLetteredMessage = Omit<StoredMessage, 'key' | 'visibleAt' | 'deadLetterQueueSourceArn'>;

export interface SqsQueueOptions {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly clock: Clock;
  readonly random: Random;
  readonly settings?: Partial<QueueSettings>;
  readonly faults?: DeliveryFaults;
  /** SenderId of messages sent without one. */
  readonly defaultSenderId: string;
  /** Finds the dead-letter queue named by a RedrivePolicy. */
  readonly resolveQueueArn: (arn: string) => SqsQueue | undefined;
}

const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,256}$/;
const RESERVED_NAME = /^(aws\.|amazon\.)/i;
const DATA_TYPE_PATTERN = /^(String|Number|Binary)(\.[^\s]{1,249})?$/;
const NUMBER_PATTERN = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw sqsErrors.invalidParameterValue(`Value ${value} for parameter ${name} is invalid. Reason: Must be between ${min} and ${max}, if provided.`);
  }
}

/** Validates message attributes as SendMessage does; returns their size in bytes. */
export function validateMessageAttributes(attributes: MessageAttributes): number {
  const names = Object.keys(attributes);
  if (names.length > SQS_LIMITS.maxMessageAttributes) {
    throw sqsErrors.invalidParameterValue(
      `Number of message attributes [${names.length}] exceeds the allowed maximum [${SQS_LIMITS.maxMessageAttributes}].`,
    );
  }
  let bytes = 0;
  for (const name of names) {
    const attribute = attributes[name] as MessageAttribute;
    if (!NAME_PATTERN.test(name) || RESERVED_NAME.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..')) {
      throw sqsErrors.invalidParameterValue(
        `Message (user) attribute name '${name}' is invalid. Names may contain only A-Z, a-z, 0-9, underscore, hyphen and period, must not start or end with a period or contain two in a row, and must not start with AWS. or Amazon.`,
      );
    }
    if (!DATA_TYPE_PATTERN.test(attribute.dataType)) {
      throw sqsErrors.invalidParameterValue(
        `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
      );
    }
    const binary = attribute.dataType.startsWith('Binary');
    if (binary ? attribute.binaryValue === undefined || attribute.binaryValue.length === 0 : !attribute.stringValue) {
      throw sqsErrors.invalidParameterValue(
        `Message (user) attribute '${name}' must contain a non-empty value of type '${binary ? 'Binary' : attribute.dataType.split('.')[0]}'.`,
      );
    }
    if (attribute.dataType.startsWith('Number') && !NUMBER_PATTERN.test(attribute.stringValue ?? '')) {
      throw sqsErrors.invalidParameterValue(`Can't convert the value of message (user) attribute '${name}' to a number.`);
    }
    bytes += Buffer.byteLength(name) + Buffer.byteLength(attribute.dataType);
    bytes += binary ? (attribute.binaryValue?.length ?? 0) : Buffer.byteLength(attribute.stringValue ?? '');
  }
  return bytes;
}

function wantsMessageAttribute(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => p === 'All' || p === '.*' || p === name || (p.endsWith('.*') && name.startsWith(p.slice(0, -1))));
}

/** One SQS standard queue. */
export class SqsQueue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly clock: Clock;
  readonly createdAt: number;
  private lastModifiedAt: number;
  private current: QueueSettings;
  private faultSettings: DeliveryFaults;
  private readonly random: Random;
  private readonly defaultSenderId: string;
  private readonly resolveQueueArn: (arn: string) => SqsQueue | undefined;
  private readonly handleKey: string;
  private readonly stored = new Map<number, StoredMessage>();
  private readonly listeners = new Set<() => void>();
  private nextKey = 1;
  private lastPurgeAt: number | undefined;

  constructor(options: SqsQueueOptions) {
    this.name = options.name;
    this.url = options.url;
    this.arn = options.arn;
    this.clock = options.clock;
    this.random = options.random;
    this.defaultSenderId = options.defaultSenderId;
    this.resolveQueueArn = options.resolveQueueArn;
    this.current = { ...DEFAULT_QUEUE_SETTINGS, ...options.settings };
    this.faultSettings = options.faults ?? {};
    this.handleKey = this.random.hex(32);
    this.createdAt = this.clock.now();
    this.lastModifiedAt = this.createdAt;
  }

  /** The current attributes. */
  get settings(): QueueSettings {
    return this.current;
  }

  /** When an attribute last changed (LastModifiedTimestamp). */
  get lastModified(): number {
    return this.lastModifiedAt;
  }

  /** Changes attributes (already validated by the caller, as SetQueueAttributes does). */
  updateSettings(changes: Partial<QueueSettings>): void {
    this.current = { ...this.current, ...changes };
    this.lastModifiedAt = this.clock.now();
  }

  /** The injected delivery faults. */
  get faults(): DeliveryFaults {
    return this.faultSettings;
  }

  /** Replaces the injected delivery faults (from the next send or receive on). */
  setFaults(faults: DeliveryFaults): void {
    this.faultSettings = faults;
  }

  /** Calls `listener` when a message may have become available; returns the unsubscribe function. */
  onAvailable(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** SendMessage. Throws AwsServiceError for what SQS refuses. */
  send(input: SendMessageInput): SendMessageResult {
    this.expire();
    if (input.body === '') throw sqsErrors.missingParameter('MessageBody');
    const delaySeconds = input.delaySeconds ?? this.current.delaySeconds;
    checkInteger('DelaySeconds', delaySeconds, 0, SQS_LIMITS.maxDelaySeconds);
    const messageAttributes = input.messageAttributes ?? {};
    const size = Buffer.byteLength(input.body) + validateMessageAttributes(messageAttributes);
    if (size > this.current.maximumMessageSize) {
      throw sqsErrors.invalidParameterValue(
        `One or more parameters are invalid. Reason: Message must be shorter than ${this.current.maximumMessageSize} bytes.`,
      );
    }
    const now = this.clock.now();
    const messageId = this.random.uuid();
    const md5OfBody = md5Hex(input.body);
    const md5OfAttributes = md5OfMessageAttributes(messageAttributes);
    const copies = this.copiesToStore();
    for (let copy = 0; copy < copies; copy++) {
      this.store({
        copy,
        messageId,
        body: input.body,
        md5OfBody,
        messageAttributes,
        senderId: input.senderId ?? this.defaultSenderId,
        sentAt: now,
        enqueuedAt: now,
        traceHeader: input.traceHeader,
        deadLetterQueueSourceArn: undefined,
        visibleAt: now + delaySeconds * 1000,
        receiveCount: 0,
        firstReceivedAt: undefined,
        lastReceivedAt: undefined,
      });
    }
    if (delaySeconds === 0) this.notify();
    return { messageId, md5OfMessageBody: md5OfBody, ...(md5OfAttributes === undefined ? {} : { md5OfMessageAttributes: md5OfAttributes }) };
  }

  private copiesToStore(): number {
    const duplicates = this.faultSettings.duplicates;
    if (duplicates === undefined) return 1;
    if ('copies' in duplicates) return Math.max(1, Math.floor(duplicates.copies));
    return this.random.next() < duplicates.probability ? 2 : 1;
  }

  private store(message: Omit<StoredMessage, 'key'>): StoredMessage {
    const stored: StoredMessage = { ...message, key: this.nextKey++ };
    this.stored.set(stored.key, stored);
    return stored;
  }

  /**
   * Adds one more copy of a stored message, available now (a duplicate delivery). Returns false when no copy
   * of `messageId` is left in the queue.
   */
  duplicate(messageId: string): boolean {
    const original = [...this.stored.values()].find((m) => m.messageId === messageId);
    if (original === undefined) return false;
    const copy = Math.max(...[...this.stored.values()].filter((m) => m.messageId === messageId).map((m) => m.copy)) + 1;
    this.store({ ...original, copy, visibleAt: this.clock.now(), receiveCount: 0, firstReceivedAt: undefined, lastReceivedAt: undefined });
    this.notify();
    return true;
  }

  /** Takes a message moved here by a source queue's RedrivePolicy. */
  acceptDeadLetter(message: DeadLetteredMessage, sourceArn: string): void {
    this.store({ ...message, deadLetterQueueSourceArn: sourceArn, visibleAt: this.clock.now() });
    this.notify();
  }

  /** ReceiveMessage without waiting: what is available now (possibly nothing). */
  receive(input: ReceiveMessageInput = {}): ReceivedMessage[] {
    const max = input.maxNumberOfMessages ?? 1;
    checkInteger('MaxNumberOfMessages', max, 1, SQS_LIMITS.maxMessagesPerReceive);
    const visibilitySeconds = input.visibilityTimeoutSeconds ?? this.current.visibilityTimeoutSeconds;
    checkInteger('VisibilityTimeout', visibilitySeconds, 0, SQS_LIMITS.maxVisibilityTimeoutSeconds);
    const attributeNames = input.attributeNames ?? [];
    for (const name of attributeNames) {
      if (!(MESSAGE_SYSTEM_ATTRIBUTE_NAMES as readonly string[]).includes(name)) throw sqsErrors.invalidAttributeName(name);
    }
    this.expire();
    const now = this.clock.now();
    const available = [...this.stored.values()].filter((m) => m.visibleAt <= now);
    const ordered = this.faultSettings.outOfOrder ? shuffled(available, this.random) : available;
    const out: ReceivedMessage[] = [];
    for (const message of ordered) {
      if (out.length >= max) break;
      if (this.redrive(message)) continue;
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.lastReceivedAt = now;
      message.visibleAt = now + visibilitySeconds * 1000;
      out.push(this.render(message, attributeNames, input.messageAttributeNames ?? []));
    }
    return out;
  }

  // Moves a message that has used up its receives to the dead-letter queue; true when it moved.
  private redrive(message: StoredMessage): boolean {
    const policy = this.current.redrivePolicy;
    if (policy === undefined || message.receiveCount < policy.maxReceiveCount) return false;
    const target = this.resolveQueueArn(policy.deadLetterTargetArn);
    if (target === undefined || target === this) return false;
    this.stored.delete(message.key);
    const { key: _key, visibleAt: _visibleAt, deadLetterQueueSourceArn: _source, ...moved } = message;
    target.acceptDeadLetter(moved, this.arn);
    return true;
  }

  private render(message: StoredMessage, attributeNames: readonly string[], messageAttributeNames: readonly string[]): ReceivedMessage {
    const all = attributeNames.includes('All');
    const wanted = (name: string) => all || attributeNames.includes(name);
    const attributes: Record<string, string> = {};
    if (wanted('SenderId')) attributes.SenderId = message.senderId;
    if (wanted('ApproximateFirstReceiveTimestamp')) attributes.ApproximateFirstReceiveTimestamp = String(message.firstReceivedAt ?? message.sentAt);
    if (wanted('ApproximateReceiveCount')) attributes.ApproximateReceiveCount = String(message.receiveCount);
    if (wanted('SentTimestamp')) attributes.SentTimestamp = String(message.sentAt);
    if (wanted('AWSTraceHeader') && message.traceHeader !== undefined) attributes.AWSTraceHeader = message.traceHeader;
    if (wanted('DeadLetterQueueSourceArn') && message.deadLetterQueueSourceArn !== undefined) {
      attributes.DeadLetterQueueSourceArn = message.deadLetterQueueSourceArn;
    }
    const messageAttributes = Object.fromEntries(
      Object.entries(message.messageAttributes).filter(([name]) => wantsMessageAttribute(name, messageAttributeNames)),
    );
    const md5 = md5OfMessageAttributes(messageAttributes);
    return {
      messageId: message.messageId,
      receiptHandle: this.issueHandle(message),
      body: message.body,
      md5OfBody: message.md5OfBody,
      attributes,
      messageAttributes,
      ...(md5 === undefined ? {} : { md5OfMessageAttributes: md5 }),
    };
  }

  // A receipt handle names the stored copy and the receive it was issued for, signed with this queue's key,
  // so any handle this queue issued is recognised and any other is not.
  private issueHandle(message: StoredMessage): string {
    const payload = Buffer.from(`${message.key}:${message.receiveCount}:${this.random.hex(8)}`, 'utf8').toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.handleKey).update(payload).digest('base64url').slice(0, 22);
  }

  private parseHandle(handle: string): { key: number; receiveCount: number } {
    const [payload, mac, ...rest] = handle.split('.');
    const expected = payload === undefined ? '' : this.mac(payload);
    const valid =
      payload !== undefined && mac !== undefined && rest.length === 0 && mac.length === expected.length && timingSafeEqual(Buffer.from(mac), Buffer.from(expected));
    const [key, receiveCount] = valid ? Buffer.from(payload, 'base64url').toString('utf8').split(':').map(Number) : [];
    if (key === undefined || receiveCount === undefined || !Number.isInteger(key) || !Number.isInteger(receiveCount)) {
      throw sqsErrors.receiptHandleIsInvalid(handle);
    }
    return { key, receiveCount };
  }

  /** DeleteMessage. Throws ReceiptHandleIsInvalid for a handle this queue did not issue. */
  delete(receiptHandle: string): DeleteOutcome {
    const { key, receiveCount } = this.parseHandle(receiptHandle);
    const message = this.stored.get(key);
    if (message === undefined) return 'already-gone';
    if (message.receiveCount !== receiveCount) return 'stale-handle';
    this.stored.delete(key);
    return 'deleted';
  }

  /** ChangeMessageVisibility: hides an in-flight message for `seconds` from now (0: visible now). */
  changeVisibility(receiptHandle: string, seconds: number): void {
    checkInteger('VisibilityTimeout', seconds, 0, SQS_LIMITS.maxVisibilityTimeoutSeconds);
    const { key, receiveCount } = this.parseHandle(receiptHandle);
    const message = this.stored.get(key);
    const now = this.clock.now();
    if (message === undefined || message.receiveCount !== receiveCount || message.visibleAt <= now) {
      throw sqsErrors.notInFlight(receiptHandle);
    }
    const receivedAt = message.lastReceivedAt ?? now;
    if (now + seconds * 1000 - receivedAt > SQS_LIMITS.maxVisibilityTimeoutSeconds * 1000) {
      throw sqsErrors.invalidParameterValue(
        `Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [${SQS_LIMITS.maxVisibilityTimeoutSeconds} seconds].`,
      );
    }
    message.visibleAt = now + seconds * 1000;
    if (seconds === 0) this.notify();
  }

  /** PurgeQueue: deletes every message; at most once every 60 seconds. */
  purge(): void {
    const now = this.clock.now();
    if (this.lastPurgeAt !== undefined && now - this.lastPurgeAt < SQS_LIMITS.purgeIntervalMs) throw sqsErrors.purgeQueueInProgress(this.name);
    this.lastPurgeAt = now;
    this.stored.clear();
  }

  /** Drops messages older than the retention period. */
  private expire(): void {
    const cutoff = this.clock.now() - this.current.messageRetentionSeconds * 1000;
    for (const [key, message] of this.stored) {
      if (message.enqueuedAt <= cutoff) this.stored.delete(key);
    }
  }

  /** When the next hidden message becomes visible, if any. */
  nextVisibleAt(): number | undefined {
    const now = this.clock.now();
    let next: number | undefined;
    for (const message of this.stored.values()) {
      if (message.visibleAt > now && (next === undefined || message.visibleAt < next)) next = message.visibleAt;
    }
    return next;
  }

  /** Messages by state now. */
  counts(): QueueCounts {
    this.expire();
    const now = this.clock.now();
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const message of this.stored.values()) {
      if (message.visibleAt <= now) visible += 1;
      else if (message.receiveCount > 0) inFlight += 1;
      else delayed += 1;
    }
    return { visible, inFlight, delayed };
  }

  /** Every stored message and copy, in send order. */
  messages(): QueuedMessageView[] {
    this.expire();
    const now = this.clock.now();
    return [...this.stored.values()].map((m) => ({
      messageId: m.messageId,
      body: m.body,
      messageAttributes: m.messageAttributes,
      state: m.visibleAt <= now ? 'visible' : m.receiveCount > 0 ? 'in-flight' : 'delayed',
      receiveCount: m.receiveCount,
      sentAt: m.sentAt,
      visibleAt: m.visibleAt,
      copy: m.copy,
      ...(m.deadLetterQueueSourceArn === undefined ? {} : { deadLetterQueueSourceArn: m.deadLetterQueueSourceArn }),
    }));
  }
}
