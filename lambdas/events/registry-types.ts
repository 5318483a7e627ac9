import type { z } from 'zod';
import type { EventBridgeEnvelope } from './envelope';
import type { IgnoredMessage, Message } from './message';

/** Kinds of message Spot-On acts on (everything but `ignored`). */
export type ActedOnKind = Exclude<Message['kind'], 'ignored'>;

/**
 * One AWS event kind, the only place its identity is written: its registry key (source, detail-type), the
 * ingest rule that routes it (rules.ts derives the EventBridge patterns from these), the message kinds it
 * becomes (the signal's `source` block is looked up by kind), the schema of its `detail`, and a pure mapping
 * to a Message.
 */
export interface EventModule<Detail> {
  readonly source: string;
  readonly detailType: string;
  /** Key of the ingest rule for this event (alphanumeric; also the CDK rule's logical id suffix). */
  readonly ingestRule: string;
  /** The rule's filter on `detail`, as EventBridge pattern JSON; omitted to route every event of the kind. */
  readonly ingestDetail?: Readonly<Record<string, unknown>>;
  /** Every kind `toMessage` can return besides `ignored`. */
  readonly kinds: readonly ActedOnKind[];
  readonly detailSchema: z.ZodType<Detail, unknown>;
  toMessage(envelope: EventBridgeEnvelope, detail: Detail): Message;
}

/** An `ignored` message for a well-formed event Spot-On does not act on. */
export function ignored(envelope: EventBridgeEnvelope, reason: string): IgnoredMessage {
  return { kind: 'ignored', reason, eventId: envelope.id, source: envelope.source, detailType: envelope['detail-type'] };
}
