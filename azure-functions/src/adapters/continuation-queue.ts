/**
 * Sends continuation messages to SPOTON_CONTINUATION_QUEUE. The Functions host's queue trigger expects base64 text
 * by default (host.json `extensions.queues.messageEncoding`: base64), so the JSON is base64-encoded here; the
 * visibility timeout is the delay before the trigger sees it (Azure allows up to 7 days).
 */
import type { QueueClient } from '@azure/storage-queue';
import type { ContinuationMessage } from '../domain/continuation-message';
import { transientOr } from './azure-errors';

const MAX_DELAY_SECONDS = 7 * 24 * 3600 - 1;

export interface ContinuationQueue {
  /** Queues `message`, invisible for `delaySeconds`. */
  send(message: ContinuationMessage, delaySeconds: number): Promise<void>;
}

/** Encodes a message as the queue trigger decodes it. */
export function encodeContinuation(message: ContinuationMessage): string {
  return Buffer.from(JSON.stringify(message), 'utf8').toString('base64');
}

/** The continuation queue on Azure Storage (or Azurite). */
export function storageContinuationQueue(queue: QueueClient): ContinuationQueue {
  return {
    async send(message, delaySeconds) {
      const visibilityTimeout = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.round(delaySeconds)));
      try {
        await queue.sendMessage(encodeContinuation(message), { visibilityTimeout });
      } catch (error) {
        throw transientOr('queue', `queueing a ${message.kind} continuation on ${queue.name}`, error);
      }
    },
  };
}
