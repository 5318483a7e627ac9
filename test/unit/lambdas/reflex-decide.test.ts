import type { Message, MessageKind } from '../../../lambdas/events/message';
import { decide, type ReflexDecision } from '../../../lambdas/reflex/decide';
import { flushRequestFor, msUntil } from '../../../lambdas/reflex/flush';
import { FlushRequestSchema, flushDeadline } from '../../../protocol/flush-request';

const config = { failoverAlarmName: 'aws-training-unhealthy' };
const base = { eventId: 'evt-1', time: '2026-03-01T12:00:00Z', region: 'us-west-2', instanceIds: ['i-0a00000000000000a'] };
const DEADLINE = '2026-03-01T12:02:00.000Z';

const flush = (reason: string, signalType: 'capacity-lost' | undefined) => ({
  action: 'flush',
  instanceIds: ['i-0a00000000000000a'],
  reason,
  deadline: DEADLINE,
  signalType,
  rationale: expect.any(String),
});

const cases: [name: string, message: Message, expected: ReflexDecision | Record<string, unknown>][] = [
  ['spot interruption', { ...base, kind: 'spot-interruption', action: 'terminate' }, flush('spot-interruption', 'capacity-lost')],
  ['spot stop', { ...base, kind: 'spot-interruption', action: 'stop' }, flush('spot-interruption', 'capacity-lost')],
  [
    'capacity reservation interruption: a Spot warning by another name, flushed by its stated termination time',
    { ...base, kind: 'capacity-reservation-interruption', action: 'terminate', terminationTime: '2026-03-01T12:01:30Z' },
    {
      action: 'flush',
      instanceIds: ['i-0a00000000000000a'],
      reason: 'spot-interruption',
      deadline: '2026-03-01T12:01:30Z',
      signalType: 'capacity-lost',
      rationale: 'reserved capacity reclaimed: terminate at 2026-03-01T12:01:30Z; flush and report the lost capacity',
    },
  ],
  [
    'capacity reservation interruption without a termination time: the two-minute notice',
    { ...base, kind: 'capacity-reservation-interruption', action: 'terminate' },
    {
      action: 'flush',
      instanceIds: ['i-0a00000000000000a'],
      reason: 'spot-interruption',
      deadline: DEADLINE,
      signalType: 'capacity-lost',
      rationale: 'reserved capacity reclaimed: terminate in two minutes; flush and report the lost capacity',
    },
  ],
  ['instance state change', { ...base, kind: 'instance-state-change', state: 'shutting-down' }, flush('instance-state-change', 'capacity-lost')],
  [
    'ASG terminate lifecycle',
    { ...base, kind: 'asg-terminate-lifecycle', autoScalingGroupName: 'eks-gpu', lifecycleHookName: 'drain', lifecycleActionToken: 't' },
    flush('asg-terminate-lifecycle', 'capacity-lost'),
  ],
  [
    'scheduled change',
    { ...base, kind: 'scheduled-change', service: 'EC2', eventTypeCode: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED', notBefore: '2026-03-05T00:00:00.000Z' },
    {
      action: 'record',
      rationale:
        'AWS scheduled AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED from 2026-03-05T00:00:00.000Z: recorded; the node is drained before the window and its trainers flush on SIGTERM',
    },
  ],
  ['rebalance recommendation: proactive flush, no signal', { ...base, kind: 'rebalance-recommendation' }, flush('rebalance-recommendation', undefined)],
  [
    'instance kind naming no instance',
    { ...base, instanceIds: [], kind: 'spot-interruption', action: 'terminate' },
    { action: 'record', rationale: 'spot-interruption names no instance: nothing to flush' },
  ],
  [
    'failover alarm ALARM',
    { ...base, instanceIds: [], kind: 'alarm-state-change', alarmName: 'aws-training-unhealthy', state: 'ALARM' },
    { action: 'signal', signalType: 'aws-unhealthy', alarmName: 'aws-training-unhealthy', rationale: 'failover alarm in ALARM' },
  ],
  [
    'failover alarm OK',
    { ...base, instanceIds: [], kind: 'alarm-state-change', alarmName: 'aws-training-unhealthy', state: 'OK', previousState: 'ALARM' },
    { action: 'signal', signalType: 'aws-recovered', alarmName: 'aws-training-unhealthy', rationale: 'failover alarm back to OK' },
  ],
  [
    'failover alarm INSUFFICIENT_DATA',
    { ...base, instanceIds: [], kind: 'alarm-state-change', alarmName: 'aws-training-unhealthy', state: 'INSUFFICIENT_DATA' },
    { action: 'ignore', rationale: 'failover alarm has insufficient data: no evidence either way' },
  ],
  [
    'another alarm',
    { ...base, instanceIds: [], kind: 'alarm-state-change', alarmName: 'spot-on-dlq-depth', state: 'ALARM' },
    { action: 'record', rationale: 'alarm spot-on-dlq-depth is ALARM; only aws-training-unhealthy drives failover' },
  ],
  [
    "another team's alarm",
    { ...base, instanceIds: [], kind: 'alarm-state-change', alarmName: 'payments-latency-high', state: 'ALARM' },
    { action: 'ignore', rationale: 'alarm payments-latency-high is not a Spot-On alarm' },
  ],
  [
    'service health issue',
    { ...base, instanceIds: [], kind: 'service-health', service: 'EKS', eventTypeCode: 'AWS_EKS_OPERATIONAL_ISSUE', statusCode: 'open' },
    {
      action: 'record',
      rationale: 'AWS Health EKS AWS_EKS_OPERATIONAL_ISSUE is open: recorded; failover follows aws-training-unhealthy',
    },
  ],
  ['ignored', { kind: 'ignored', reason: 'no handler for aws.ec2 "X"', eventId: 'evt-1' }, { action: 'ignore', rationale: 'no handler for aws.ec2 "X"' }],
];

describe('decide', () => {
  it.each(cases)('%s', (_name, message, expected) => {
    expect(decide(message, config)).toStrictEqual(expected);
  });

  it('covers every message kind', () => {
    // A record over MessageKind: the typecheck fails when a kind is added to Message and not listed here.
    const every: Record<MessageKind, true> = {
      'spot-interruption': true,
      'capacity-reservation-interruption': true,
      'rebalance-recommendation': true,
      'instance-state-change': true,
      'scheduled-change': true,
      'asg-terminate-lifecycle': true,
      'alarm-state-change': true,
      'service-health': true,
      ignored: true,
    };
    expect(new Set(cases.map(([, message]) => message.kind))).toStrictEqual(new Set(Object.keys(every)));
  });
});

describe('flush requests', () => {
  it('sets the deadline 120 s after the event', () => {
    expect(flushDeadline('2026-03-01T12:00:00Z')).toBe(DEADLINE);
    expect(flushDeadline('2026-03-01T13:59:00+02:00')).toBe('2026-03-01T12:01:00.000Z');
    expect(() => flushDeadline('yesterday')).toThrow(new RangeError('event time is not a date: "yesterday"'));
  });

  it('builds a schema-valid request keyed by the event id', () => {
    const decision = decide({ ...base, kind: 'spot-interruption', action: 'terminate' }, config);
    if (decision.action !== 'flush') throw new Error('expected a flush decision');
    const request = flushRequestFor(decision, 'evt-1', 'i-0a00000000000000a');
    expect(request).toStrictEqual({ version: 1, requestId: 'evt-1', reason: 'spot-interruption', deadline: DEADLINE, instanceId: 'i-0a00000000000000a' });
    expect(FlushRequestSchema.parse(request)).toStrictEqual(request);
    expect(msUntil(DEADLINE, Date.parse('2026-03-01T12:01:59Z'))).toBe(1000);
  });
});
