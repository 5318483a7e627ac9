import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';

/** An SQS-triggered Lambda handler that reports partial batch failures. */
export type SqsBatchHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/** Puts batch item failures in the order the records arrived (parallel processing finishes in any order). */
export function inRecordOrder(event: SQSEvent, response: SQSBatchResponse): SQSBatchResponse {
  const position = new Map(event.Records.map((record, index) => [record.messageId, index]));
  const at = (id: string) => position.get(id) ?? Number.MAX_SAFE_INTEGER;
  return { batchItemFailures: [...response.batchItemFailures].sort((a, b) => at(a.itemIdentifier) - at(b.itemIdentifier)) };
}
