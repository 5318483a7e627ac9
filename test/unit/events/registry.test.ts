/**
 * Each event's identity lives in its module: the ingest rules and the signals' source blocks are derived from
 * the modules, and the derivation reproduces what was written out by hand before (plus the new warning).
 */
import { classify, parseEventText } from '../../../lambdas/events/classify';
import { EVENT_MODULES, EVENT_ORIGINS, lookupEventModule, originsByKind } from '../../../lambdas/events/registry';
import { ALARM_NAME_PREFIX, FAILOVER_ALARM_NAME, INGEST_RULES, ingestPattern } from '../../../lambdas/events/rules';
import { listEvents, readEventText } from '../../support/events';

describe('INGEST_RULES', () => {
  it('is one pattern per event module, equal to the rules the stack deployed before, plus the capacity-reservation warning', () => {
    expect(INGEST_RULES).toStrictEqual({
      spotInterruption: { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] },
      capacityReservationInterruption: { source: ['aws.ec2'], 'detail-type': ['EC2 Capacity Reservation Instance Interruption Warning'] },
      rebalanceRecommendation: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance Rebalance Recommendation'] },
      instanceStateChange: {
        source: ['aws.ec2'],
        'detail-type': ['EC2 Instance State-change Notification'],
        detail: { state: ['stopping', 'stopped', 'shutting-down', 'terminated'] },
      },
      health: { source: ['aws.health'], 'detail-type': ['AWS Health Event'], detail: { service: ['EC2', 'EKS'] } },
      asgTerminateLifecycle: { source: ['aws.autoscaling'], 'detail-type': ['EC2 Instance-terminate Lifecycle Action'] },
      alarmStateChange: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        detail: { alarmName: [FAILOVER_ALARM_NAME, { prefix: ALARM_NAME_PREFIX }] },
      },
    });
  });

  it('takes every source, detail-type and detail filter from the modules', () => {
    expect(Object.keys(INGEST_RULES)).toStrictEqual(EVENT_MODULES.map((module) => module.ingestRule));
    for (const module of EVENT_MODULES) {
      expect(INGEST_RULES[module.ingestRule]).toStrictEqual(ingestPattern(module));
    }
  });

  it('writes a filterless pattern without a detail key', () => {
    expect(ingestPattern({ source: 'aws.ec2', detailType: 'X' })).toStrictEqual({ source: ['aws.ec2'], 'detail-type': ['X'] });
  });
});

describe('EVENT_ORIGINS', () => {
  it('gives each acted-on kind the source and detail-type of the module that produces it', () => {
    expect(EVENT_ORIGINS).toStrictEqual({
      'spot-interruption': { source: 'aws.ec2', detailType: 'EC2 Spot Instance Interruption Warning' },
      'capacity-reservation-interruption': { source: 'aws.ec2', detailType: 'EC2 Capacity Reservation Instance Interruption Warning' },
      'rebalance-recommendation': { source: 'aws.ec2', detailType: 'EC2 Instance Rebalance Recommendation' },
      'instance-state-change': { source: 'aws.ec2', detailType: 'EC2 Instance State-change Notification' },
      'scheduled-change': { source: 'aws.health', detailType: 'AWS Health Event' },
      'service-health': { source: 'aws.health', detailType: 'AWS Health Event' },
      'asg-terminate-lifecycle': { source: 'aws.autoscaling', detailType: 'EC2 Instance-terminate Lifecycle Action' },
      'alarm-state-change': { source: 'aws.cloudwatch', detailType: 'CloudWatch Alarm State Change' },
    });
  });

  it('refuses two modules claiming one kind', () => {
    const [first] = EVENT_MODULES;
    expect(() => originsByKind([first, { ...first, detailType: 'Another' }])).toThrow(new Error('message kind spot-interruption comes from two event modules'));
  });

  it('matches what the modules really produce: every recorded event classifies to a kind its module declares', () => {
    const produced = new Set<string>();
    for (const file of listEvents().filter((f) => f.startsWith('aws.'))) {
      const raw = parseEventText(readEventText(file)) as { source?: string; 'detail-type'?: string };
      const message = classify(raw);
      if (message.kind === 'ignored' || raw.source === undefined || raw['detail-type'] === undefined) continue;
      expect([file, lookupEventModule(raw.source, raw['detail-type'])?.kinds.includes(message.kind)]).toStrictEqual([file, true]);
      produced.add(message.kind);
    }
    expect([...produced].sort()).toStrictEqual(Object.keys(EVENT_ORIGINS).sort());
  });
});
