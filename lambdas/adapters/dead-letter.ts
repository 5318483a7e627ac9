import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Why a message was dead-lettered. */
export interface DeadLetterReason {
  /** Human-readable reason (truncated to MAX_REASON_CHARS). */
  readonly reason: string;
  /** `name` of the error class that made the message poison, e.g. InvalidEventError. */
  readonly errorName: string;
}

/** Parks poison messages, body unchanged, for inspection and redrive. */
export interface DeadLetterQueue {
  send(originalBody: string, why: DeadLetterReason): Promise<void>;
}

export const MAX_REASON_CHARS = 1000;

/** The dead-letter queue as an SQS queue; `reason` and `errorName` travel as message attributes. */
export function sqsDeadLetterQueue(sqs: SQSClient, queueUrl: string): DeadLetterQueue {
  return {
    async send(originalBody, why) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          // SQS rejects an empty body; an empty event is still worth parking.
          MessageBody: originalBody === '' ? '(empty body)' : originalBody,
          MessageAttributes: {
            reason: { DataType: 'String', StringValue: why.reason.slice(0, MAX_REASON_CHARS) || '(no reason)' },
            errorName: { DataType: 'String', StringValue: why.errorName || 'Error' },
          },
        }),
      );
    },
  };
}
