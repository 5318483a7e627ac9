import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Signal } from '../../protocol/signal';

/** Queues signals for the signal Lambda, which delivers them to the Azure brain. */
export interface SignalOutbox {
  enqueue(signal: Signal): Promise<void>;
}

/**
 * SQS standard queue outbox. No deduplication id: a standard queue has none, and the brain deduplicates by
 * the signal's deterministic id anyway.
 */
export function sqsSignalOutbox(sqs: SQSClient, queueUrl: string): SignalOutbox {
  return {
    async enqueue(signal) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(signal),
          MessageAttributes: {
            signalId: { DataType: 'String', StringValue: signal.id },
            signalType: { DataType: 'String', StringValue: signal.type },
          },
        }),
      );
    },
  };
}
