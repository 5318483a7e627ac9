/** The SQS event source mapping on a manual clock: the event it builds and how it reads the handler's answer. */
import type { Context, SQSEvent } from 'aws-lambda';
import { judgeBatchResponse, judgeInvocation, type Settled } from '../../../../local/aws/batch-response';
import { createSqsEventSource, InvalidEventSourceError, type LambdaEnvironment, type SqsEventSourceOptions, type SqsLambdaHandler } from '../../../../local/aws/lambda-runner';
import { md5Hex } from '../../../../local/aws/md5';
import { seededRandom } from '../../../../local/aws/random';
import { ACCOUNT, localSqs, REGION, settle } from './helpers';

/** An event source on the `outbox` queue; `handler` is what a factory that ignores its environment builds. */
function setup({ handler, ...options }: Partial<SqsEventSourceOptions> & { handler?: SqsLambdaHandler }) {
  const { clock, sqs } = localSqs();
  const dlq = sqs.create('outbox-dlq');
  const queue = sqs.create('outbox', { visibilityTimeoutSeconds: 30, deadLetterQueue: { queue: dlq, maxReceiveCount: 3 } });
  const createHandler = () => handler ?? (async () => undefined);
  const source = createSqsEventSource({ functionName: 'signal', queue, random: seededRandom(9), createHandler, ...options });
  return { clock, queue, dlq, source };
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
  it('builds the SQS event and the Lambda context as AWS does', async () => {
    const { calls, handler } = reportingHandler();
    const { clock, queue, source } = setup({ handler, timeoutSeconds: 30, memoryLimitInMB: 512 });
    const sent = queue.send({
      body: '{"id":"s-1"}',
      messageAttributes: { signalType: { dataType: 'String', stringValue: 'capacity-lost' }, blob: { dataType: 'Binary', binaryValue: Buffer.from('hi') } },
    });
    const sentAt = clock.now();
    clock.advance(40);
    const invocation = await source.pollOnce();

    const [call] = calls;
    expect(call?.event).toStrictEqual({
      Records: [
        {
          messageId: sent.messageId,
          receiptHandle: expect.any(String),
          body: '{"id":"s-1"}',
          attributes: {
            ApproximateReceiveCount: '1',
            SentTimestamp: String(sentAt),
            SenderId: 'AIDATESTSENDER',
            ApproximateFirstReceiveTimestamp: String(sentAt + 40),
          },
          messageAttributes: {
            signalType: { stringValue: 'capacity-lost', stringListValues: [], binaryListValues: [], dataType: 'String' },
            blob: { binaryValue: Buffer.from('hi').toString('base64'), stringListValues: [], binaryListValues: [], dataType: 'Binary' },
          },
          md5OfBody: md5Hex('{"id":"s-1"}'),
          md5OfMessageAttributes: sent.md5OfMessageAttributes,
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
      memoryLimitInMB: '512',
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
      messageIds: [sent.messageId],
      receiveCounts: [1],
      outcome: 'succeeded',
      failedMessageIds: [],
      deletedMessageIds: [sent.messageId],
      response: { batchItemFailures: [] },
    });
    expect(queue.messages()).toStrictEqual([]);
  });

  it('deletes only the successes of a partial batch failure; the failure comes back after the visibility timeout', async () => {
    const { calls, handler } = reportingHandler(['bad']);
    const { clock, queue, source } = setup({ handler });
    const ids = ['good-1', 'bad', 'good-2'].map((body) => queue.send({ body }).messageId);

    const first = await source.pollOnce();
    expect(first).toMatchObject({ outcome: 'partially-failed', failedMessageIds: [ids[1]], deletedMessageIds: [ids[0], ids[2]], coldStart: true });
    expect(queue.messages().map((m) => [m.body, m.state])).toStrictEqual([['bad', 'in-flight']]);
    expect(await source.pollOnce()).toBeUndefined();

    clock.advance(30_000);
    const second = await source.pollOnce();
    expect(second).toMatchObject({ messageIds: [ids[1]], receiveCounts: [2], outcome: 'failed', coldStart: false });
    expect(calls[1]?.event.Records[0]?.attributes.ApproximateReceiveCount).toBe('2');
  });

  it('fails the whole batch when the handler throws, and the queue redrives after maxReceiveCount', async () => {
    const handler: SqsLambdaHandler = () => Promise.reject(new TypeError('boom'));
    const { clock, queue, dlq, source } = setup({ handler });
    const id = queue.send({ body: 'x' }).messageId;
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(await source.pollOnce()).toMatchObject({ outcome: 'failed', failedMessageIds: [id], deletedMessageIds: [], error: { name: 'TypeError', message: 'boom' } });
      clock.advance(30_000);
    }
    expect(await source.pollOnce()).toBeUndefined();
    expect(dlq.messages().map((m) => m.messageId)).toStrictEqual([id]);
    expect(queue.messages()).toStrictEqual([]);
  });

  it('fails the whole batch when a batchItemFailures entry names no message of the batch', async () => {
    const handler: SqsLambdaHandler = async () => ({ batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] });
    const { queue, source } = setup({ handler });
    queue.send({ body: 'a' });
    queue.send({ body: 'b' });
    const invocation = await source.pollOnce();
    expect(invocation).toMatchObject({
      outcome: 'failed',
      deletedMessageIds: [],
      error: { name: 'InvalidBatchResponseError', message: 'itemIdentifier not-in-batch is not a message of this batch' },
    });
    expect(queue.counts()).toStrictEqual({ visible: 0, inFlight: 2, delayed: 0 });
  });

  it('ignores the answer without ReportBatchItemFailures', async () => {
    const handler: SqsLambdaHandler = async (event) => ({ batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) });
    const { queue, source } = setup({ handler, reportBatchItemFailures: false });
    queue.send({ body: 'a' });
    expect(await source.pollOnce()).toMatchObject({ outcome: 'succeeded' });
    expect(queue.messages()).toStrictEqual([]);
  });

  it('fails a batch whose handler outlives the timeout', async () => {
    let remainingAtTimeout = -1;
    let finished = false;
    const { clock, queue, source } = setup({
      timeoutSeconds: 2,
      // Takes 10 s on the event source's own clock, so the test moves time instead of waiting for it.
      createHandler: () => (_event, context) =>
        new Promise((resolve) => {
          remainingAtTimeout = context.getRemainingTimeInMillis();
          clock.setTimer(() => resolve((finished = true)), 10_000);
        }),
    });
    queue.send({ body: 'slow' });
    const pending = source.pollOnce();
    await settle();
    clock.advance(2_000);
    expect(await pending).toMatchObject({ outcome: 'failed', error: { name: 'LambdaTimeoutError', message: 'Task timed out after 2.00 seconds' } });
    expect(remainingAtTimeout).toBe(2_000);
    expect(queue.counts().inFlight).toBe(1);
    clock.advance(8_000);
    await settle();
    expect([finished, source.invocations().length, queue.counts().inFlight]).toStrictEqual([true, 1, 1]);
  });

  it('gathers up to batchSize records within the batching window', async () => {
    const { calls, handler } = reportingHandler();
    const { clock, queue, source } = setup({ handler, batchSize: 25, maximumBatchingWindowSeconds: 2 });
    for (let i = 0; i < 12; i++) queue.send({ body: `m${i}` });
    const pending = source.pollOnce();
    await settle();
    clock.advance(1_000);
    for (let i = 12; i < 30; i++) queue.send({ body: `m${i}` });
    await settle();
    const invocation = await pending;
    expect(invocation?.messageIds).toHaveLength(25);
    expect(calls[0]?.event.Records.map((r) => r.body)).toStrictEqual(Array.from({ length: 25 }, (_, i) => `m${i}`));
    const rest = source.pollOnce();
    await settle();
    clock.advance(2_000);
    expect((await rest)?.messageIds).toHaveLength(5);
  });

  it('builds the handler once, at the cold start, from the function environment and the runtime variables', async () => {
    const built: LambdaEnvironment[] = [];
    const seen: (string | undefined)[] = [];
    const { queue, source } = setup({
      memoryLimitInMB: 256,
      environment: { LOCAL_AWS_TEST_SETTING: 'function-value' },
      createHandler: (environment) => {
        built.push(environment);
        return async () => {
          seen.push(process.env.LOCAL_AWS_TEST_SETTING);
        };
      },
    });
    queue.send({ body: 'a' });
    const first = await source.pollOnce();
    queue.send({ body: 'b' });
    const second = await source.pollOnce();
    expect(built).toStrictEqual([
      {
        LOCAL_AWS_TEST_SETTING: 'function-value',
        AWS_REGION: REGION,
        AWS_DEFAULT_REGION: REGION,
        AWS_LAMBDA_FUNCTION_NAME: 'signal',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      },
    ]);
    expect([first?.coldStart, second?.coldStart]).toStrictEqual([true, false]);
    expect(seen).toStrictEqual([undefined, undefined]);
  });

  it('fails the invocation whose cold start throws, as an init error does, and starts cold again at the next', async () => {
    const attempts: number[] = [];
    const { clock, queue, source } = setup({
      createHandler: () => {
        attempts.push(attempts.length + 1);
        if (attempts.length === 1) throw new TypeError('DEAD_LETTER_QUEUE_URL is missing');
        return async () => undefined;
      },
    });
    queue.send({ body: 'x' });
    const failed = await source.pollOnce();
    clock.advance(30_000);
    const retried = await source.pollOnce();
    expect([failed?.coldStart, failed?.outcome, failed?.error]).toStrictEqual([true, 'failed', { name: 'TypeError', message: 'DEAD_LETTER_QUEUE_URL is missing' }]);
    expect([retried?.coldStart, retried?.outcome, attempts]).toStrictEqual([true, 'succeeded', [1, 2]]);
  });

  it('polls continuously once started, records every invocation and stops cleanly', async () => {
    const { handler } = reportingHandler();
    const { queue, source } = setup({ handler, maxConcurrency: 2 });
    const seen: string[] = [];
    source.onInvocation((i) => seen.push(...i.messageIds));
    source.start();
    const ids = [queue.send({ body: 'a' }).messageId, queue.send({ body: 'b' }).messageId];
    await settle();
    await settle();
    await source.stop();
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
    expect(judgeBatchResponse(response, ids, true)).toStrictEqual(verdict);
  });

  it('treats any answer as success without ReportBatchItemFailures', () => {
    expect(judgeBatchResponse({ batchItemFailures: [{ itemIdentifier: 'm9' }] }, ids, false)).toStrictEqual({ kind: 'success' });
  });
});

describe('judgeInvocation', () => {
  const ids = ['m1', 'm2'];
  const options = { reportBatchItemFailures: true, timeoutMs: 2_500 };
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
    expect(judgeInvocation(settled, ids, options)).toStrictEqual(verdict);
  });
});
