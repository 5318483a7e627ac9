import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Tracing } from '../../protocol/tracer';

/** An SQS-triggered Lambda handler that reports partial batch failures. */
export type SqsBatchHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/** Puts batch item failures in the order the records arrived (parallel processing finishes in any order). */
export function inRecordOrder(event: SQSEvent, response: SQSBatchResponse): SQSBatchResponse {
  const position = new Map(event.Records.map((record, index) => [record.messageId, index]));
  const at = (id: string) => position.get(id) ?? Number.MAX_SAFE_INTEGER;
  return { batchItemFailures: [...response.batchItemFailures].sort((a, b) => at(a.itemIdentifier) - at(b.itemIdentifier)) };
}

/**
 * Runs one SQS batch through `handleRecord` with Powertools' partial batch response: a record whose handler
 * throws is logged and reported as a batch item failure (SQS redelivers it); the others are acknowledged.
 * `prepare` makes the per-invocation state (e.g. the in-batch deduplication map).
 */
export function sqsBatchHandler<State>(options: {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Its spans are sent before the invocation returns: Lambda may freeze the process right after. */
  readonly tracing: Tracing;
  /** Names the record in the failure log line, e.g. 'signal record'. */
  readonly what: string;
  readonly prepare: (context?: Context) => State;
  readonly handleRecord: (record: SQSRecord, state: State) => Promise<void>;
}): SqsBatchHandler {
  const { logger, metrics, tracing, what, prepare, handleRecord } = options;
  return async (event, context) => {
    const processor = new BatchProcessor(EventType.SQS);
    metrics.addMetric('RecordsReceived', MetricUnit.Count, event.Records.length);
    const state = prepare(context);
    const recordHandler = async (record: SQSRecord): Promise<void> => {
      try {
        await handleRecord(record, state);
      } catch (error) {
        logger.error(`${what} failed; SQS will redeliver it`, { messageId: record.messageId, error: error as Error });
        throw error;
      }
    };
    try {
      // A fully failed batch is reported item by item rather than thrown: same redelivery, clearer logs.
      const response = await processPartialResponse(event, recordHandler, processor, {
        ...(context === undefined ? {} : { context }),
        throwOnFullBatchFailure: false,
      });
      return inRecordOrder(event, response);
    } finally {
      metrics.publishStoredMetrics();
      await tracing.flush().catch((error: unknown) => logger.warn('spans not exported', { error: error as Error }));
    }
  };
}
