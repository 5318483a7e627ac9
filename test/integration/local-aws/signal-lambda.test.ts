/**
 * The production signal Lambda (lambdas/handlers/signal.ts `createSignalLambda`, what `handler` builds) run by the local SQS event
 * source mapping from an outbox queue in fauxqs, with the real SDK clients pointed at the local AWS through the
 * environment, posting to a stand-in for the Azure brain's POST /api/signals over plain HTTP
 * (SIGNALS_ENDPOINT_URL accepts http: lambdas/handlers/config.ts).
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { sqsSignalOutbox } from '../../../lambdas/adapters/outbox';
import { createSignalLambda } from '../../../lambdas/handlers/signal';
import { createSqsEventSource, startLocalAws, type LambdaInvocation, type LocalAws, type SqsEventSource, type SqsQueueRef } from '../../../local/aws';
import type { Signal } from '../../../protocol/signal';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verify } from '../../../protocol/signing';

const SECRET = 'local-aws-integration-signal-key-32-chars';
const savedEnv = { ...process.env };

interface BrainRequest {
  readonly path: string;
  readonly body: string;
  readonly verified: boolean;
}

/** Stands in for the Azure brain: checks signatures and answers scripted statuses (202 when none is left). */
class FakeBrain {
  readonly requests: BrainRequest[] = [];
  readonly answers: { status: number; body?: unknown }[] = [];
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = { timestamp: req.headers[TIMESTAMP_HEADER] as string | undefined, signature: req.headers[SIGNATURE_HEADER] as string | undefined };
      this.requests.push({ path: req.url ?? '', body, verified: verify(SECRET, body, headers).ok });
      const answer = this.answers.shift() ?? { status: 202, body: { state: 'failing-over', epoch: 1 } };
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body ?? {}));
    });
  });

  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/signals`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

let aws: LocalAws;
let brain: FakeBrain;
let signalsUrl: string;
let outbox: SqsQueueRef;
let deadLetters: SqsQueueRef;
let secretArn: string;
let runner: SqsEventSource | undefined;

beforeAll(async () => {
  aws = await startLocalAws();
  brain = new FakeBrain();
  signalsUrl = await brain.start();
  // Process-wide, as a Lambda's runtime environment is: the SDK reads region and endpoints lazily.
  Object.assign(process.env, aws.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
  deadLetters = await aws.queues.create({ name: 'spot-on-signal-outbox-dlq' });
  outbox = await aws.queues.create({ name: 'spot-on-signal-outbox', visibilityTimeoutSeconds: 1, deadLetterQueue: { queue: deadLetters, maxReceiveCount: 3 } });
  secretArn = aws.secrets.put('spot-on/signal-keys', SECRET).arn;
});

afterEach(async () => {
  await runner?.stop();
  runner = undefined;
  brain.answers.length = 0;
  brain.requests.length = 0;
});

afterAll(async () => {
  await brain.stop();
  await aws.stop();
  process.env = savedEnv;
});

/** A new deployment of the production Lambda: its first invocation is a cold start. */
function startSignalLambda(): SqsEventSource {
  runner = createSqsEventSource({
    functionName: 'spot-on-signal',
    client: aws.queues.client,
    pollWaitSeconds: 1,
    queue: outbox,
    createHandler: createSignalLambda,
    batchSize: 5,
    timeoutSeconds: 30,
    environment: {
      SIGNALS_ENDPOINT_URL: signalsUrl,
      SIGNAL_KEYS_SECRET_ARN: secretArn,
      DEAD_LETTER_QUEUE_URL: deadLetters.url,
      SIGNAL_TIMEOUT_MS: '2000',
    },
  });
  return runner;
}

function signal(id: string): Signal {
  return {
    version: 1,
    id,
    type: 'capacity-lost',
    runId: 'local-aws-it',
    issuedAt: new Date().toISOString(),
    source: { eventId: `event-${id}`, source: 'aws.ec2', detailType: 'EC2 Spot Instance Interruption Warning', time: '2026-11-18T14:21:07Z' },
    instanceIds: ['i-0abcd1234ef567890'],
  };
}

/** Enqueues through the production outbox adapter and the real SQS client; returns the body as queued. */
async function enqueue(value: Signal): Promise<string> {
  await sqsSignalOutbox(new SQSClient({}), outbox.url).enqueue(value);
  return JSON.stringify(value);
}

function invocations(source: SqsEventSource, count: number, timeoutMs = 15_000): Promise<LambdaInvocation[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${source.invocations().length} of ${count} invocations within ${timeoutMs} ms`)), timeoutMs);
    const check = () => {
      if (source.invocations().length < count) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(source.invocations());
    };
    const unsubscribe = source.onInvocation(check);
    check();
  });
}

describe('the production signal Lambda on the local AWS', () => {
  it('posts the queued signal, signed, and the message is deleted', async () => {
    const lambda = startSignalLambda();
    const body = await enqueue(signal('capacity-lost-0001'));

    const invocation = await lambda.pollOnce(5);
    const [messageId] = invocation?.messageIds ?? [];

    expect(invocation).toMatchObject({
      functionName: 'spot-on-signal',
      coldStart: true,
      messageIds: [messageId],
      outcome: 'succeeded',
      deletedMessageIds: [messageId],
      response: { batchItemFailures: [] },
    });
    expect(brain.requests).toStrictEqual([{ path: '/api/signals', body, verified: true }]);
    expect(await aws.queues.count(outbox)).toBe(0);
  });

  it('leaves a signal the brain answers 503 for, and delivers it when SQS redelivers it after the visibility timeout', async () => {
    brain.answers.push({ status: 503, body: { reason: 'state store busy' } });
    const lambda = startSignalLambda();
    const body = await enqueue(signal('capacity-lost-0002'));
    lambda.start();

    const [first, second] = await invocations(lambda, 2);
    const [messageId] = first?.messageIds ?? [];

    expect(first).toMatchObject({ outcome: 'failed', receiveCounts: [1], failedMessageIds: [messageId], deletedMessageIds: [], response: { batchItemFailures: [{ itemIdentifier: messageId }] } });
    expect(second).toMatchObject({ outcome: 'succeeded', receiveCounts: [2], deletedMessageIds: [messageId], coldStart: false });
    expect((second?.startedAt ?? 0) - (first?.startedAt ?? 0)).toBeGreaterThanOrEqual(900);
    expect(brain.requests.map((r) => [r.body, r.verified])).toStrictEqual([
      [body, true],
      [body, true],
    ]);
    expect(await aws.queues.count(outbox)).toBe(0);
  });

  it('dead-letters a signal the brain refuses for good (4xx) and acknowledges it', async () => {
    brain.answers.push({ status: 400, body: { reason: 'unknown runId' } });
    const lambda = startSignalLambda();
    const body = await enqueue(signal('capacity-lost-0003'));

    expect(await lambda.pollOnce(5)).toMatchObject({ outcome: 'succeeded' });

    const { Messages = [] } = await new SQSClient({}).send(new ReceiveMessageCommand({ QueueUrl: deadLetters.url, MessageAttributeNames: ['All'] }));
    expect(Messages.map((m) => [m.Body, m.MessageAttributes?.errorName?.StringValue, m.MessageAttributes?.reason?.StringValue])).toStrictEqual([
      [body, 'SignalRejectedError', 'signals endpoint answered 400: unknown runId'],
    ]);
    expect(await aws.queues.count(outbox)).toBe(0);
  });
});
