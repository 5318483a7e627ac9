/**
 * The whole AWS side of a failover signal on the local AWS, production code only: a recorded composite-alarm
 * event injected on the default bus is routed by INGEST_RULES to the interruption queue; the interruption
 * Lambda queues a signal in the outbox (SQS SendMessage) and publishes its lifecycle event on the `spot-on`
 * bus (EventBridge PutEvents); the signal Lambda posts the signal, signed, to the brain. The queues are fauxqs's,
 * polled by the event source mappings with the real SQS client. The alarm path needs
 * no Kubernetes API, so no cluster simulator takes part.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FAILOVER_ALARM_NAME, INGEST_RULES } from '../../../lambdas/events/rules';
import { createInterruptionLambda } from '../../../lambdas/handlers/interruption';
import { createSignalLambda } from '../../../lambdas/handlers/signal';
import { createSqsEventSource, startLocalAws, type LambdaInvocation, type LocalAws, type SqsEventSource } from '../../../local/aws';
import { SignalSchema } from '../../../protocol/signal';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verify } from '../../../protocol/signing';
import { loadEvent } from '../../support/events';

const SECRET = 'local-aws-chain-signal-key-of-32-chars';
const FLUSH_KEY = 'local-aws-chain-flush-key-of-32-chars';
const savedEnv = { ...process.env };
let aws: LocalAws;
let brain: Server;
const received: { body: string; verified: boolean }[] = [];
const runners: SqsEventSource[] = [];

beforeAll(async () => {
  aws = await startLocalAws({
    seed: 2026,
    buses: ['spot-on'],
    secrets: { 'spot-on/signal-keys': SECRET, 'spot-on/flush-keys': FLUSH_KEY },
  });
  Object.assign(process.env, aws.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
  brain = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = { timestamp: req.headers[TIMESTAMP_HEADER] as string | undefined, signature: req.headers[SIGNATURE_HEADER] as string | undefined };
      received.push({ body, verified: verify(SECRET, body, headers).ok });
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"state":"failing-over","epoch":1}');
    });
  }).listen(0, '127.0.0.1');
  await once(brain, 'listening');
});

afterAll(async () => {
  await Promise.all(runners.map((r) => r.stop()));
  brain.closeAllConnections();
  await new Promise((resolve) => brain.close(resolve));
  await aws.stop();
  process.env = savedEnv;
});

function firstInvocation(source: SqsEventSource, timeoutMs = 15_000): Promise<LambdaInvocation> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${source.functionName} was not invoked within ${timeoutMs} ms`)), timeoutMs);
    const unsubscribe = source.onInvocation((invocation) => {
      clearTimeout(timer);
      unsubscribe();
      resolve(invocation);
    });
  });
}

it('turns an injected failover alarm into a signed signal at the brain and a lifecycle event on the spot-on bus', async () => {
  const signalKeysArn = aws.secrets.find('spot-on/signal-keys')?.arn ?? '';
  const flushKeysArn = aws.secrets.find('spot-on/flush-keys')?.arn ?? '';
  const interruptionDlq = await aws.queues.create({ name: 'spot-on-interruption-dlq' });
  const interruptionQueue = await aws.queues.create({ name: 'spot-on-interruption', visibilityTimeoutSeconds: 360, deadLetterQueue: { queue: interruptionDlq, maxReceiveCount: 3 } });
  const outboxDlq = await aws.queues.create({ name: 'spot-on-signal-outbox-dlq' });
  const outbox = await aws.queues.create({ name: 'spot-on-signal-outbox', visibilityTimeoutSeconds: 180, deadLetterQueue: { queue: outboxDlq, maxReceiveCount: 3 } });
  aws.buses.get('default')?.putRules(INGEST_RULES, [interruptionQueue]);

  const interruption = createSqsEventSource({
    functionName: 'spot-on-interruption',
    client: aws.queues.client,
    pollWaitSeconds: 1,
    queue: interruptionQueue,
    createHandler: createInterruptionLambda,
    batchSize: 5,
    timeoutSeconds: 60,
    environment: {
      OUTBOX_QUEUE_URL: outbox.url,
      DEAD_LETTER_QUEUE_URL: interruptionDlq.url,
      EVENT_BUS_NAME: 'spot-on',
      EKS_CLUSTER_NAME: 'spot-on-fl',
      TRAINER_NAMESPACE: 'fl',
      TRAINER_LABEL_SELECTOR: 'app.kubernetes.io/component=fl-trainer',
      TRAINER_PORT: '8080',
      FLUSH_KEYS_SECRET_ARN: flushKeysArn,
      RUN_ID: 'local-aws-chain',
      FAILOVER_ALARM_NAME,
    },
  });
  const signal = createSqsEventSource({
    functionName: 'spot-on-signal',
    client: aws.queues.client,
    pollWaitSeconds: 1,
    queue: outbox,
    createHandler: createSignalLambda,
    batchSize: 5,
    timeoutSeconds: 30,
    environment: {
      SIGNALS_ENDPOINT_URL: `http://127.0.0.1:${(brain.address() as AddressInfo).port}/api/signals`,
      SIGNAL_KEYS_SECRET_ARN: signalKeysArn,
      DEAD_LETTER_QUEUE_URL: outboxDlq.url,
      SIGNAL_TIMEOUT_MS: '2000',
    },
  });
  runners.push(interruption, signal);
  const reflexed = firstInvocation(interruption);
  const signalled = firstInvocation(signal);
  interruption.start();
  signal.start();

  const alarm = loadEvent<{ id: string }>('aws.cloudwatch/alarm-state-change/composite-alarm-alarm.json');
  expect((await aws.buses.get('default')?.inject(alarm))?.matchedRules).toStrictEqual(['alarmStateChange']);

  expect(await reflexed).toMatchObject({ outcome: 'succeeded', coldStart: true });
  expect(await signalled).toMatchObject({ outcome: 'succeeded', coldStart: true });

  expect(received).toHaveLength(1);
  expect(received[0]?.verified).toBe(true);
  const sent = SignalSchema.parse(JSON.parse(received[0]?.body ?? ''));
  expect(sent).toMatchObject({ type: 'aws-unhealthy', runId: 'local-aws-chain', alarmName: FAILOVER_ALARM_NAME, source: { eventId: alarm.id } });

  const lifecycle = aws.buses.get('spot-on')?.events() ?? [];
  expect(lifecycle.map((r) => [r.via, r.event.source, r.event['detail-type']])).toStrictEqual([['PutEvents', 'spot-on', 'Spot-On Reflex Action']]);
  expect(lifecycle[0]?.event.detail).toMatchObject({ eventId: alarm.id });
  for (const queue of [interruptionQueue, interruptionDlq, outbox, outboxDlq]) expect(await aws.queues.count(queue)).toBe(0);
});
