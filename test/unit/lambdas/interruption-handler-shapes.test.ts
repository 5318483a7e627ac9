/**
 * The interruption handler on the shapes peers handle: a capacity-reservation warning, a lifecycle hook in an
 * SNS envelope (the hook must be completed), and the bodies of a dead-letter dump redriven to the queue.
 */
import { classify } from '../../../lambdas/events/classify';
import { redriveBodies } from '../../../lambdas/events/sqs-envelope';
import { createInterruptionHandler } from '../../../lambdas/handlers/interruption-handler';
import { signalId } from '../../../lambdas/reflex/signal';
import { loadEvent, readEventText } from '../../support/events';
import { FakeDeadLetter, FakeFlusher, FakeHooks, FakeLifecycle, FakeLocator, FakeOutbox, NOW, pod, quietLogger, quietMetrics, sqsEvent, sqsRecord } from './helpers';

const RESERVED = 'i-0f2a4c6e8b1d3f570';
const HOOKED = 'i-05b7d9f1a3c2e4680';

function setup() {
  const locator = new FakeLocator({
    [RESERVED]: { nodeName: 'ip-10-0-3-3.us-west-2.compute.internal', trainers: [pod('trainer-r1', 'ip-10-0-3-3', '10.0.3.31')] },
    [HOOKED]: { nodeName: 'ip-10-0-4-4.us-west-2.compute.internal', trainers: [pod('trainer-h1', 'ip-10-0-4-4', '10.0.4.41')] },
  });
  const parts = { locator, flusher: new FakeFlusher(), outbox: new FakeOutbox(), lifecycle: new FakeLifecycle(), hooks: new FakeHooks(), deadLetter: new FakeDeadLetter() };
  const handler = createInterruptionHandler({
    ...parts,
    config: { runId: 'run-42', failoverAlarmName: 'aws-training-unhealthy' },
    classify,
    logger: quietLogger(),
    metrics: quietMetrics(),
    now: () => NOW,
  });
  return { handler, ...parts };
}

describe('interruption handler: shapes from peer projects', () => {
  it('flushes the trainer on an instance whose reserved capacity is reclaimed, by EC2\'s termination time, and reports the lost capacity', async () => {
    const t = setup();
    const file = 'aws.ec2/capacity-reservation-interruption/interruptible-reservation.json';
    const response = await t.handler(sqsEvent(sqsRecord('m-cr', readEventText(file))));
    const eventId = '3f9b2d71-8c4e-4a0f-b6d2-5e1a7c9f0b34';
    expect(response).toStrictEqual({ batchItemFailures: [] });
    expect(t.flusher.calls).toStrictEqual([
      { target: { name: 'trainer-r1', ip: '10.0.3.31' }, request: { version: 1, requestId: eventId, reason: 'spot-interruption', deadline: '2026-11-21T09:32:40Z', instanceId: RESERVED } },
    ]);
    expect(t.outbox.signals).toStrictEqual([
      {
        version: 1,
        id: signalId(eventId, 'capacity-lost'),
        type: 'capacity-lost',
        runId: 'run-42',
        issuedAt: NOW.toISOString(),
        source: { eventId, source: 'aws.ec2', detailType: 'EC2 Capacity Reservation Instance Interruption Warning', time: '2026-11-21T09:30:40Z' },
        instanceIds: [RESERVED],
      },
    ]);
    expect(t.lifecycle.details).toStrictEqual([
      {
        version: 1,
        eventId,
        kind: 'capacity-reservation-interruption',
        eventTime: '2026-11-21T09:30:40Z',
        region: 'us-west-2',
        action: 'flush',
        rationale: 'reserved capacity reclaimed: terminate at 2026-11-21T09:32:40Z; flush and report the lost capacity',
        signal: { id: signalId(eventId, 'capacity-lost'), type: 'capacity-lost' },
        instances: [{ instanceId: RESERVED, nodeName: 'ip-10-0-3-3.us-west-2.compute.internal', trainers: [{ pod: 'trainer-r1', outcome: 'flushed', status: 200 }] }],
      },
    ]);
  });

  it('completes a lifecycle hook that arrived in an SNS envelope once its trainer has flushed', async () => {
    const t = setup();
    const response = await t.handler(sqsEvent(sqsRecord('m-sns', readEventText('aws.autoscaling/terminate-lifecycle/sns-envelope.json'))));
    expect(response).toStrictEqual({ batchItemFailures: [] });
    expect(t.deadLetter.sent).toStrictEqual([]);
    expect(t.flusher.calls.map((call) => [call.target.name, call.request.reason, call.request.requestId])).toStrictEqual([['trainer-h1', 'asg-terminate-lifecycle', '9d2f6b84-3e1a-4c57-8f09-6a4b2c7e1d35']]);
    expect(t.hooks.completed).toStrictEqual([
      {
        autoScalingGroupName: 'eks-gpu-spot-2ec9a7b1-4d3f-8e60-5a1c-7b9d2f4e6a08',
        lifecycleHookName: 'spot-on-flush-before-terminate',
        lifecycleActionToken: 'c7e3a915-6b2d-4f80-a4c1-93d5e7f20b68',
        instanceId: HOOKED,
      },
    ]);
  });

  it('acts on the redriven bodies of a dead-letter dump that were dead-lettered as malformed before', async () => {
    const t = setup();
    const bodies = redriveBodies(loadEvent('sqs/dlq-receive-message.json')) ?? [];
    const response = await t.handler(sqsEvent(...bodies.map((body, index) => sqsRecord(`m-redrive-${index}`, body))));
    expect(response).toStrictEqual({ batchItemFailures: [] });
    expect(t.deadLetter.sent).toStrictEqual([]);
    // The SNS-wrapped hook is completed; the test notification in an EventBridge envelope is ignored.
    expect(t.hooks.completed.map((action) => action.instanceId)).toStrictEqual([HOOKED]);
    expect(t.lifecycle.details.map((detail) => detail.eventId)).toStrictEqual(['9d2f6b84-3e1a-4c57-8f09-6a4b2c7e1d35']);
  });
});
