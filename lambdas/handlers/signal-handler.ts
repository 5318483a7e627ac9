/**
 * The signal Lambda: SQS batch of signals (the outbox) -> validate -> signed HTTPS POST to the Azure brain.
 *
 * Per record: an invalid signal or one the brain refuses (4xx except 408/429) goes to the dead-letter queue
 * with its reason and is acknowledged; 2xx (202 accepted, 200 duplicate) is acknowledged; anything transient
 * (5xx, 408, 429, network error, timeout, the signing key unreadable) makes the record a batch item failure.
 * Redelivery is harmless: the brain acts once per signal id. The delivery is a span of the trace the outbox message
 * carries (its `traceparent` attribute), and the POST passes the context on to the brain.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import { MAX_SIGNAL_BYTES, SignalSchema } from '../../protocol/signal';
import { createTracing, type Tracing } from '../../protocol/tracer';
import { TRACEPARENT } from '../../protocol/tracing';
import type { DeadLetterQueue } from '../adapters/dead-letter';
import type { SignalSender } from '../adapters/signal-sender';
import { sqsBatchHandler, type SqsBatchHandler } from './sqs-batch';

/** The outbox held something that is not a valid v1 signal. */
export class InvalidSignalMessageError extends Error {
  override readonly name = 'InvalidSignalMessageError';
}

/** The brain refused the signal for good (4xx). */
export class SignalRejectedError extends Error {
  override readonly name = 'SignalRejectedError';
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

/** The brain could not take the signal now; SQS redelivers it. */
export class SignalDeliveryError extends Error {
  override readonly name = 'SignalDeliveryError';
  readonly status: number | undefined;
  constructor(message: string, status: number | undefined) {
    super(message);
    this.status = status;
  }
}

export interface SignalHandlerDeps {
  readonly sender: SignalSender;
  readonly deadLetter: DeadLetterQueue;
  /** Spans of this function (protocol/tracer.ts). @default one that exports nowhere */
  readonly tracing?: Tracing;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

/** Validates one outbox body; returns the signal id or throws InvalidSignalMessageError. */
export function validateSignalBody(body: string): string {
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_SIGNAL_BYTES) throw new InvalidSignalMessageError(`signal is ${bytes} bytes, over the ${MAX_SIGNAL_BYTES}-byte limit`);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new InvalidSignalMessageError(`signal is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = SignalSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? 'invalid' : `${issue.path.join('.') || '(root)'}: ${issue.message}`;
    throw new InvalidSignalMessageError(`not a v1 signal: ${where}`, { cause: parsed.error.issues });
  }
  return parsed.data.id;
}

/** Builds the signal handler around its adapters. */
export function createSignalHandler(deps: SignalHandlerDeps): SqsBatchHandler {
  const logger = deps.logger ?? new Logger({ serviceName: 'spot-on-signal' });
  const metrics = deps.metrics ?? new Metrics({ namespace: 'SpotOn', serviceName: 'spot-on-signal' });
  const count = (name: string) => metrics.addMetric(name, MetricUnit.Count, 1);
  const tracing = deps.tracing ?? createTracing({}, 'spot-on-signal');

  async function deadLetter(record: SQSRecord, error: InvalidSignalMessageError | SignalRejectedError): Promise<void> {
    await deps.deadLetter.send(record.body, { reason: error.message, errorName: error.name });
    logger.warn('signal sent to the dead-letter queue', { messageId: record.messageId, errorName: error.name, reason: error.message });
    count('SignalsDeadLettered');
  }

  async function handleRecord(record: SQSRecord): Promise<void> {
    let signalId: string;
    try {
      signalId = validateSignalBody(record.body);
    } catch (error) {
      if (error instanceof InvalidSignalMessageError) return deadLetter(record, error);
      throw error;
    }
    // The body is sent byte for byte as queued: the signature covers exactly these bytes.
    const parent = record.messageAttributes?.[TRACEPARENT]?.stringValue;
    const result = await tracing.inSpan('deliver signal', { component: 'lambda', step: 'signal-delivered', parent, attributes: { signalId } }, () => deps.sender.send(record.body));
    switch (result.outcome) {
      case 'accepted':
        logger.info('signal delivered', { messageId: record.messageId, signalId, status: result.status });
        count('SignalsDelivered');
        return;
      case 'poison':
        return deadLetter(record, new SignalRejectedError(`signals endpoint answered ${result.status}: ${result.reason}`, result.status));
      case 'retry':
        count('SignalRetries');
        throw new SignalDeliveryError(`signal ${signalId} not delivered: ${result.status === undefined ? '' : `${result.status} `}${result.reason}`, result.status);
      default: {
        const unreachable: never = result;
        throw new Error(`unhandled send result ${JSON.stringify(unreachable)}`);
      }
    }
  }

  return sqsBatchHandler({ logger, metrics, tracing, what: 'signal record', prepare: () => undefined, handleRecord });
}
