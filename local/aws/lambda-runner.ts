/**
 * An SQS event source mapping, run the way Lambda runs one, invoking an async handler in this process.
 *
 * - Pollers (maxConcurrency of them) long-poll the queue with the real @aws-sdk/client-sqs (ReceiveMessage: 20 s
 *   waits, up to 10 messages a receive, every system and message attribute) and gather a batch of up to
 *   `batchSize` for at most the maximum batching window, then invoke the handler with the SQS event built from the
 *   SDK's messages (lambda-event.ts) and a Lambda context (getRemainingTimeInMillis counts down the function timeout).
 * - With ReportBatchItemFailures, only the messages not listed in `batchItemFailures` are deleted (DeleteMessage);
 *   a thrown error, a timeout or an invalid answer fails the whole batch (batch-response.ts). Failed messages are
 *   left alone and reappear after their visibility timeout; the queue's RedrivePolicy moves them on eventually.
 * - Every invocation is recorded (for the drill's timeline) and announced to listeners.
 *
 * Configuration: each production handler module exports a factory that builds its handler from an environment
 * (lambdas/handlers/signal.ts `createSignalLambda`; its Lambda `handler` passes process.env). The runner calls it at
 * the cold start (the first invocation, or the next after it threw) with the runtime's variables (AWS_REGION,
 * AWS_DEFAULT_REGION, AWS_LAMBDA_FUNCTION_*) over `environment`, so process.env is never touched. What libraries read
 * from process.env themselves stays process-wide, as in one Lambda sandbox: the SDK's region, endpoints
 * (AWS_ENDPOINT_URL_*) and credentials, which its own loaders resolve lazily (per-function values would take
 * production code handing them to every client), and Powertools' POWERTOOLS_* when a handler builds its logger and
 * metrics. Set those (LocalAws.env) before the first invocation: hence one local cloud per process.
 * A timed-out handler cannot be killed in-process: its batch is failed, but its promise runs on.
 */
import { DeleteMessageCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { judgeInvocation, type Settled } from './batch-response';
import { systemClock, type Clock } from './clock';
import { lambdaContext, sqsEvent } from './lambda-event';
import { cryptoRandom, type Random } from './random';
import type { SqsQueueRef } from './sqs';

/** ReceiveMessage's limits. */
const MAX_MESSAGES_PER_RECEIVE = 10;
const MAX_WAIT_SECONDS = 20;

/** An SQS-triggered async handler, e.g. lambdas/handlers/signal.ts `handler`. */
export type SqsLambdaHandler = (event: SQSEvent, context: Context) => Promise<unknown>;

/** A function's environment variables as its code sees them. */
export type LambdaEnvironment = Readonly<Record<string, string>>;

/** Builds a function's handler from its environment, e.g. lambdas/handlers/signal.ts `createSignalLambda`. */
export type SqsLambdaFactory = (environment: LambdaEnvironment) => SqsLambdaHandler;

export interface SqsEventSourceOptions {
  readonly functionName: string;
  /** The SQS client the pollers use (e.g. LocalSqs.client). */
  readonly client: SQSClient;
  readonly queue: Pick<SqsQueueRef, 'url' | 'arn'>;
  /** Timers (batching window, function timeout) and timestamps. @default the system clock */
  readonly clock?: Clock;
  /** Called at the cold start with the function's environment; a throw fails that invocation, as an init error does. */
  readonly createHandler: SqsLambdaFactory;
  /** Records per invocation, 1 to 10,000. @default 10 */
  readonly batchSize?: number;
  /** How long to gather records before invoking, 0 to 300 s (Lambda needs ≥ 1 for batchSize > 10). @default 0 */
  readonly maximumBatchingWindowSeconds?: number;
  /** FunctionResponseTypes ReportBatchItemFailures (Spot-On's event sources set it). @default true */
  readonly reportBatchItemFailures?: boolean;
  /** Function timeout. @default 3 (Lambda's default) */
  readonly timeoutSeconds?: number;
  /** @default 128 */
  readonly memoryLimitInMB?: number;
  /** Concurrent pollers, each invoking one batch at a time. @default 1 */
  readonly maxConcurrency?: number;
  /** The function's own environment variables (the runtime's reserved ones are set by the runner). @default {} */
  readonly environment?: LambdaEnvironment;
  /** Long-poll wait of each receive. @default 20 */
  readonly pollWaitSeconds?: number;
  /** Request ids, and which deletes are lost. @default node:crypto */
  readonly random?: Random;
  /**
   * Share (0 to 1) of a successful batch's DeleteMessage calls that are lost: the message comes back after its
   * visibility timeout and the function gets it again, as SQS's at-least-once delivery allows (the drill's
   * duplicate-storm). @default 0
   */
  readonly lostDeletes?: number;
  /** Invocations kept in `invocations()`. @default 1_000 */
  readonly maxRecordedInvocations?: number;
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

function regionOfArn(arn: string): string {
  return arn.split(':')[3] ?? 'us-east-1';
}

function accountOfArn(arn: string): string {
  return arn.split(':')[4] ?? '000000000000';
}

/** A running (or stopped) SQS event source mapping. */
export class SqsEventSource {
  readonly functionName: string;
  private readonly client: SQSClient;
  private readonly queue: Pick<SqsQueueRef, 'url' | 'arn'>;
  private readonly createHandler: SqsLambdaFactory;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly batchSize: number;
  private readonly windowMs: number;
  private readonly reportBatchItemFailures: boolean;
  private readonly timeoutMs: number;
  private readonly memoryLimitInMB: number;
  private readonly maxConcurrency: number;
  private readonly lostDeletes: number;
  private readonly environment: LambdaEnvironment;
  private readonly pollWaitSeconds: number;
  private readonly maxRecorded: number;
  private readonly logStreamId: string;
  private readonly recorded: LambdaInvocation[] = [];
  private readonly listeners = new Set<(invocation: LambdaInvocation) => void>();
  private handler: SqsLambdaHandler | undefined;
  private polling: { readonly abort: AbortController; readonly loops: Promise<void>[] } | undefined;

  constructor(options: SqsEventSourceOptions) {
    this.functionName = options.functionName;
    this.client = options.client;
    this.queue = options.queue;
    this.createHandler = options.createHandler;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? cryptoRandom;
    this.batchSize = options.batchSize ?? 10;
    this.windowMs = (options.maximumBatchingWindowSeconds ?? 0) * 1000;
    this.reportBatchItemFailures = options.reportBatchItemFailures ?? true;
    this.timeoutMs = (options.timeoutSeconds ?? 3) * 1000;
    this.memoryLimitInMB = options.memoryLimitInMB ?? 128;
    this.maxConcurrency = options.maxConcurrency ?? 1;
    this.lostDeletes = options.lostDeletes ?? 0;
    this.environment = {
      ...options.environment,
      AWS_REGION: regionOfArn(options.queue.arn),
      AWS_DEFAULT_REGION: regionOfArn(options.queue.arn),
      AWS_LAMBDA_FUNCTION_NAME: options.functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(this.memoryLimitInMB),
    };
    this.pollWaitSeconds = options.pollWaitSeconds ?? MAX_WAIT_SECONDS;
    this.maxRecorded = options.maxRecordedInvocations ?? 1_000;
    this.logStreamId = this.random.hex(16);
    this.validate(options);
  }

  private validate(options: SqsEventSourceOptions): void {
    const window = options.maximumBatchingWindowSeconds ?? 0;
    const checks: Array<[boolean, string]> = [
      [Number.isInteger(this.batchSize) && this.batchSize >= 1 && this.batchSize <= 10_000, 'batchSize must be an integer from 1 to 10000'],
      [Number.isInteger(window) && window >= 0 && window <= 300, 'maximumBatchingWindowSeconds must be an integer from 0 to 300'],
      [this.batchSize <= 10 || window >= 1, 'a batchSize over 10 needs maximumBatchingWindowSeconds of at least 1'],
      [this.timeoutMs >= 1000 && this.timeoutMs <= 900_000, 'timeoutSeconds must be from 1 to 900'],
      [Number.isInteger(this.maxConcurrency) && this.maxConcurrency >= 1, 'maxConcurrency must be a positive integer'],
      [Number.isInteger(this.pollWaitSeconds) && this.pollWaitSeconds >= 0 && this.pollWaitSeconds <= 20, 'pollWaitSeconds must be from 0 to 20'],
    ];
    const failed = checks.filter(([ok]) => !ok).map(([, message]) => message);
    if (failed.length > 0) throw new InvalidEventSourceError(`${this.functionName}: ${failed.join('; ')}`);
  }

  /** Every invocation so far (up to the recording limit), oldest first. */
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
    const loops = Array.from({ length: this.maxConcurrency }, () => this.pollLoop(abort.signal));
    this.polling = { abort, loops };
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

  /**
   * One poll: gathers one batch (waiting up to `waitSeconds` for the first message) and invokes the handler
   * with it. Resolves with the invocation, or undefined when no message came.
   */
  async pollOnce(waitSeconds = 0, signal?: AbortSignal): Promise<LambdaInvocation | undefined> {
    const batch = await this.gatherBatch(waitSeconds, signal);
    return batch.length === 0 ? undefined : this.invoke(batch);
  }

  private async pollLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.pollOnce(this.pollWaitSeconds);
      } catch {
        // The queue went away or refused the receive: back off instead of spinning, as the pollers do.
        await new Promise<void>((resolve) => {
          const done = () => {
            cancel();
            signal.removeEventListener('abort', done);
            resolve();
          };
          const cancel = this.clock.setTimer(done, 1_000);
          signal.addEventListener('abort', done, { once: true });
        });
      }
    }
  }

  private async receive(max: number, waitSeconds: number, signal: AbortSignal | undefined): Promise<Message[]> {
    const command = new ReceiveMessageCommand({
      QueueUrl: this.queue.url,
      MaxNumberOfMessages: Math.min(max, MAX_MESSAGES_PER_RECEIVE),
      WaitTimeSeconds: waitSeconds,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    });
    const { Messages = [] } = await this.client.send(command, signal === undefined ? {} : { abortSignal: signal });
    return Messages;
  }

  // The window opens with the first message and closes after windowMs or at batchSize records. Later receives
  // wait no longer than the window has left (whole seconds; short polls in its last second), so that no receive is
  // cut off holding messages.
  private async gatherBatch(waitSeconds: number, signal: AbortSignal | undefined): Promise<Message[]> {
    const batch = await this.receive(this.batchSize, waitSeconds, signal);
    if (batch.length === 0 || this.windowMs === 0) return batch;
    const closesAt = this.clock.now() + this.windowMs;
    for (let left = this.windowMs; batch.length < this.batchSize && left > 0 && signal?.aborted !== true; left = closesAt - this.clock.now()) {
      const wait = Math.min(MAX_WAIT_SECONDS, Math.floor(left / 1000));
      const received = await this.receive(this.batchSize - batch.length, wait, undefined);
      batch.push(...received);
      if (wait === 0 && received.length === 0) await new Promise<void>((resolve) => this.clock.setTimer(resolve, Math.min(left, 50)));
    }
    return batch;
  }

  // The cold start builds the handler; a factory that throws fails this invocation and leaves the next one cold.
  private call(event: SQSEvent, context: Context): Promise<unknown> {
    try {
      this.handler ??= this.createHandler(this.environment);
      return Promise.resolve(this.handler(event, context));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private async invoke(messages: readonly Message[]): Promise<LambdaInvocation> {
    const requestId = this.random.uuid();
    const startedAt = this.clock.now();
    const deadlineMs = startedAt + this.timeoutMs;
    const coldStart = this.handler === undefined;
    const event = sqsEvent(messages, { eventSourceArn: this.queue.arn, awsRegion: regionOfArn(this.queue.arn) });
    const context = lambdaContext({
      functionName: this.functionName,
      awsRequestId: requestId,
      region: regionOfArn(this.queue.arn),
      accountId: accountOfArn(this.queue.arn),
      memoryLimitInMB: this.memoryLimitInMB,
      deadlineMs,
      now: () => this.clock.now(),
      logStreamId: this.logStreamId,
      startedAt,
    });

    let cancelTimeout: () => void = () => undefined;
    const timedOut = new Promise<Settled>((resolve) => {
      cancelTimeout = this.clock.setTimer(() => resolve({ kind: 'timeout' }), this.timeoutMs);
    });
    const settled = await Promise.race([
      this.call(event, context).then(
        (value): Settled => ({ kind: 'returned', value }),
        (error: unknown): Settled => ({ kind: 'threw', error }),
      ),
      timedOut,
    ]);
    cancelTimeout();

    const messageIds = messages.map((m) => m.MessageId ?? '');
    const { failed, error } = judgeInvocation(settled, messageIds, { reportBatchItemFailures: this.reportBatchItemFailures, timeoutMs: this.timeoutMs });

    const deleted: string[] = [];
    for (const message of messages) {
      if (message.MessageId === undefined || failed.has(message.MessageId)) continue;
      if (this.lostDeletes > 0 && this.random.next() < this.lostDeletes) continue; // delivered again later
      try {
        await this.client.send(new DeleteMessageCommand({ QueueUrl: this.queue.url, ReceiptHandle: message.ReceiptHandle }));
        deleted.push(message.MessageId);
      } catch {
        // The message stays and comes back after its visibility timeout, as when Lambda's delete fails.
      }
    }
    const endedAt = this.clock.now();
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
    if (this.recorded.length > this.maxRecorded) this.recorded.shift();
    for (const listener of [...this.listeners]) listener(invocation);
    return invocation;
  }
}

/** Creates an SQS event source mapping for the handler `createHandler` builds (call start() to begin polling). */
export function createSqsEventSource(options: SqsEventSourceOptions): SqsEventSource {
  return new SqsEventSource(options);
}
