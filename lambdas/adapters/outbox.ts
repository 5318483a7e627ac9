import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Signal } from '../../protocol/signal';
import { activeTraceparent } from '../../protocol/tracer';
import { TRACEPARENT } from '../../protocol/tracing';

/** Queues signals for the signal Lambda, which delivers them to the Azure brain. */
export interface SignalOutbox {
  enqueue(signal: Signal): Promise<void>;
}

/**
 * SQS standard queue outbox. No deduplication id: a standard queue has none, and the brain deduplicates by
 * the signal's deterministic id anyway. The trace context rides as a message attribute, outside the signed body.
 */
export function sqsSignalOutbox(sqs: SQSClient, queueUrl: string): SignalOutbox {
  return {
    async enqueue(signal) {
      const traceparent = activeTraceparent();
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(signal),
          MessageAttributes: {
            signalId: { DataType: 'String', StringValue: signal.id },
            signalType: { DataType: 'String', StringValue: signal.type },
            ...(traceparent === undefined ? {} : { [TRACEPARENT]: { DataType: 'String', StringValue: traceparent } }),
          },
        }),
      );
    },
  };
}
