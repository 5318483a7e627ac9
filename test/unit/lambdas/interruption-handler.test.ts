import type { SQSRecord } from 'aws-lambda';
import { createInterruptionHandler } from '../../../lambdas/handlers/interruption-handler';
import { classify } from '../../../lambdas/events/classify';
import { KubernetesApiError } from '../../../lambdas/adapters/kubernetes-api';
import { LifecycleEventError } from '../../../lambdas/adapters/lifecycle-bus';
import { signalId } from '../../../lambdas/reflex/signal';
import {
  alarmChange,
  EVENT_TIME,
  FakeDeadLetter,
  FakeFlusher,
  FakeHooks,
  FakeLifecycle,
  FakeLocator,
  FakeOutbox,
  healthIssue,
  INSTANCE_A,
  INSTANCE_B,
  INSTANCE_FOREIGN,
  NOW,
  pod,
  quietLogger,
  quietMetrics,
  rebalance,
  sortedBy,
  spotWarning,
  sqsEvent,
  sqsRecord,
} from './helpers';

const RUN_ID = 'run-42';
const FAILOVER = 'aws-training-unhealthy';
const DEADLINE = '2026-03-01T12:02:00.000Z';
const SPOT_SOURCE = (eventId: string) => ({ eventId, source: 'aws.ec2', detailType: 'EC2 Spot Instance Interruption Warning', time: EVENT_TIME });

/** The handler's clock: `sleep` moves it, so in-place flush retries take no real time. */
let clockMs = NOW.getTime();
beforeEach(() => {
  clockMs = NOW.getTime();
});

function setup(options: { flushOutcomes?: ConstructorParameters<typeof FakeFlusher>[0] } = {}) {
  const locator = new FakeLocator({
    [INSTANCE_A]: { nodeName: 'ip-10-0-1-1.us-west-2.compute.internal', trainers: [pod('trainer-a1', 'ip-10-0-1-1', '10.0.1.11'), pod('trainer-a2', 'ip-10-0-1-1', '10.0.1.12')] },
    [INSTANCE_B]: { nodeName: 'ip-10-0-2-2.us-west-2.compute.internal', trainers: [pod('trainer-b1', 'ip-10-0-2-2', '10.0.2.21')] },
  });
  const flusher = new FakeFlusher(options.flushOutcomes);
  const outbox = new FakeOutbox();
  const lifecycle = new FakeLifecycle();
  const hooks = new FakeHooks();
  const deadLetter = new FakeDeadLetter();
  const handler = createInterruptionHandler({
    hooks,
    config: { runId: RUN_ID, failoverAlarmName: FAILOVER },
    classify,
    locator,
    flusher,
    outbox,
    lifecycle,
    deadLetter,
    logger: quietLogger(),
    metrics: quietMetrics(),
    now: () => new Date(clockMs),
    sleep: async (ms) => {
      clockMs += ms;
    },
  });
  return { handler, locator, flusher, outbox, lifecycle, hooks, deadLetter };
}

const flushCall = (name: string, ip: string, requestId: string, instanceId: string, reason = 'spot-interruption') => ({
  target: { name, ip },
  request: { version: 1, requestId, reason, deadline: DEADLINE, instanceId },
});

describe('interruption handler: a mixed batch', () => {
  const spotA = spotWarning('evt-spot-a', INSTANCE_A);
  const spotB = spotWarning('evt-spot-b', INSTANCE_B);
  const malformed = { ...spotWarning('evt-bad', INSTANCE_A), detail: { 'instance-action': 'terminate' } };
  const records: SQSRecord[] = [
    sqsRecord('m1-spot-a', spotA),
    sqsRecord('m2-malformed', malformed),
    sqsRecord('m3-spot-b-trainer-down', spotB),
    sqsRecord('m4-spot-a-duplicate', spotA),
    sqsRecord('m5-failover-alarm', alarmChange('evt-alarm', FAILOVER, 'ALARM')),
    sqsRecord('m6-not-json', '{"id": '),
    sqsRecord('m7-foreign-instance', spotWarning('evt-foreign', INSTANCE_FOREIGN)),
    sqsRecord('m8-ignored-kind', { ...spotA, id: 'evt-other', 'detail-type': 'EC2 Instance Launch Successful' }),
  ];

  it('acks the poison, retries only the transient failure and acts once on the duplicate', async () => {
    const t = setup({ flushOutcomes: { 'trainer-b1': { outcome: 'failed', status: 503, reason: 'busy' } } });

    const response = await t.handler(sqsEvent(...records));

    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: 'm3-spot-b-trainer-down' }] });
    const distinct = [...new Map(t.flusher.calls.map((c) => [c.target.name, c])).values()];
    expect(sortedBy(distinct, (c) => c.target.name)).toStrictEqual([
      flushCall('trainer-a1', '10.0.1.11', 'evt-spot-a', INSTANCE_A),
      flushCall('trainer-a2', '10.0.1.12', 'evt-spot-a', INSTANCE_A),
      flushCall('trainer-b1', '10.0.2.21', 'evt-spot-b', INSTANCE_B),
    ]);
    // The failing trainer was retried in place until its deadline (12:02:00); the record fails only then.
    expect(t.flusher.calls.filter((c) => c.target.name === 'trainer-b1').length).toBeGreaterThan(10);
    expect(clockMs).toBeLessThanOrEqual(Date.parse(DEADLINE));
    expect(clockMs).toBeGreaterThan(Date.parse(DEADLINE) - 4_000);
    // The signal for B was enqueued although its flush failed: the two do not wait for each other, and the
    // retry re-enqueues the same id, which the brain deduplicates.
    expect(sortedBy(t.outbox.signals, (s) => s.source.eventId)).toStrictEqual([
      {
        version: 1,
        id: signalId('evt-alarm', 'aws-unhealthy'),
        type: 'aws-unhealthy',
        runId: RUN_ID,
        issuedAt: NOW.toISOString(),
        source: { eventId: 'evt-alarm', source: 'aws.cloudwatch', detailType: 'CloudWatch Alarm State Change', time: EVENT_TIME },
        alarmName: FAILOVER,
      },
      {
        version: 1,
        id: signalId('evt-spot-a', 'capacity-lost'),
        type: 'capacity-lost',
        runId: RUN_ID,
        issuedAt: NOW.toISOString(),
        source: SPOT_SOURCE('evt-spot-a'),
        instanceIds: [INSTANCE_A],
      },
      {
        version: 1,
        id: signalId('evt-spot-b', 'capacity-lost'),
        type: 'capacity-lost',
        runId: RUN_ID,
        issuedAt: NOW.toISOString(),
        source: SPOT_SOURCE('evt-spot-b'),
        instanceIds: [INSTANCE_B],
      },
    ]);
    expect(t.deadLetter.sent).toStrictEqual([
      { body: JSON.stringify(malformed), why: { errorName: 'InvalidEventError', reason: expect.stringMatching(/^malformed .*instance-id/) } },
      { body: '{"id": ', why: { errorName: 'InvalidEventError', reason: expect.stringMatching(/^event is not JSON/) } },
    ]);
    expect(sortedBy(t.lifecycle.details, (d) => d.eventId)).toStrictEqual([
      {
        version: 1,
        eventId: 'evt-alarm',
        kind: 'alarm-state-change',
        eventTime: EVENT_TIME,
        region: 'us-west-2',
        action: 'signal',
        rationale: 'failover alarm in ALARM',
        alarm: { name: FAILOVER, state: 'ALARM' },
        signal: { id: signalId('evt-alarm', 'aws-unhealthy'), type: 'aws-unhealthy' },
      },
      {
        version: 1,
        eventId: 'evt-spot-a',
        kind: 'spot-interruption',
        eventTime: EVENT_TIME,
        region: 'us-west-2',
        action: 'flush',
        rationale: 'Spot terminate in two minutes: flush and report the lost capacity',
        signal: { id: signalId('evt-spot-a', 'capacity-lost'), type: 'capacity-lost' },
        instances: [
          {
            instanceId: INSTANCE_A,
            nodeName: 'ip-10-0-1-1.us-west-2.compute.internal',
            trainers: [
              { pod: 'trainer-a1', outcome: 'flushed', status: 200 },
              { pod: 'trainer-a2', outcome: 'flushed', status: 200 },
            ],
          },
        ],
      },
    ]);
    // The foreign instance was looked up (ownership) and then left alone.
    expect(sortedBy(t.locator.calls, (c) => c.join())).toStrictEqual([[INSTANCE_A], [INSTANCE_B], [INSTANCE_FOREIGN]]);
  });

  it('gives a duplicate of a failing record the same outcome (both retried, flushed once)', async () => {
    const t = setup({ flushOutcomes: { 'trainer-b1': { outcome: 'failed', reason: 'connect ECONNREFUSED' } } });
    const spotBRecord = sqsRecord('b-1', spotWarning('evt-spot-b', INSTANCE_B));

    const response = await t.handler(sqsEvent(spotBRecord, { ...spotBRecord, messageId: 'b-2' }));

    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: 'b-1' }, { itemIdentifier: 'b-2' }] });
    expect(new Set(t.flusher.calls.map((c) => JSON.stringify(c)))).toStrictEqual(new Set([JSON.stringify(flushCall('trainer-b1', '10.0.2.21', 'evt-spot-b', INSTANCE_B))]));
    expect(t.lifecycle.details).toStrictEqual([]);
  });
});

describe('interruption handler: flush retries inside the invocation', () => {
  const busy = { outcome: 'failed', status: 503, reason: 'busy' } as const;

  it('retries a trainer that failed twice and succeeds before the deadline, so the record is not redelivered', async () => {
    const t = setup({ flushOutcomes: { 'trainer-b1': [busy, { outcome: 'failed', reason: 'connect ETIMEDOUT' }, { outcome: 'flushed', status: 202 }] } });
    const response = await t.handler(sqsEvent(sqsRecord('b-1', spotWarning('evt-spot-b', INSTANCE_B))));
    expect(response).toStrictEqual({ batchItemFailures: [] });
    expect(t.flusher.calls).toStrictEqual([1, 2, 3].map(() => flushCall('trainer-b1', '10.0.2.21', 'evt-spot-b', INSTANCE_B)));
    expect(clockMs - NOW.getTime()).toBe(500 + 1000); // backoff 0.5 s, then 1 s
    expect(t.lifecycle.details).toHaveLength(1);
  });

  it('stops retrying before the invocation times out, so the batch response still gets out', async () => {
    const t = setup({ flushOutcomes: { 'trainer-b1': busy } });
    const startMs = clockMs;
    const context = { getRemainingTimeInMillis: () => 10_000 - (clockMs - startMs) } as Parameters<typeof t.handler>[1];
    const response = await t.handler(sqsEvent(sqsRecord('b-1', spotWarning('evt-spot-b', INSTANCE_B))), context);
    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: 'b-1' }] });
    expect(clockMs - startMs).toBeLessThanOrEqual(10_000 - 3_000);
    expect(t.flusher.calls.length).toBeGreaterThan(1);
  });

  it('never retries a trainer that refused the flush (4xx)', async () => {
    const t = setup({ flushOutcomes: { 'trainer-b1': { outcome: 'rejected', status: 401, reason: 'bad signature' } } });
    await t.handler(sqsEvent(sqsRecord('b-1', spotWarning('evt-spot-b', INSTANCE_B))));
    expect(t.flusher.calls).toHaveLength(1);
    expect(clockMs).toBe(NOW.getTime());
  });
});

describe('interruption handler: Auto Scaling lifecycle hooks', () => {
  const hookEvent = (id: string, instanceId: string) => ({
    version: '0',
    id,
    'detail-type': 'EC2 Instance-terminate Lifecycle Action',
    source: 'aws.autoscaling',
    account: '123456789012',
    time: EVENT_TIME,
    region: 'us-west-2',
    resources: [],
    detail: { LifecycleActionToken: 'token-1', AutoScalingGroupName: 'eks-gpu-spot', LifecycleHookName: 'spot-on-flush', EC2InstanceId: instanceId, LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING' },
  });
  const action = { autoScalingGroupName: 'eks-gpu-spot', lifecycleHookName: 'spot-on-flush', lifecycleActionToken: 'token-1', instanceId: INSTANCE_B };

  it('completes the hook once the instance\'s trainers have flushed, so the instance does not wait out the timeout', async () => {
    const t = setup();
    const response = await t.handler(sqsEvent(sqsRecord('h1', hookEvent('evt-hook', INSTANCE_B))));
    expect(response).toStrictEqual({ batchItemFailures: [] });
    expect(t.flusher.calls.map((c) => c.target.name)).toStrictEqual(['trainer-b1']);
    expect(t.hooks.completed).toStrictEqual([action]);
  });

  it('leaves the hook open while a flush is still failing (the record is retried; the hook holds the instance)', async () => {
    const t = setup({ flushOutcomes: { 'trainer-b1': { outcome: 'failed', status: 503, reason: 'busy' } } });
    const response = await t.handler(sqsEvent(sqsRecord('h1', hookEvent('evt-hook', INSTANCE_B))));
    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: 'h1' }] });
    expect(t.hooks.completed).toStrictEqual([]);
  });
});

describe('interruption handler: single records', () => {
  it('rebalance: flushes proactively, sends no signal, records the action', async () => {
    const t = setup();
    const response = await t.handler(sqsEvent(sqsRecord('r1', rebalance('evt-rebalance', INSTANCE_B))));
    expect(response).toStrictEqual({ batchItemFailures: [] });
    expect(t.flusher.calls).toStrictEqual([flushCall('trainer-b1', '10.0.2.21', 'evt-rebalance', INSTANCE_B, 'rebalance-recommendation')]);
    expect(t.outbox.signals).toStrictEqual([]);
    expect(t.lifecycle.details).toStrictEqual([
      {
        version: 1,
        eventId: 'evt-rebalance',
        kind: 'rebalance-recommendation',
        eventTime: EVENT_TIME,
        region: 'us-west-2',
        action: 'flush',
        rationale: 'elevated interruption risk: proactive checkpoint only, no signal',
        instances: [{ instanceId: INSTANCE_B, nodeName: 'ip-10-0-2-2.us-west-2.compute.internal', trainers: [{ pod: 'trainer-b1', outcome: 'flushed', status: 200 }] }],
      },
    ]);
  });

  it('an instance without trainer pods is acknowledged and still reported as lost capacity', async () => {
    const t = setup();
    const locator = new FakeLocator({ [INSTANCE_A]: { nodeName: 'node-a', trainers: [] } });
    const handler = createInterruptionHandler({
      config: { runId: RUN_ID, failoverAlarmName: FAILOVER },
      classify,
      locator,
      flusher: t.flusher,
      outbox: t.outbox,
      lifecycle: t.lifecycle,
      hooks: t.hooks,
      deadLetter: t.deadLetter,
      logger: quietLogger(),
      metrics: quietMetrics(),
      now: () => NOW,
    });
    const response = await handler(sqsEvent(sqsRecord('e1', spotWarning('evt-empty', INSTANCE_A))));
    expect(response).toStrictEqual({ batchItemFailures: [] });
    expect(t.flusher.calls).toStrictEqual([]);
    expect(t.outbox.signals.map((s) => [s.type, s.instanceIds])).toStrictEqual([['capacity-lost', [INSTANCE_A]]]);
    expect(t.lifecycle.details).toStrictEqual([expect.objectContaining({ eventId: 'evt-empty', instances: [{ instanceId: INSTANCE_A, nodeName: 'node-a', trainers: [] }] })]);
  });

  it('a trainer refusing the flush (4xx) is reported, not retried; an unready pod is skipped', async () => {
    const t = setup({ flushOutcomes: { 'trainer-a1': { outcome: 'rejected', status: 401, reason: 'signature does not match' } } });
    const locator = new FakeLocator({
      [INSTANCE_A]: { nodeName: 'node-a', trainers: [pod('trainer-a1', 'node-a', '10.0.1.11'), pod('trainer-a3', 'node-a', undefined)] },
    });
    const handler = createInterruptionHandler({ ...t, config: { runId: RUN_ID, failoverAlarmName: FAILOVER }, classify, locator, logger: quietLogger(), metrics: quietMetrics(), now: () => NOW });
    const response = await handler(sqsEvent(sqsRecord('x1', spotWarning('evt-x', INSTANCE_A))));
    expect(response).toStrictEqual({ batchItemFailures: [] });
    expect(t.flusher.calls.map((c) => c.target.name)).toStrictEqual(['trainer-a1']);
    expect(t.lifecycle.details).toStrictEqual([
      expect.objectContaining({
        instances: [
          {
            instanceId: INSTANCE_A,
            nodeName: 'node-a',
            trainers: [
              { pod: 'trainer-a1', outcome: 'rejected', status: 401 },
              { pod: 'trainer-a3', outcome: 'not-running' },
            ],
          },
        ],
      }),
    ]);
  });

  it('a Kubernetes API failure retries the record before anything is flushed or signalled', async () => {
    const t = setup();
    t.locator.failWith = new KubernetesApiError('GET /api/v1/nodes answered 503: etcd unavailable', { status: 503, transient: true });
    const response = await t.handler(sqsEvent(sqsRecord('k1', spotWarning('evt-k', INSTANCE_A))));
    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: 'k1' }] });
    expect(t.flusher.calls).toStrictEqual([]);
    expect(t.outbox.signals).toStrictEqual([]);
    expect(t.lifecycle.details).toStrictEqual([]);
  });

  it('an outbox failure retries the record and publishes no lifecycle event yet', async () => {
    const t = setup();
    t.outbox.failFor = () => true;
    const response = await t.handler(sqsEvent(sqsRecord('o1', alarmChange('evt-ok', FAILOVER, 'OK')), sqsRecord('o2', spotWarning('evt-o', INSTANCE_A))));
    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: 'o1' }, { itemIdentifier: 'o2' }] });
    expect(t.flusher.calls.map((c) => c.target.name)).toStrictEqual(['trainer-a1', 'trainer-a2']);
    expect(t.lifecycle.details).toStrictEqual([]);
  });

  it('a failed PutEvents retries the record', async () => {
    const t = setup();
    t.lifecycle.failWith = new LifecycleEventError('PutEvents to spot-on failed for event evt-h: InternalFailure');
    const response = await t.handler(sqsEvent(sqsRecord('h1', healthIssue('evt-h'))));
    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: 'h1' }] });
  });

  it('records other alarms and health issues without signalling; ignores INSUFFICIENT_DATA', async () => {
    const t = setup();
    const response = await t.handler(
      sqsEvent(
        sqsRecord('a1', alarmChange('evt-dlq', 'spot-on-dlq-depth', 'ALARM')),
        sqsRecord('a2', healthIssue('evt-health')),
        sqsRecord('a3', alarmChange('evt-nodata', FAILOVER, 'INSUFFICIENT_DATA')),
      ),
    );
    expect(response).toStrictEqual({ batchItemFailures: [] });
    expect(t.outbox.signals).toStrictEqual([]);
    expect(sortedBy(t.lifecycle.details, (d) => d.eventId).map((d) => [d.eventId, (d as { action?: string }).action])).toStrictEqual([
      ['evt-dlq', 'record'],
      ['evt-health', 'record'],
    ]);
  });
});
