/**
 * An SQS event source mapping, run the way Lambda runs one, invoking an async handler in this process.
 *
 * - Pollers (maxConcurrency of them) long-poll the queue with the real @aws-sdk/client-sqs (up to 10 messages a
 *   receive, every system and message attribute) and gather a batch of up to `batchSize` for at most the maximum
 *   batching window, then invoke the handler with the SQS event built from the SDK's messages (lambda-event.ts) and a
 *   Lambda context (getRemainingTimeInMillis counts down the function timeout).
 * - As with ReportBatchItemFailures, which Spot-On's event sources set (cdk/lib/reflex-functions.ts), only the messages
 *   not listed in `batchItemFailures` are deleted; a thrown error, a timeout or an invalid answer fails the whole batch
 *   (batch-response.ts). Failed messages reappear after their visibility timeout; the queue's RedrivePolicy moves them on.
 * - Every invocation is recorded (for the drill's timeline) and announced to listeners.
 *
 * Each production handler module exports a factory that builds its handler from an environment (lambdas/handlers/
 * signal.ts `createSignalLambda`). The runner calls it at the cold start (the first invocation, or the next after it
 * threw) with the runtime's variables over `environment`, so process.env is never touched. What libraries read from
 * process.env themselves stays process-wide, as in one Lambda sandbox: the SDK's region, endpoints and credentials,
 * and Powertools' POWERTOOLS_*. Set those (LocalAws.env) before the first invocation: hence one local cloud per process.
 * A timed-out handler cannot be killed in-process: its batch is failed, but its promise runs on.
 */
import { DeleteMessageCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { judgeInvocation, type Settled } from './batch-response';
import { systemClock, type Clock } from './clock';
import { lambdaContext, sqsEvent } from './lambda-event';
import { cryptoRandom, type Random } from './random';
import type { SqsQueueRef } from './sqs';

/** An SQS-triggered async handler, e.g. lambdas/handlers/signal.ts `handler`. */
export type SqsLambdaHandler = (event: SQSEvent, context: Context) => Promise<unknown>;

/** A function's environment variables as its code sees them. */
export type LambdaEnvironment = Readonly<Record<string, string>>;

export interface SqsEventSourceOptions {
  readonly functionName: string;
  /** The SQS client the pollers use (e.g. LocalSqs.client). */
  readonly client: SQSClient;
  readonly queue: Pick<SqsQueueRef, 'url' | 'arn'>;
  /** Timers (batching window, function timeout) and timestamps. @default the system clock */
  readonly clock?: Clock;
  /** Builds the handler at the cold start from the function's environment; a throw fails that invocation, as an init error does. */
  readonly createHandler: (environment: LambdaEnvironment) => SqsLambdaHandler;
  /** Records per invocation, 1 to 10,000. @default 10 */
  readonly batchSize?: number;
  /** How long to gather records before invoking, 0 to 300 s (Lambda needs ≥ 1 for batchSize > 10). @default 0 */
  readonly maximumBatchingWindowSeconds?: number;
  /** Function timeout, 1 to 900 s. @default 3 (Lambda's default) */
  readonly timeoutSeconds?: number;
  /** Concurrent pollers, each invoking one batch at a time. @default 1 */
  readonly maxConcurrency?: number;
  /** The function's own environment variables (the runtime's reserved ones are set by the runner). @default {} */
  readonly environment?: LambdaEnvironment;
  /** Long-poll wait of each receive, 0 to 20 s. @default 20 */
  readonly pollWaitSeconds?: number;
  /** Request ids, and which deletes are lost. @default node:crypto */
  readonly random?: Random;
  /**
   * Share (0 to 1) of a successful batch's DeleteMessage calls that are lost: the message comes back after its
   * visibility timeout and the function gets it again, as SQS's at-least-once delivery allows (the drill's
   * duplicate-storm). @default 0
   */
  readonly lostDeletes?: number;
}

/** One invocation, as the drill's timeline shows it. */
export interface LambdaInvocation {
  readonly functionName: string;
  readonly requestId: string;
  readonly coldStart: boolean;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly durationMs: number;
  readonly messageIds: readonly string[];
  /** ApproximateReceiveCount of each record, in record order. */
  readonly receiveCounts: readonly number[];
  readonly outcome: 'succeeded' | 'partially-failed' | 'failed';
  /** Messages left for redelivery. */
  readonly failedMessageIds: readonly string[];
  /** Messages deleted (with their latest receipt handle: a stale one deletes nothing, as in SQS). */
  readonly deletedMessageIds: readonly string[];
  /** Why the whole batch failed: the handler threw, timed out, or answered something invalid. */
  readonly error?: { readonly name: string; readonly message: string };
  /** The handler's answer. */
  readonly response?: unknown;
}

/** Options out of range, as CreateEventSourceMapping would refuse them. */
export class InvalidEventSourceError extends Error {
  override readonly name = 'InvalidEventSourceError';
}

/** Memory of the function, in MB: Lambda's default (only the context and AWS_LAMBDA_FUNCTION_MEMORY_SIZE show it). */
const MEMORY_MB = 128;

/** A running (or stopped) SQS event source mapping. */
export class SqsEventSource {
  readonly functionName: string;
  private readonly options: Required<Omit<SqsEventSourceOptions, 'environment'>>;
  private readonly environment: LambdaEnvironment;
  private readonly logStreamId: string;
  private readonly recorded: LambdaInvocation[] = [];
  private readonly listeners = new Set<(invocation: LambdaInvocation) => void>();
  private handler: SqsLambdaHandler | undefined;
  private polling: { readonly abort: AbortController; readonly loops: Promise<void>[] } | undefined;

  constructor(options: SqsEventSourceOptions) {
    const o = (this.options = {
      functionName: options.functionName,
      client: options.client,
      queue: options.queue,
      createHandler: options.createHandler,
      clock: options.clock ?? systemClock,
      random: options.random ?? cryptoRandom,
      batchSize: options.batchSize ?? 10,
      maximumBatchingWindowSeconds: options.maximumBatchingWindowSeconds ?? 0,
      timeoutSeconds: options.timeoutSeconds ?? 3,
      maxConcurrency: options.maxConcurrency ?? 1,
      pollWaitSeconds: options.pollWaitSeconds ?? 20,
      lostDeletes: options.lostDeletes ?? 0,
    });
    this.functionName = o.functionName;
    const region = o.queue.arn.split(':')[3] ?? '';
    this.environment = { ...options.environment, AWS_REGION: region, AWS_DEFAULT_REGION: region, AWS_LAMBDA_FUNCTION_NAME: o.functionName, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(MEMORY_MB) };
    this.logStreamId = o.random.hex(16);
    const window = o.maximumBatchingWindowSeconds;
    const checks: [boolean, string][] = [
      [Number.isInteger(o.batchSize) && o.batchSize >= 1 && o.batchSize <= 10_000, 'batchSize must be an integer from 1 to 10000'],
      [Number.isInteger(window) && window >= 0 && window <= 300, 'maximumBatchingWindowSeconds must be an integer from 0 to 300'],
      [o.batchSize <= 10 || window >= 1, 'a batchSize over 10 needs maximumBatchingWindowSeconds of at least 1'],
      [o.timeoutSeconds >= 1 && o.timeoutSeconds <= 900, 'timeoutSeconds must be from 1 to 900'],
      [Number.isInteger(o.maxConcurrency) && o.maxConcurrency >= 1, 'maxConcurrency must be a positive integer'],
      [Number.isInteger(o.pollWaitSeconds) && o.pollWaitSeconds >= 0 && o.pollWaitSeconds <= 20, 'pollWaitSeconds must be from 0 to 20'],
    ];
    const failed = checks.filter(([ok]) => !ok).map(([, message]) => message);
    if (failed.length > 0) throw new InvalidEventSourceError(`${this.functionName}: ${failed.join('; ')}`);
  }

  /** Every invocation so far (the last 1,000), oldest first. */
  invocations(): LambdaInvocation[] {
    return [...this.recorded];
  }

  /** Calls `listener` after every invocation; returns the unsubscribe function. */
  onInvocation(listener: (invocation: LambdaInvocation) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True while pollers run. */
  get running(): boolean {
    return this.polling !== undefined;
  }

  /** Starts the pollers (Enabled: true). */
  start(): void {
    if (this.polling !== undefined) return;
    const abort = new AbortController();
    this.polling = { abort, loops: Array.from({ length: this.options.maxConcurrency }, () => this.pollLoop(abort.signal)) };
  }

  /**
   * Stops polling (Enabled: false) and waits for the pollers' last receives (at most `pollWaitSeconds`) and the
   * invocations of what they received. Receives are not cut short: a long poll abandoned by its client may still
   * take a message, which would then stay invisible for a visibility timeout.
   */
  async stop(): Promise<void> {
    const polling = this.polling;
    if (polling === undefined) return;
    this.polling = undefined;
    polling.abort.abort();
    await Promise.all(polling.loops);
  }

  /** One poll: gathers one batch (waiting up to `waitSeconds` for the first message) and invokes the handler with it. */
  async pollOnce(waitSeconds = 0, signal?: AbortSignal): Promise<LambdaInvocation | undefined> {
    const batch = await this.gatherBatch(waitSeconds, signal);
    return batch.length === 0 ? undefined : this.invoke(batch);
  }

  private async pollLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.pollOnce(this.options.pollWaitSeconds);
      } catch {
        // The queue went away or refused the receive: back off instead of spinning, as the pollers do.
        await new Promise<void>((resolve) => {
          const done = () => {
            cancel();
            signal.removeEventListener('abort', done);
            resolve();
          };
          const cancel = this.options.clock.setTimer(done, 1_000);
          signal.addEventListener('abort', done, { once: true });
        });
      }
    }
  }

  private async receive(max: number, waitSeconds: number, signal: AbortSignal | undefined): Promise<Message[]> {
    const command = new ReceiveMessageCommand({
      QueueUrl: this.options.queue.url,
      MaxNumberOfMessages: Math.min(max, 10),
      WaitTimeSeconds: waitSeconds,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    });
    const { Messages = [] } = await this.options.client.send(command, signal === undefined ? {} : { abortSignal: signal });
    return Messages;
  }

  // The window opens with the first message and closes after it or at batchSize records. Later receives wait no longer
  // than the window has left (whole seconds; short polls in its last second), so that no receive is cut off holding messages.
  private async gatherBatch(waitSeconds: number, signal: AbortSignal | undefined): Promise<Message[]> {
    const { batchSize, clock, maximumBatchingWindowSeconds } = this.options;
    const batch = await this.receive(batchSize, waitSeconds, signal);
    if (batch.length === 0 || maximumBatchingWindowSeconds === 0) return batch;
    const closesAt = clock.now() + maximumBatchingWindowSeconds * 1000;
    for (let left = closesAt - clock.now(); batch.length < batchSize && left > 0 && signal?.aborted !== true; left = closesAt - clock.now()) {
      const wait = Math.min(20, Math.floor(left / 1000));
      const received = await this.receive(batchSize - batch.length, wait, undefined);
      batch.push(...received);
      if (wait === 0 && received.length === 0) await new Promise<void>((resolve) => clock.setTimer(resolve, Math.min(left, 50)));
    }
    return batch;
  }

  // The cold start builds the handler; a factory that throws fails this invocation and leaves the next one cold.
  private async call(event: SQSEvent, context: Context): Promise<unknown> {
    this.handler ??= this.options.createHandler(this.environment);
    return this.handler(event, context);
  }

  private async invoke(messages: readonly Message[]): Promise<LambdaInvocation> {
    const { clock, random, queue, client, timeoutSeconds, lostDeletes } = this.options;
    const requestId = random.uuid();
    const startedAt = clock.now();
    const timeoutMs = timeoutSeconds * 1000;
    const coldStart = this.handler === undefined;
    const event = sqsEvent(messages, queue.arn);
    const context = lambdaContext({ functionName: this.functionName, queueArn: queue.arn, requestId, memoryLimitInMB: MEMORY_MB, logStreamId: this.logStreamId, startedAt, deadlineMs: startedAt + timeoutMs, now: () => clock.now() });

    let cancelTimeout: () => void = () => undefined;
    const timedOut = new Promise<Settled>((resolve) => {
      cancelTimeout = clock.setTimer(() => resolve({ kind: 'timeout' }), timeoutMs);
    });
    const settled = await Promise.race([this.call(event, context).then((value): Settled => ({ kind: 'returned', value }), (error: unknown): Settled => ({ kind: 'threw', error })), timedOut]);
    cancelTimeout();

    const messageIds = messages.map((m) => m.MessageId ?? '');
    const { failed, error } = judgeInvocation(settled, messageIds, timeoutMs);
    const deleted: string[] = [];
    for (const message of messages) {
      if (message.MessageId === undefined || failed.has(message.MessageId)) continue;
      if (lostDeletes > 0 && random.next() < lostDeletes) continue; // delivered again later
      try {
        await client.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle }));
        deleted.push(message.MessageId);
      } catch {
        // The message stays and comes back after its visibility timeout, as when Lambda's delete fails.
      }
    }
    const endedAt = clock.now();
    const failedMessageIds = messageIds.filter((id) => failed.has(id));
    const invocation: LambdaInvocation = {
      functionName: this.functionName,
      requestId,
      coldStart,
      startedAt,
      endedAt,
      durationMs: endedAt - startedAt,
      messageIds,
      receiveCounts: messages.map((m) => Number(m.Attributes?.ApproximateReceiveCount ?? '1')),
      outcome: failedMessageIds.length === 0 ? 'succeeded' : failedMessageIds.length === messageIds.length ? 'failed' : 'partially-failed',
      failedMessageIds,
      deletedMessageIds: deleted,
      ...(error === undefined ? {} : { error }),
      ...(settled.kind === 'returned' && settled.value !== undefined ? { response: settled.value } : {}),
    };
    this.recorded.push(invocation);
    if (this.recorded.length > 1_000) this.recorded.shift();
    for (const listener of [...this.listeners]) listener(invocation);
    return invocation;
  }
}

/** Creates an SQS event source mapping for the handler `createHandler` builds (call start() to begin polling). */
export function createSqsEventSource(options: SqsEventSourceOptions): SqsEventSource {
  return new SqsEventSource(options);
}
