/** The SQS event source mapping against a fake SQS client on a manual clock: the event it builds, what it deletes, how it reads the handler's answer. */
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { judgeBatchResponse, judgeInvocation, type Settled } from '../../../../local/aws/batch-response';
import { ManualClock } from '../../../../local/aws/clock';
import { createSqsEventSource, InvalidEventSourceError, type LambdaEnvironment, type SqsEventSourceOptions, type SqsLambdaHandler } from '../../../../local/aws/lambda-runner';
import { seededRandom } from '../../../../local/aws/random';
import { ACCOUNT, queueRef, REGION } from './helpers';

/** Lets promise callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/**
 * A queue behind a mocked SQSClient: ReceiveMessage takes waiting messages (a long poll waits on the manual clock for
 * one to arrive), DeleteMessage is recorded. Visibility and redrive are fauxqs's business (test/integration/local-aws).
 */
function fakeSqs(clock: ManualClock) {
  const client = new SQSClient({ region: REGION, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const mock = mockClient(client);
  const waiting: Message[] = [];
  const deleted: string[] = [];
  const wakeUps = new Set<() => void>();
  let next = 0;
  const take = (max: number) => waiting.splice(0, max);
  mock.on(ReceiveMessageCommand).callsFake(async (input: { MaxNumberOfMessages?: number; WaitTimeSeconds?: number }) => {
    const max = input.MaxNumberOfMessages ?? 1;
    if (waiting.length > 0 || !input.WaitTimeSeconds) return { Messages: take(max) };
    await new Promise<void>((resolve) => {
      const wake = () => {
        wakeUps.delete(wake);
        cancel();
        resolve();
      };
      const cancel = clock.setTimer(wake, (input.WaitTimeSeconds ?? 0) * 1000);
      wakeUps.add(wake);
    });
    return { Messages: take(max) };
  });
  mock.on(DeleteMessageCommand).callsFake(async (input: { ReceiptHandle?: string }) => {
    deleted.push(input.ReceiptHandle ?? '');
    return {};
  });
  const send = (body: string, extra: Partial<Message> = {}): string => {
    const id = `m-${++next}`;
    waiting.push({ MessageId: id, ReceiptHandle: `rh-${id}`, Body: body, MD5OfBody: 'md5', Attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(clock.now()), SenderId: 'AIDATEST', ApproximateFirstReceiveTimestamp: String(clock.now()) }, ...extra });
    for (const wake of [...wakeUps]) wake();
    return id;
  };
  return { client, mock, send, deleted, waiting };
}

/** An event source on the `outbox` queue; `handler` is what a factory that ignores its environment builds. */
function setup({ handler, ...options }: Partial<SqsEventSourceOptions> & { handler?: SqsLambdaHandler }) {
  const clock = new ManualClock();
  const sqs = fakeSqs(clock);
  const queue = queueRef('outbox');
  const createHandler = () => handler ?? (async () => undefined);
  const source = createSqsEventSource({ functionName: 'signal', client: sqs.client, queue, clock, random: seededRandom(9), createHandler, ...options });
  return { clock, queue, sqs, source };
}

/** A handler that fails the records whose body is in `failBodies`, recording what it was given. */
function reportingHandler(failBodies: readonly string[] = []) {
  const calls: { event: SQSEvent; context: Context; remainingMs: number }[] = [];
  const handler: SqsLambdaHandler = async (event, context) => {
    calls.push({ event, context, remainingMs: context.getRemainingTimeInMillis() });
    return { batchItemFailures: event.Records.filter((r) => failBodies.includes(r.body)).map((r) => ({ itemIdentifier: r.messageId })) };
  };
  return { calls, handler };
}

describe('SqsEventSource', () => {
  it('builds the SQS event from the SDK messages and the Lambda context as AWS does', async () => {
    const { calls, handler } = reportingHandler();
    const { clock, queue, sqs, source } = setup({ handler, timeoutSeconds: 30 });
    const sentAt = clock.now();
    const id = sqs.send('{"id":"s-1"}', {
      MD5OfMessageAttributes: 'md5-attributes',
      MessageAttributes: { signalType: { DataType: 'String', StringValue: 'capacity-lost' }, blob: { DataType: 'Binary', BinaryValue: Buffer.from('hi') } },
    });
    clock.advance(40);
    const invocation = await source.pollOnce();

    expect(sqs.mock.commandCalls(ReceiveMessageCommand)[0]?.args[0].input).toStrictEqual({
      QueueUrl: queue.url,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    });
    const [call] = calls;
    expect(call?.event).toStrictEqual({
      Records: [
        {
          messageId: id,
          receiptHandle: `rh-${id}`,
          body: '{"id":"s-1"}',
          attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(sentAt), SenderId: 'AIDATEST', ApproximateFirstReceiveTimestamp: String(sentAt) },
          messageAttributes: {
            signalType: { stringValue: 'capacity-lost', stringListValues: [], binaryListValues: [], dataType: 'String' },
            blob: { binaryValue: Buffer.from('hi').toString('base64'), stringListValues: [], binaryListValues: [], dataType: 'Binary' },
          },
          md5OfBody: 'md5',
          md5OfMessageAttributes: 'md5-attributes',
          eventSource: 'aws:sqs',
          eventSourceARN: queue.arn,
          awsRegion: REGION,
        },
      ],
    });
    expect(call?.context).toMatchObject({
      functionName: 'signal',
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:signal`,
      memoryLimitInMB: '128',
      awsRequestId: invocation?.requestId,
      logGroupName: '/aws/lambda/signal',
      logStreamName: expect.stringMatching(/^2026\/03\/01\/\[\$LATEST\][0-9a-f]{32}$/),
    });
    expect(call?.remainingMs).toBe(30_000);
    expect(invocation).toStrictEqual({
      functionName: 'signal',
      requestId: expect.any(String),
      coldStart: true,
      startedAt: sentAt + 40,
      endedAt: sentAt + 40,
      durationMs: 0,
      messageIds: [id],
      receiveCounts: [1],
      outcome: 'succeeded',
      failedMessageIds: [],
      deletedMessageIds: [id],
      response: { batchItemFailures: [] },
    });
    expect(sqs.mock.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input)).toStrictEqual([{ QueueUrl: queue.url, ReceiptHandle: `rh-${id}` }]);
  });

  it('deletes only the successes of a partial batch failure and leaves the failure to its visibility timeout', async () => {
    const { handler } = reportingHandler(['bad']);
    const { sqs, source } = setup({ handler });
    const ids = ['good-1', 'bad', 'good-2'].map((body) => sqs.send(body));
    const first = await source.pollOnce();
    expect(first).toMatchObject({ outcome: 'partially-failed', failedMessageIds: [ids[1]], deletedMessageIds: [ids[0], ids[2]], coldStart: true });
    expect(sqs.deleted).toStrictEqual([`rh-${ids[0]}`, `rh-${ids[2]}`]);
    expect(await source.pollOnce()).toBeUndefined();
  });

  it('reports the receive count of a redelivered message', async () => {
    const { source, sqs } = setup({});
    sqs.send('again', { Attributes: { ApproximateReceiveCount: '2' } });
    expect(await source.pollOnce()).toMatchObject({ receiveCounts: [2], coldStart: true });
  });

  it('fails the whole batch when the handler throws, deleting nothing', async () => {
    const handler: SqsLambdaHandler = () => Promise.reject(new TypeError('boom'));
    const { sqs, source } = setup({ handler });
    const id = sqs.send('x');
    expect(await source.pollOnce()).toMatchObject({ outcome: 'failed', failedMessageIds: [id], deletedMessageIds: [], error: { name: 'TypeError', message: 'boom' } });
    expect(sqs.deleted).toStrictEqual([]);
  });

  it('fails the whole batch when a batchItemFailures entry names no message of the batch', async () => {
    const handler: SqsLambdaHandler = async () => ({ batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] });
    const { sqs, source } = setup({ handler });
    sqs.send('a');
    sqs.send('b');
    const invocation = await source.pollOnce();
    expect(invocation).toMatchObject({
      outcome: 'failed',
      deletedMessageIds: [],
      error: { name: 'InvalidBatchResponseError', message: 'itemIdentifier not-in-batch is not a message of this batch' },
    });
    expect(sqs.deleted).toStrictEqual([]);
  });

  it('counts a failed DeleteMessage as not deleted: the message comes back', async () => {
    const { sqs, source } = setup({});
    sqs.mock.on(DeleteMessageCommand).rejects(new Error('ReceiptHandleIsInvalid'));
    const id = sqs.send('a');
    expect(await source.pollOnce()).toMatchObject({ outcome: 'succeeded', messageIds: [id], deletedMessageIds: [] });
  });

  it('loses the share of deletes it is told to (at-least-once delivery): those messages are not deleted, the others are', async () => {
    const every = setup({ lostDeletes: 1 });
    const lostId = every.sqs.send('a');
    expect(await every.source.pollOnce()).toMatchObject({ outcome: 'succeeded', messageIds: [lostId], deletedMessageIds: [] });
    expect(every.sqs.deleted).toStrictEqual([]);
    const half = setup({ lostDeletes: 0.5, batchSize: 10 });
    const ids = Array.from({ length: 10 }, (_, i) => half.sqs.send(`m${i}`));
    const invocation = await half.source.pollOnce();
    expect(invocation?.messageIds).toStrictEqual(ids);
    // Seeded: some of the ten are kept for a second delivery, and the rest are deleted.
    expect(half.sqs.deleted.length).toBeGreaterThan(0);
    expect(half.sqs.deleted.length).toBeLessThan(10);
  });

  it('fails a batch whose handler outlives the timeout', async () => {
    let remainingAtTimeout = -1;
    let finished = false;
    const { clock, sqs, source } = setup({
      timeoutSeconds: 2,
      // Takes 10 s on the event source's own clock, so the test moves time instead of waiting for it.
      createHandler: () => (_event, context) =>
        new Promise((resolve) => {
          remainingAtTimeout = context.getRemainingTimeInMillis();
          clock.setTimer(() => resolve((finished = true)), 10_000);
        }),
    });
    sqs.send('slow');
    const pending = source.pollOnce();
    await settle();
    clock.advance(2_000);
    expect(await pending).toMatchObject({ outcome: 'failed', error: { name: 'LambdaTimeoutError', message: 'Task timed out after 2.00 seconds' } });
    expect(remainingAtTimeout).toBe(2_000);
    expect(sqs.deleted).toStrictEqual([]);
    clock.advance(8_000);
    await settle();
    expect([finished, source.invocations().length]).toStrictEqual([true, 1]);
  });

  it('gathers up to batchSize records within the batching window, receiving 10 at a time', async () => {
    const { calls, handler } = reportingHandler();
    const { clock, sqs, source } = setup({ handler, batchSize: 25, maximumBatchingWindowSeconds: 2 });
    for (let i = 0; i < 12; i++) sqs.send(`m${i}`);
    const pending = source.pollOnce();
    await settle();
    clock.advance(1_000);
    for (let i = 12; i < 30; i++) sqs.send(`m${i}`);
    await settle();
    const invocation = await pending;
    expect(invocation?.messageIds).toHaveLength(25);
    expect(calls[0]?.event.Records.map((r) => r.body)).toStrictEqual(Array.from({ length: 25 }, (_, i) => `m${i}`));
    expect(sqs.mock.commandCalls(ReceiveMessageCommand).every((c) => (c.args[0].input.MaxNumberOfMessages ?? 0) <= 10)).toBe(true);
    const rest = source.pollOnce();
    for (let i = 0; i < 30 && !calls[1]; i++) {
      await settle();
      clock.advance(100);
    }
    expect((await rest)?.messageIds).toHaveLength(5);
  });

  it('builds the handler once, at the cold start, from the function environment and the runtime variables', async () => {
    const built: LambdaEnvironment[] = [];
    const seen: (string | undefined)[] = [];
    const { sqs, source } = setup({
      environment: { LOCAL_AWS_TEST_SETTING: 'function-value' },
      createHandler: (environment) => {
        built.push(environment);
        return async () => {
          seen.push(process.env.LOCAL_AWS_TEST_SETTING);
        };
      },
    });
    sqs.send('a');
    const first = await source.pollOnce();
    sqs.send('b');
    const second = await source.pollOnce();
    expect(built).toStrictEqual([
      {
        LOCAL_AWS_TEST_SETTING: 'function-value',
        AWS_REGION: REGION,
        AWS_DEFAULT_REGION: REGION,
        AWS_LAMBDA_FUNCTION_NAME: 'signal',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      },
    ]);
    expect([first?.coldStart, second?.coldStart]).toStrictEqual([true, false]);
    expect(seen).toStrictEqual([undefined, undefined]);
  });

  it('fails the invocation whose cold start throws, as an init error does, and starts cold again at the next', async () => {
    const attempts: number[] = [];
    const { sqs, source } = setup({
      createHandler: () => {
        attempts.push(attempts.length + 1);
        if (attempts.length === 1) throw new TypeError('DEAD_LETTER_QUEUE_URL is missing');
        return async () => undefined;
      },
    });
    sqs.send('x');
    const failed = await source.pollOnce();
    sqs.send('x', { Attributes: { ApproximateReceiveCount: '2' } });
    const retried = await source.pollOnce();
    expect([failed?.coldStart, failed?.outcome, failed?.error]).toStrictEqual([true, 'failed', { name: 'TypeError', message: 'DEAD_LETTER_QUEUE_URL is missing' }]);
    expect([retried?.coldStart, retried?.outcome, attempts]).toStrictEqual([true, 'succeeded', [1, 2]]);
  });

  it('polls continuously once started, records every invocation and stops cleanly', async () => {
    const { handler } = reportingHandler();
    const { clock, sqs, source } = setup({ handler, maxConcurrency: 2 });
    const seen: string[] = [];
    source.onInvocation((i) => seen.push(...i.messageIds));
    source.start();
    await settle();
    const ids = [sqs.send('a'), sqs.send('b')];
    await settle();
    await settle();
    // stop() lets the pollers' long polls end with their wait.
    const stopped = source.stop();
    clock.advance(20_000);
    await stopped;
    expect(seen.sort()).toStrictEqual([...ids].sort());
    expect(source.invocations().flatMap((i) => i.deletedMessageIds).sort()).toStrictEqual([...ids].sort());
    expect(source.running).toBe(false);
  });

  it('refuses settings CreateEventSourceMapping refuses', () => {
    const { handler } = reportingHandler();
    expect(() => setup({ handler, batchSize: 20 })).toThrow(new InvalidEventSourceError('signal: a batchSize over 10 needs maximumBatchingWindowSeconds of at least 1'));
    expect(() => setup({ handler, batchSize: 0 })).toThrow(InvalidEventSourceError);
  });
});

describe('judgeBatchResponse', () => {
  const ids = ['m1', 'm2'];
  it.each([
    ['undefined', undefined, { kind: 'success' }],
    ['null', null, { kind: 'success' }],
    ['an empty object', {}, { kind: 'success' }],
    ['null batchItemFailures', { batchItemFailures: null }, { kind: 'success' }],
    ['empty batchItemFailures', { batchItemFailures: [] }, { kind: 'success' }],
    ['a listed failure', { batchItemFailures: [{ itemIdentifier: 'm2' }] }, { kind: 'partial', failedMessageIds: new Set(['m2']) }],
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }, { kind: 'failure', reason: 'invalid itemIdentifier ""' }],
    ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }, { kind: 'failure', reason: 'invalid itemIdentifier null' }],
    ['a misspelt key', { batchItemFailures: [{ itemIdentifer: 'm1' }] }, { kind: 'failure', reason: 'invalid itemIdentifier null' }],
    ['an unknown id', { batchItemFailures: [{ itemIdentifier: 'm9' }] }, { kind: 'failure', reason: 'itemIdentifier m9 is not a message of this batch' }],
    ['a non-list', { batchItemFailures: 'm1' }, { kind: 'failure', reason: 'batchItemFailures is not a list' }],
    ['a string answer', 'done', { kind: 'failure', reason: 'the function answered "done", not an object with batchItemFailures' }],
  ])('judges %s', (_name, response, verdict) => {
    expect(judgeBatchResponse(response, ids)).toStrictEqual(verdict);
  });
});

describe('judgeInvocation', () => {
  const ids = ['m1', 'm2'];
  it.each<[string, Settled, ReturnType<typeof judgeInvocation>]>([
    ['a partial answer', { kind: 'returned', value: { batchItemFailures: [{ itemIdentifier: 'm2' }] } }, { failed: new Set(['m2']) }],
    ['a complete success', { kind: 'returned', value: undefined }, { failed: new Set() }],
    ['a throw', { kind: 'threw', error: new RangeError('no') }, { failed: new Set(ids), error: { name: 'RangeError', message: 'no' } }],
    ['a thrown non-error', { kind: 'threw', error: 'no' }, { failed: new Set(ids), error: { name: 'Error', message: 'no' } }],
    ['a timeout', { kind: 'timeout' }, { failed: new Set(ids), error: { name: 'LambdaTimeoutError', message: 'Task timed out after 2.50 seconds' } }],
    [
      'an invalid answer',
      { kind: 'returned', value: { batchItemFailures: 'm1' } },
      { failed: new Set(ids), error: { name: 'InvalidBatchResponseError', message: 'batchItemFailures is not a list' } },
    ],
  ])('judges %s', (_name, settled, verdict) => {
    expect(judgeInvocation(settled, ids, 2_500)).toStrictEqual(verdict);
  });
});
