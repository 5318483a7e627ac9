import type { z } from 'zod';
import type { EventBridgeEnvelope } from './envelope';
import type { IgnoredMessage, Message } from './message';

/** One AWS event kind: its registry key, the schema of its `detail`, and a pure mapping to a Message. */
export interface EventModule<Detail> {
  readonly source: string;
  readonly detailType: string;
  readonly detailSchema: z.ZodType<Detail, unknown>;
  toMessage(envelope: EventBridgeEnvelope, detail: Detail): Message;
}

/** An `ignored` message for a well-formed event Spot-On does not act on. */
export function ignored(envelope: EventBridgeEnvelope, reason: string): IgnoredMessage {
  return { kind: 'ignored', reason, eventId: envelope.id, source: envelope.source, detailType: envelope['detail-type'] };
}
