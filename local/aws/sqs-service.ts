/**
 * The local SQS account: the queues of one account in one region, found by name, URL
 * (`<endpoint>/<account>/<name>`) or ARN (`arn:aws:sqs:<region>:<account>:<name>`). The typed way to create
 * queues for the drill and tests (`create`), and the registry the wire protocol and EventBridge targets use.
 */
import type { Clock } from './clock';
import { seededRandom, type Random } from './random';
import { parseQueueAttributes } from './sqs-attributes';
import { sqsErrors } from './sqs-errors';
import { SqsQueue, type DeliveryFaults, type QueueSettings } from './sqs-queue';

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** Wire attribute name of each typed setting. */
const WIRE_NAMES: Readonly<Record<keyof QueueSettings, string>> = {
  visibilityTimeoutSeconds: 'VisibilityTimeout',
  delaySeconds: 'DelaySeconds',
  messageRetentionSeconds: 'MessageRetentionPeriod',
  maximumMessageSize: 'MaximumMessageSize',
  receiveMessageWaitTimeSeconds: 'ReceiveMessageWaitTimeSeconds',
  redrivePolicy: 'RedrivePolicy',
};

/** A queue to create: attributes in typed form, the dead-letter queue by handle or name. */
export interface QueueOptions {
  readonly visibilityTimeoutSeconds?: number;
  readonly delaySeconds?: number;
  readonly messageRetentionSeconds?: number;
  readonly maximumMessageSize?: number;
  readonly receiveMessageWaitTimeSeconds?: number;
  /** RedrivePolicy: after `maxReceiveCount` receives a message moves to `queue`, which must exist. */
  readonly deadLetterQueue?: { readonly queue: SqsQueue | string; readonly maxReceiveCount: number };
  readonly faults?: DeliveryFaults;
}

export interface SqsServiceOptions {
  readonly region: string;
  readonly accountId: string;
  /** Origin queue URLs start with, e.g. http://127.0.0.1:4566. */
  readonly baseUrl: string;
  readonly clock: Clock;
  readonly random: Random;
  /**
   * With a seed, each queue draws its ids and faults from its own Random (seed and queue name), so one queue's
   * duplicates and order do not depend on how traffic on other queues interleaves. @default `random` for all
   */
  readonly seed?: number;
  /** SenderId of messages sent in-process without one. */
  readonly defaultSenderId: string;
}

/** FNV-1a of a string: a stable 32-bit number per queue name. */
function nameHash(name: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(name, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

interface QueueEntry {
  readonly queue: SqsQueue;
  passive: Record<string, string>;
}

/** The queues of the local account. */
export class SqsService {
  readonly region: string;
  readonly accountId: string;
  readonly baseUrl: string;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly seed: number | undefined;
  private readonly defaultSenderId: string;
  private readonly entries = new Map<string, QueueEntry>();

  constructor(options: SqsServiceOptions) {
    this.region = options.region;
    this.accountId = options.accountId;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.clock = options.clock;
    this.random = options.random;
    this.seed = options.seed;
    this.defaultSenderId = options.defaultSenderId;
  }

  /** The URL a queue of this name has. */
  urlOf(name: string): string {
    return `${this.baseUrl}/${this.accountId}/${name}`;
  }

  /** The ARN a queue of this name has. */
  arnOf(name: string): string {
    return `arn:aws:sqs:${this.region}:${this.accountId}:${name}`;
  }

  /**
   * Creates a queue (CreateQueue semantics: creating an existing queue with the same attributes returns it,
   * with different ones is QueueNameExists).
   */
  create(name: string, options: QueueOptions = {}): SqsQueue {
    const { deadLetterQueue, faults, ...typed } = options;
    const settings: Partial<Record<keyof QueueSettings, unknown>> = { ...typed };
    if (deadLetterQueue !== undefined) {
      const target = typeof deadLetterQueue.queue === 'string' ? this.require(deadLetterQueue.queue) : deadLetterQueue.queue;
      settings.redrivePolicy = { deadLetterTargetArn: target.arn, maxReceiveCount: deadLetterQueue.maxReceiveCount };
    }
    const wire: Record<string, string> = {};
    for (const [key, value] of Object.entries(settings)) {
      if (value === undefined) continue;
      wire[WIRE_NAMES[key as keyof QueueSettings]] = typeof value === 'object' ? JSON.stringify(value) : String(value);
    }
    const queue = this.createFromWire(name, wire);
    if (faults !== undefined) queue.setFaults(faults);
    return queue;
  }

  /** CreateQueue with wire attributes. */
  createFromWire(name: string, attributes: Readonly<Record<string, string>> = {}): SqsQueue {
    if (name.endsWith('.fifo')) throw sqsErrors.unsupportedOperation('FIFO queues are not emulated by the local SQS.');
    if (!QUEUE_NAME.test(name)) {
      throw sqsErrors.invalidParameterValue(
        `Value ${name} for parameter QueueName is invalid. Reason: Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.`,
      );
    }
    const parsed = parseQueueAttributes(attributes, (arn) => this.byArn(arn) !== undefined);
    const existing = this.entries.get(name);
    if (existing !== undefined) {
      for (const [key, value] of Object.entries(parsed.settings)) {
        const current = existing.queue.settings[key as keyof QueueSettings];
        if (JSON.stringify(current) !== JSON.stringify(value)) throw sqsErrors.queueNameExists(WIRE_NAMES[key as keyof QueueSettings]);
      }
      return existing.queue;
    }
    const queue = new SqsQueue({
      name,
      url: this.urlOf(name),
      arn: this.arnOf(name),
      clock: this.clock,
      random: this.seed === undefined ? this.random : seededRandom((this.seed ^ nameHash(name)) >>> 0),
      settings: parsed.settings,
      defaultSenderId: this.defaultSenderId,
      resolveQueueArn: (arn) => this.byArn(arn),
    });
    this.entries.set(name, { queue, passive: { ...parsed.passive } });
    return queue;
  }

  /** SetQueueAttributes. */
  setAttributes(queue: SqsQueue, attributes: Readonly<Record<string, string>>): void {
    const parsed = parseQueueAttributes(attributes, (arn) => this.byArn(arn) !== undefined);
    queue.updateSettings(parsed.settings);
    const entry = this.entries.get(queue.name);
    if (entry !== undefined) entry.passive = { ...entry.passive, ...parsed.passive };
  }

  /** Passive attributes (Policy, SSE settings) as last set. */
  passiveAttributes(queue: SqsQueue): Readonly<Record<string, string>> {
    return this.entries.get(queue.name)?.passive ?? {};
  }

  /** The queue of this name, if any. */
  get(name: string): SqsQueue | undefined {
    return this.entries.get(name)?.queue;
  }

  /** The queue of this name; QueueDoesNotExist otherwise. */
  require(name: string): SqsQueue {
    const queue = this.get(name);
    if (queue === undefined) throw sqsErrors.queueDoesNotExist();
    return queue;
  }

  /** The queue with this ARN, if any. */
  byArn(arn: string): SqsQueue | undefined {
    const match = /^arn:aws:sqs:([^:]+):([^:]+):([^:]+)$/.exec(arn);
    if (match === null || match[1] !== this.region || match[2] !== this.accountId) return undefined;
    return this.get(match[3] as string);
  }

  /** The queue a QueueUrl names (any host: the path `/<account>/<name>` decides). */
  byUrl(queueUrl: string): SqsQueue {
    let url: URL;
    try {
      url = new URL(queueUrl);
    } catch {
      throw sqsErrors.invalidAddress(queueUrl);
    }
    const match = /^\/([^/]+)\/([^/]+)\/?$/.exec(url.pathname);
    if (match === null) throw sqsErrors.invalidAddress(queueUrl);
    if (match[1] !== this.accountId) throw sqsErrors.queueDoesNotExist();
    return this.require(decodeURIComponent(match[2] as string));
  }

  /** Every queue, by name, optionally those starting with `prefix`. */
  list(prefix = ''): SqsQueue[] {
    return [...this.entries.values()]
      .map((e) => e.queue)
      .filter((q) => q.name.startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** DeleteQueue. */
  delete(queue: SqsQueue): void {
    this.entries.delete(queue.name);
  }
}
