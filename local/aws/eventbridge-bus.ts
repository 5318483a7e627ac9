/**
 * Local EventBridge: buses whose rules (patterns matched by local/eventbridge, the same constants the CDK app deploys)
 * target SQS queues, delivering as a rule with an SQS target does: the whole event envelope, as JSON, is the message
 * body, without message attributes.
 *
 * PutEvents follows the API reference and the User Guide: at most 10 entries; Source, DetailType and Detail are
 * required (InvalidArgument); Detail must be a JSON object (MalformedDetail); sources starting with `aws.` are
 * reserved for AWS services (NotAuthorizedForSourceException); the entries together must stay within 256 KiB, sized
 * as "Calculating PutEvents event entry size" says. Each accepted entry becomes the envelope `{ version "0", id,
 * detail-type, source, account, time, region, resources, detail }` with `time` in whole seconds. Every event is
 * recorded on its bus, matching rules or not. AWS service events (Spot warnings, state changes, alarms) cannot be
 * sent with PutEvents; `inject` puts a recorded one on a bus as AWS would.
 *
 * SQS delivers at least once and, for standard queues, not in order: `copies` makes the bus deliver each matched
 * event that many times, each copy after a seeded delay of 0 or 1 s (the drill's duplicate-storm).
 *
 * One deliberate difference: an entry for a bus that does not exist fails with ResourceNotFoundException, where the
 * service has answered a success and dropped the event (aws/aws-sdk#186, aws/aws-cli#9186): a wrong EVENT_BUS_NAME
 * fails loudly in the drill.
 */
import { z } from 'zod';
import { matchesPattern, validatePattern, type EventPattern } from '../eventbridge/pattern';
import type { Clock } from './clock';
import { AwsServiceError } from './errors';
import type { Random } from './random';
import type { SqsQueueRef } from './sqs';

/** An SQS target of a rule. */
export type SqsTarget = Pick<SqsQueueRef, 'url' | 'arn'>;

/** Sends one message to a queue (SendMessage) and resolves with its message id. */
export type DeliverToQueue = (target: SqsTarget, body: string, delaySeconds: number) => Promise<string>;

/** An event as EventBridge delivers it to targets. */
export interface EventBridgeEvent {
  readonly version: string;
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

/** One PutEvents entry, `Time` as epoch milliseconds. */
export interface PutEventsEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly Resources?: readonly string[];
  readonly TimeMs?: number;
  readonly EventBusName?: string;
}

/** One PutEvents result entry: an EventId, or why the entry failed. */
export type PutEventsResultEntry = { readonly EventId: string } | { readonly ErrorCode: string; readonly ErrorMessage: string };

/** A rule: a pattern and the queues that receive matching events. */
export interface RuleDefinition {
  readonly name: string;
  /** An EventBridge event pattern (validated as PutRule does). */
  readonly pattern: object;
  readonly targets: readonly SqsTarget[];
}

/** Where an event went. */
export type Delivery = { readonly rule: string; readonly targetArn: string } & ({ readonly messageId: string } | { readonly error: string });

/** An event a bus received. */
export interface BusEventRecord {
  readonly event: EventBridgeEvent;
  readonly receivedAt: number;
  readonly via: 'PutEvents' | 'injected';
  /** Names of the matching rules. */
  readonly matchedRules: readonly string[];
  readonly deliveries: readonly Delivery[];
}

/** An envelope's `time`: ISO 8601 in whole seconds, as EventBridge writes it. */
export function eventTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The entry's size as the User Guide computes it: 14 bytes for a Time, then the UTF-8 bytes of the rest. */
export function putEventsEntrySize(entry: PutEventsEntry): number {
  const texts = [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])];
  return (entry.TimeMs === undefined ? 0 : 14) + texts.reduce((size, text) => size + Buffer.byteLength(text ?? ''), 0);
}

/** An event injected by an AWS service is not a valid event. */
export class InvalidInjectedEventError extends Error {
  override readonly name = 'InvalidInjectedEventError';
}

export interface EventBridgeServiceOptions {
  readonly region: string;
  readonly accountId: string;
  readonly clock: Clock;
  readonly random: Random;
  /** Events kept per bus in `events()`, oldest dropped first. @default 10_000 */
  readonly maxRecordedEvents?: number;
  readonly deliver: DeliverToQueue;
  /** Deliveries of each matched event to each target (at-least-once delivery, injected). @default 1 */
  readonly copies?: number;
}

/** One event bus. */
export class EventBus {
  readonly arn: string;
  private readonly rules = new Map<string, { readonly name: string; readonly pattern: EventPattern; readonly targets: readonly SqsTarget[] }>();
  private readonly recorded: BusEventRecord[] = [];
  private readonly listeners = new Set<(record: BusEventRecord) => void>();

  constructor(
    readonly name: string,
    private readonly options: EventBridgeServiceOptions,
  ) {
    this.arn = `arn:aws:events:${options.region}:${options.accountId}:event-bus/${name}`;
  }

  /** PutRule + PutTargets: adds or replaces a rule. Throws InvalidPatternError for a pattern EventBridge refuses. */
  putRule(rule: RuleDefinition): void {
    this.rules.set(rule.name, { name: rule.name, pattern: validatePattern(rule.pattern), targets: [...rule.targets] });
  }

  /** One rule per entry of `patterns` (e.g. INGEST_RULES), each targeting `targets`. */
  putRules(patterns: Readonly<Record<string, object>>, targets: readonly SqsTarget[]): void {
    for (const [name, pattern] of Object.entries(patterns)) this.putRule({ name, pattern, targets });
  }

  /** Every event received (up to the recording limit), oldest first. */
  events(): BusEventRecord[] {
    return [...this.recorded];
  }

  /** Calls `listener` for every event this bus receives; returns the unsubscribe function. */
  onEvent(listener: (record: BusEventRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Routes an event to the targets of every matching rule and records it. */
  async publish(event: EventBridgeEvent, via: BusEventRecord['via']): Promise<BusEventRecord> {
    const matched = [...this.rules.values()].filter((rule) => matchesPattern(rule.pattern, event));
    const body = JSON.stringify(event);
    const copies = Math.max(1, Math.floor(this.options.copies ?? 1));
    const sends = matched.flatMap((rule) => rule.targets.flatMap((queue) => Array.from({ length: copies }, () => ({ rule: rule.name, targetArn: queue.arn, queue }))));
    // The delays are drawn in order before any send, so that a seed gives the same deliveries whatever the timing.
    const delays = sends.map(() => (copies === 1 ? 0 : Math.floor(this.options.random.next() * 2)));
    const deliveries = await Promise.all(
      sends.map(({ queue, ...to }, i): Promise<Delivery> =>
        // EventBridge retries and then dead-letters a failed target; here the failure is recorded.
        this.options.deliver(queue, body, delays[i] ?? 0).then((messageId) => ({ ...to, messageId }), (error: unknown) => ({ ...to, error: (error as Error).message })),
      ),
    );
    const record: BusEventRecord = { event, receivedAt: this.options.clock.now(), via, matchedRules: matched.map((r) => r.name), deliveries };
    this.recorded.push(record);
    if (this.recorded.length > (this.options.maxRecordedEvents ?? 10_000)) this.recorded.shift();
    for (const listener of [...this.listeners]) listener(record);
    return record;
  }

  /**
   * Puts an AWS service event (e.g. a recorded Spot warning from events/) on this bus, as the service would.
   * Missing envelope fields get EventBridge's values; `restamp` replaces id, time, account and region.
   */
  async inject(event: unknown, options: { readonly restamp?: boolean } = {}): Promise<BusEventRecord> {
    if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new InvalidInjectedEventError('an event must be a JSON object');
    const raw = event as Record<string, unknown>;
    if (typeof raw.source !== 'string' || raw.source === '') throw new InvalidInjectedEventError('event has no source');
    if (typeof raw['detail-type'] !== 'string' || raw['detail-type'] === '') throw new InvalidInjectedEventError('event has no detail-type');
    if (typeof raw.detail !== 'object' || raw.detail === null || Array.isArray(raw.detail)) throw new InvalidInjectedEventError('event detail must be a JSON object');
    const { clock, random, accountId, region } = this.options;
    const kept = (field: string) => (options.restamp !== true && typeof raw[field] === 'string' ? (raw[field] as string) : undefined);
    const envelope: EventBridgeEvent = {
      version: typeof raw.version === 'string' ? raw.version : '0',
      id: kept('id') ?? random.uuid(),
      'detail-type': raw['detail-type'],
      source: raw.source,
      account: kept('account') ?? accountId,
      time: kept('time') ?? eventTime(clock.now()),
      region: kept('region') ?? region,
      resources: Array.isArray(raw.resources) ? raw.resources.map(String) : [],
      detail: raw.detail as Record<string, unknown>,
    };
    return this.publish(envelope, 'injected');
  }
}

function entryError(ErrorCode: string, ErrorMessage: string): PutEventsResultEntry {
  return { ErrorCode, ErrorMessage };
}

const requiredMessage = (parameter: string) => `Parameter ${parameter} is not valid. Reason: ${parameter} is a required argument.`;

const validation = (constraint: string) => new AwsServiceError('ValidationException', `1 validation error detected: ${constraint}`);

/** PutEvents' wire input (AWS JSON 1.1, as @aws-sdk/client-eventbridge sends it: `Time` in epoch seconds). */
const PutEventsWire = z.object({
  Entries: z.array(
    z.object({
      Time: z.number().optional(),
      Source: z.string().optional(),
      Resources: z.array(z.string()).optional(),
      DetailType: z.string().optional(),
      Detail: z.string().optional(),
      EventBusName: z.string().optional(),
    }),
  ),
});

/** The entries of a PutEvents request as it came over the wire; ValidationException if it is not one. */
export function putEventsEntries(input: unknown): PutEventsEntry[] {
  const parsed = PutEventsWire.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw validation(`Value at '${(issue?.path ?? []).join('.') || 'entries'}' failed to satisfy constraint: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data.Entries.map(({ Time, ...entry }) => ({ ...entry, ...(Time === undefined ? {} : { TimeMs: Math.round(Time * 1000) }) }));
}

/** The event buses of the local account; `default` always exists. */
export class EventBridgeService {
  private readonly buses = new Map<string, EventBus>();

  constructor(private readonly options: EventBridgeServiceOptions) {
    this.create('default');
  }

  /** CreateEventBus (returns the existing bus of that name). */
  create(name: string): EventBus {
    const bus = this.buses.get(name) ?? new EventBus(name, this.options);
    this.buses.set(name, bus);
    return bus;
  }

  /** The bus of this name or ARN, if any. */
  get(nameOrArn: string): EventBus | undefined {
    const match = /^arn:aws:events:([^:]+):([^:]+):event-bus\/(.+)$/.exec(nameOrArn);
    if (match === null) return this.buses.get(nameOrArn);
    if (match[1] !== this.options.region || match[2] !== this.options.accountId) return undefined;
    return this.buses.get(match[3] as string);
  }

  /** PutEvents: validates the request (AwsServiceError) and then each entry (a failed result entry). */
  async putEvents(entries: readonly PutEventsEntry[]): Promise<{ FailedEntryCount: number; Entries: PutEventsResultEntry[] }> {
    if (entries.length === 0) throw validation("Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1");
    if (entries.length > 10) throw validation("Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10");
    if (entries.reduce((sum, entry) => sum + putEventsEntrySize(entry), 0) > 256 * 1024) {
      throw new AwsServiceError('ValidationException', 'Total size of the entries in the request is over the limit.');
    }
    const results: PutEventsResultEntry[] = [];
    for (const entry of entries) results.push(await this.putEntry(entry)); // in order, as the bus records them
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  private async putEntry(entry: PutEventsEntry): Promise<PutEventsResultEntry> {
    if (!entry.Source) return entryError('InvalidArgument', requiredMessage('Source'));
    if (!entry.DetailType) return entryError('InvalidArgument', requiredMessage('DetailType'));
    if (!entry.Detail) return entryError('InvalidArgument', requiredMessage('Detail'));
    if (entry.Source.startsWith('aws.')) return entryError('NotAuthorizedForSourceException', 'Not authorized for the source.');
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      detail = undefined;
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return entryError('MalformedDetail', 'Detail is malformed.');
    const busName = entry.EventBusName || 'default';
    const bus = this.get(busName);
    if (bus === undefined) return entryError('ResourceNotFoundException', `Event bus ${busName} does not exist.`);
    const { clock, random, accountId, region } = this.options;
    const event: EventBridgeEvent = {
      version: '0',
      id: random.uuid(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: accountId,
      time: eventTime(entry.TimeMs ?? clock.now()),
      region,
      resources: [...(entry.Resources ?? [])],
      detail: detail as Record<string, unknown>,
    };
    await bus.publish(event, 'PutEvents');
    return { EventId: event.id };
  }
}
