import { classify, parseEventText } from '../../../lambdas/events/classify';
import { InvalidEventError } from '../../../lambdas/events/errors';
import type { Message } from '../../../lambdas/events/message';
import { listEvents, loadEvent, readEventText } from '../../support/events';

const classifyFile = (file: string): Message => classify(parseEventText(readEventText(file)));

/** The fields that identify what a message asks for, without envelope bookkeeping. */
function essence(message: Message): Record<string, unknown> {
  const { eventId: _eventId, time: _time, region: _region, ...rest } = message as Message & { time?: string; region?: string };
  return message.kind === 'ignored' ? { kind: 'ignored' } : rest;
}

const SPOT_NODE = 'i-0abcd1234ef567890';

describe('classify: recorded events of every kind', () => {
  it.each<[string, Record<string, unknown>]>([
    ['aws.ec2/spot-interruption/terminate.json', { kind: 'spot-interruption', instanceIds: [SPOT_NODE], action: 'terminate' }],
    ['aws.ec2/spot-interruption/stop.json', { kind: 'spot-interruption', instanceIds: ['i-0a1b2c3d4e5f60718'], action: 'stop' }],
    ['aws.ec2/spot-interruption/hibernate.json', { kind: 'spot-interruption', instanceIds: ['i-0f9e8d7c6b5a40312'], action: 'hibernate' }],
    ['aws.ec2/spot-interruption/real-world-arn.json', { kind: 'spot-interruption', instanceIds: ['i-07c3e5a9b1d2f4608'], action: 'terminate' }],
    ['aws.ec2/spot-interruption/offset-time.json', { kind: 'spot-interruption', instanceIds: ['i-0d4f6a8c0e2b47391'], action: 'terminate' }],
    [
      'aws.ec2/capacity-reservation-interruption/interruptible-reservation.json',
      { kind: 'capacity-reservation-interruption', instanceIds: ['i-0f2a4c6e8b1d3f570'], action: 'terminate', terminationTime: '2026-11-21T09:32:40Z' },
    ],
    [
      'aws.ec2/capacity-reservation-interruption/capacity-block.json',
      { kind: 'capacity-reservation-interruption', instanceIds: ['i-0b3d5f7a9c1e20468'], action: 'terminate', terminationTime: '2026-11-22T11:22:00Z' },
    ],
    ['aws.ec2/rebalance-recommendation/documented.json', { kind: 'rebalance-recommendation', instanceIds: [SPOT_NODE] }],
    ['aws.ec2/rebalance-recommendation/real-world-arn.json', { kind: 'rebalance-recommendation', instanceIds: ['i-07c3e5a9b1d2f4608'] }],
    ['aws.ec2/instance-state-change/stopping.json', { kind: 'instance-state-change', instanceIds: ['i-0a1b2c3d4e5f60718'], state: 'stopping' }],
    ['aws.ec2/instance-state-change/stopping-with-version.json', { kind: 'instance-state-change', instanceIds: ['i-0a1b2c3d4e5f60718'], state: 'stopping' }],
    ['aws.ec2/instance-state-change/stopped.json', { kind: 'instance-state-change', instanceIds: ['i-0a1b2c3d4e5f60718'], state: 'stopped' }],
    ['aws.ec2/instance-state-change/shutting-down.json', { kind: 'instance-state-change', instanceIds: [SPOT_NODE], state: 'shutting-down' }],
    ['aws.ec2/instance-state-change/terminated.json', { kind: 'instance-state-change', instanceIds: [SPOT_NODE], state: 'terminated' }],
    ['aws.ec2/instance-state-change/terminated-with-version.json', { kind: 'instance-state-change', instanceIds: [SPOT_NODE], state: 'terminated' }],
    ['aws.ec2/instance-state-change/pending.json', { kind: 'ignored' }],
    ['aws.ec2/instance-state-change/running.json', { kind: 'ignored' }],
    [
      'aws.health/scheduled-change/ec2-instance-ids.json',
      { kind: 'scheduled-change', instanceIds: ['i-0c2e4a6b8d0f13579', 'i-0d1f3b5c7e9a24680'], service: 'EC2', eventTypeCode: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED', notBefore: '2027-06-05T14:00:00.000Z' },
    ],
    [
      'aws.health/scheduled-change/ec2-instance-arns.json',
      { kind: 'scheduled-change', instanceIds: ['i-07c3e5a9b1d2f4608'], service: 'EC2', eventTypeCode: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED', notBefore: '2027-06-12T13:19:03.000Z' },
    ],
    ['aws.health/scheduled-change/ec2-backup-event.json', { kind: 'ignored' }],
    ['aws.health/scheduled-change/ec2-closed.json', { kind: 'ignored' }],
    ['aws.health/service-health/ec2-operational-issue.json', { kind: 'service-health', instanceIds: [], service: 'EC2', eventTypeCode: 'AWS_EC2_OPERATIONAL_ISSUE', statusCode: 'open' }],
    ['aws.health/service-health/eks-operational-issue.json', { kind: 'service-health', instanceIds: [], service: 'EKS', eventTypeCode: 'AWS_EKS_OPERATIONAL_ISSUE', statusCode: 'open' }],
    ['aws.health/service-health/eks-issue-closed.json', { kind: 'service-health', instanceIds: [], service: 'EKS', eventTypeCode: 'AWS_EKS_OPERATIONAL_ISSUE', statusCode: 'closed' }],
    ['aws.health/service-health/eks-operational-issue-backup.json', { kind: 'ignored' }],
    [
      'aws.autoscaling/terminate-lifecycle/eventbridge.json',
      {
        kind: 'asg-terminate-lifecycle',
        instanceIds: ['i-0e8a6c4b2d0f97531'],
        autoScalingGroupName: 'eks-gpu-spot-2ec9a7b1-4d3f-8e60-5a1c-7b9d2f4e6a08',
        lifecycleHookName: 'spot-on-flush-before-terminate',
        lifecycleActionToken: expect.any(String),
      },
    ],
    [
      'aws.autoscaling/terminate-lifecycle/sqs-direct.json',
      {
        kind: 'asg-terminate-lifecycle',
        instanceIds: ['i-0e8a6c4b2d0f97531'],
        autoScalingGroupName: 'eks-gpu-spot-2ec9a7b1-4d3f-8e60-5a1c-7b9d2f4e6a08',
        lifecycleHookName: 'spot-on-flush-before-terminate',
        lifecycleActionToken: '0618d8b4-611d-40d0-af5b-829a5f23b2d0',
      },
    ],
    [
      'aws.autoscaling/terminate-lifecycle/sns-envelope.json',
      {
        kind: 'asg-terminate-lifecycle',
        instanceIds: ['i-05b7d9f1a3c2e4680'],
        autoScalingGroupName: 'eks-gpu-spot-2ec9a7b1-4d3f-8e60-5a1c-7b9d2f4e6a08',
        lifecycleHookName: 'spot-on-flush-before-terminate',
        lifecycleActionToken: 'c7e3a915-6b2d-4f80-a4c1-93d5e7f20b68',
      },
    ],
    ['aws.autoscaling/terminate-lifecycle/test-notification.json', { kind: 'ignored' }],
    ['aws.autoscaling/terminate-lifecycle/eventbridge-test-notification.json', { kind: 'ignored' }],
    ['aws.cloudwatch/alarm-state-change/metric-alarm-alarm.json', { kind: 'alarm-state-change', instanceIds: [], alarmName: 'spot-on-eks-node-not-ready', state: 'ALARM', previousState: 'OK' }],
    ['aws.cloudwatch/alarm-state-change/metric-alarm-ok.json', { kind: 'alarm-state-change', instanceIds: [], alarmName: 'spot-on-eks-node-not-ready', state: 'OK', previousState: 'ALARM' }],
    ['aws.cloudwatch/alarm-state-change/metric-alarm-insufficient-data.json', { kind: 'alarm-state-change', instanceIds: [], alarmName: 'spot-on-eks-node-not-ready', state: 'INSUFFICIENT_DATA', previousState: 'OK' }],
    ['aws.cloudwatch/alarm-state-change/composite-alarm-alarm.json', { kind: 'alarm-state-change', instanceIds: [], alarmName: 'aws-training-unhealthy', state: 'ALARM', previousState: 'OK' }],
    ['aws.cloudwatch/alarm-state-change/composite-alarm-ok.json', { kind: 'alarm-state-change', instanceIds: [], alarmName: 'aws-training-unhealthy', state: 'OK', previousState: 'ALARM' }],
    ['sqs/record-spot-interruption.json', { kind: 'spot-interruption', instanceIds: [SPOT_NODE], action: 'terminate' }],
  ])('%s', (file, expected) => {
    expect(essence(classifyFile(file))).toStrictEqual(expected);
  });

  it('copies the envelope id, time and region', () => {
    expect(classifyFile('aws.ec2/spot-interruption/real-world-arn.json')).toStrictEqual({
      kind: 'spot-interruption',
      eventId: '01865b6c-7d51-4602-a61e-714a5f7d9e13',
      time: '2026-11-19T03:48:55Z',
      region: 'us-west-2',
      instanceIds: ['i-07c3e5a9b1d2f4608'],
      action: 'terminate',
    });
  });

  it('normalises an event time written with an offset to UTC', () => {
    expect(classifyFile('aws.ec2/spot-interruption/offset-time.json')).toStrictEqual({
      kind: 'spot-interruption',
      eventId: 'c2d94f17-6a3e-4b85-b0c9-8e1f5a7d2436',
      time: '2026-12-04T02:00:00Z',
      region: 'us-west-2',
      instanceIds: ['i-0d4f6a8c0e2b47391'],
      action: 'terminate',
    });
  });

  it('unwraps a hook notification from its SNS envelope, taking the region from the topic and the id from the request', () => {
    expect(classifyFile('aws.autoscaling/terminate-lifecycle/sns-envelope.json')).toStrictEqual({
      kind: 'asg-terminate-lifecycle',
      eventId: '9d2f6b84-3e1a-4c57-8f09-6a4b2c7e1d35',
      time: '2026-11-23T16:42:05.227Z',
      region: 'us-west-2',
      instanceIds: ['i-05b7d9f1a3c2e4680'],
      autoScalingGroupName: 'eks-gpu-spot-2ec9a7b1-4d3f-8e60-5a1c-7b9d2f4e6a08',
      lifecycleHookName: 'spot-on-flush-before-terminate',
      lifecycleActionToken: 'c7e3a915-6b2d-4f80-a4c1-93d5e7f20b68',
    });
  });

  it('takes the region of a direct Auto Scaling notification from its SQS record', () => {
    const notification = readEventText('aws.autoscaling/terminate-lifecycle/sqs-direct.json');
    const message = classify({ messageId: 'm-1', eventSource: 'aws:sqs', awsRegion: 'eu-west-1', body: notification });
    expect(message).toMatchObject({ kind: 'asg-terminate-lifecycle', region: 'eu-west-1', eventId: '0e646c4a-1c4e-4c07-987b-15f71f4a9645' });
  });

  it('normalises instance ARNs and drops duplicate ids', () => {
    const event = loadEvent<{ detail: { affectedEntities: unknown[] } }>('aws.health/scheduled-change/ec2-instance-ids.json');
    event.detail.affectedEntities = [
      { entityValue: 'arn:aws:ec2:us-west-2:123456789012:instance/i-0c2e4a6b8d0f13579' },
      { entityValue: 'i-0c2e4a6b8d0f13579' },
      { entityValue: 'vol-0123456789abcdef0' },
    ];
    expect(classify(event)).toMatchObject({ instanceIds: ['i-0c2e4a6b8d0f13579'] });
  });
});

describe('classify: ignored events say why', () => {
  it.each<[string, string]>([
    ['decoys/s3-object-created.json', 'no handler for aws.s3 "Object Created"'],
    ['decoys/ecs-task-state-change.json', 'no handler for aws.ecs "ECS Task State Change"'],
    ['decoys/ebs-snapshot-notification.json', 'no handler for aws.ec2 "EBS Snapshot Notification"'],
    ['decoys/custom-app-event.json', 'no handler for com.example.orders "Order Placed"'],
    ['decoys/health-rds-issue.json', 'AWS Health event for service RDS, which Spot-On does not follow'],
    ['aws.ec2/instance-state-change/running.json', 'instance state "running" does not take capacity away'],
    ['aws.autoscaling/terminate-lifecycle/test-notification.json', 'Auto Scaling test notification, sent once when a hook or notification is created'],
    ['aws.autoscaling/terminate-lifecycle/eventbridge-test-notification.json', 'Auto Scaling test notification, sent once when a hook or notification is created'],
    ['aws.health/scheduled-change/ec2-closed.json', 'AWS Health scheduled change AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED is closed: it is over or cancelled, nothing to do'],
    ['aws.health/service-health/eks-operational-issue-backup.json', 'AWS Health backup copy of an event about us-west-2; it is acted on in its own region'],
  ])('%s', (file, reason) => {
    expect(classifyFile(file)).toMatchObject({ kind: 'ignored', reason });
  });

  it('every decoy of another source or detail-type is ignored', () => {
    // decoys/alarm-other-team.json is a real alarm event, just not ours: the ingest rule never routes it, and
    // classify reports it as what it is (see the rules-corpus and decide tests).
    const decoys = listEvents().filter((file) => file.startsWith('decoys/') && file !== 'decoys/alarm-other-team.json');
    expect(decoys.length).toBeGreaterThanOrEqual(5);
    for (const file of decoys) expect(classifyFile(file).kind).toBe('ignored');
  });

  it('classifies any alarm, ours or not', () => {
    expect(essence(classifyFile('decoys/alarm-other-team.json'))).toStrictEqual({
      kind: 'alarm-state-change',
      instanceIds: [],
      alarmName: 'payments-latency-high',
      state: 'ALARM',
      previousState: 'OK',
    });
  });
});

describe('classify: malformed input throws InvalidEventError', () => {
  it.each<[string, RegExp]>([
    ['malformed/not-json.json', /^event is not JSON: /],
    ['malformed/empty.json', /^event is empty$/],
    ['malformed/oversize.json', /^event is \d+ bytes, over EventBridge's 262144-byte limit$/],
    ['malformed/missing-detail.json', /^malformed EventBridge event: detail: .*expected object/],
    ['malformed/missing-envelope-id.json', /^malformed EventBridge event: id: /],
    ['malformed/wrong-types.json', /^malformed EC2 Spot Instance Interruption Warning \S+ detail: instance-id: .*expected string, received number/],
    ['malformed/unknown-instance-action.json', /^malformed EC2 Spot Instance Interruption Warning \S+ detail: instance-action: .*"terminate"\|"stop"\|"hibernate"/],
    ['malformed/alarm-bad-state.json', /^malformed CloudWatch Alarm State Change \S+ detail: state\.value: /],
  ])('%s', (file, message) => {
    let thrown: unknown;
    try {
      classifyFile(file);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidEventError);
    expect((thrown as Error).name).toBe('InvalidEventError');
    expect((thrown as Error).message).toMatch(message);
  });

  it('carries the zod issues as cause', () => {
    const event = loadEvent('malformed/wrong-types.json');
    expect(() => classify(event)).toThrow(InvalidEventError);
    try {
      classify(event);
    } catch (error) {
      expect((error as Error).cause).toStrictEqual([
        expect.objectContaining({ code: 'invalid_type', path: ['instance-id'], expected: 'string' }),
      ]);
    }
  });

  it.each<[string, unknown, RegExp]>([
    ['null', null, /got null/],
    ['an array', [1], /got an array/],
    ['a number', 42, /got number/],
    ['an SQS record with a non-JSON body', { messageId: 'm', eventSource: 'aws:sqs', body: 'hello' }, /not JSON/],
    ['an SQS record wrapping an SQS record', { messageId: 'm', eventSource: 'aws:sqs', body: JSON.stringify({ messageId: 'n', body: '{}' }) }, /itself an SQS record/],
    ['an Auto Scaling notification without RequestId', { Service: 'AWS Auto Scaling', Time: '2026-11-18T18:05:33Z' }, /malformed Auto Scaling notification: RequestId/],
  ])('rejects %s', (_what, raw, message) => {
    expect(() => classify(raw)).toThrow(message);
    expect(() => classify(raw)).toThrow(InvalidEventError);
  });
});
