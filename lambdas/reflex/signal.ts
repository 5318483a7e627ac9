import { createHash } from 'node:crypto';
import { SignalSchema, type Signal, type SignalType } from '../../protocol/signal';
import type { Message } from '../events/message';
import { EVENT_ORIGINS } from '../events/registry';

type ActedOnMessage = Exclude<Message, { kind: 'ignored' }>;

/** A signal that does not satisfy the v1 schema: a bug or an event field the schema cannot carry; never retried. */
export class InvalidSignalError extends Error {
  override readonly name = 'InvalidSignalError';
}

/**
 * The signal id for (eventId, type). Deterministic, so every redelivery of one AWS event yields the same id
 * and the brain, which keeps seen ids, acts on it once.
 */
export function signalId(eventId: string, type: SignalType): string {
  const digest = createHash('sha256').update(`${eventId}\u0000${type}`).digest('hex');
  return `${type}-${digest.slice(0, 40)}`;
}

export interface SignalInput {
  readonly message: ActedOnMessage;
  readonly type: SignalType;
  readonly runId: string;
  /** When the signal is issued (the Lambda's clock). */
  readonly issuedAt: Date;
  readonly instanceIds?: readonly string[];
  readonly alarmName?: string;
}

/** Builds and validates a v1 signal for an acted-on event; throws InvalidSignalError if it does not fit. */
export function buildSignal(input: SignalInput): Signal {
  const { message, type } = input;
  // The event module's identity, not the raw envelope's: a hook notification lifted from SQS or SNS has none.
  const origin = EVENT_ORIGINS[message.kind];
  const candidate = {
    version: 1,
    id: signalId(message.eventId, type),
    type,
    runId: input.runId,
    issuedAt: input.issuedAt.toISOString(),
    source: { eventId: message.eventId, source: origin.source, detailType: origin.detailType, time: message.time },
    ...(input.instanceIds === undefined ? {} : { instanceIds: [...input.instanceIds] }),
    ...(input.alarmName === undefined ? {} : { alarmName: input.alarmName }),
  };
  const parsed = SignalSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : `${issue.path.join('.') || '(root)'}: ${issue.message}`;
    throw new InvalidSignalError(`${type} signal for event ${message.eventId} is invalid: ${where}`, { cause: parsed.error.issues });
  }
  return parsed.data;
}
