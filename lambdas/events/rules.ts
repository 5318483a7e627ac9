/**
 * EventBridge rule patterns, defined once: the CDK InterruptionIngest construct deploys exactly these, and the
 * local EventBridge bus routes with them, so what is tested locally is what runs in AWS.
 */

/** An EventBridge event pattern (content filter), as JSON. */
export type EventPattern = { readonly [field: string]: unknown };

/** Name of the composite alarm whose ALARM/OK states mean "fail over" / "fail back". */
export const FAILOVER_ALARM_NAME = 'aws-training-unhealthy';
/** Every other Spot-On alarm is named with this prefix so that one rule catches them all. */
export const ALARM_NAME_PREFIX = 'spot-on-';

/** States that mean an instance is going away; `pending` and `running` are not routed at all. */
export const INSTANCE_DOWN_STATES = ['stopping', 'stopped', 'shutting-down', 'terminated'] as const;

export const INGEST_RULES = {
  spotInterruption: {
    source: ['aws.ec2'],
    'detail-type': ['EC2 Spot Instance Interruption Warning'],
  },
  rebalanceRecommendation: {
    source: ['aws.ec2'],
    'detail-type': ['EC2 Instance Rebalance Recommendation'],
  },
  instanceStateChange: {
    source: ['aws.ec2'],
    'detail-type': ['EC2 Instance State-change Notification'],
    detail: { state: [...INSTANCE_DOWN_STATES] },
  },
  health: {
    source: ['aws.health'],
    'detail-type': ['AWS Health Event'],
    detail: { service: ['EC2', 'EKS'] },
  },
  asgTerminateLifecycle: {
    source: ['aws.autoscaling'],
    'detail-type': ['EC2 Instance-terminate Lifecycle Action'],
  },
  alarmStateChange: {
    source: ['aws.cloudwatch'],
    'detail-type': ['CloudWatch Alarm State Change'],
    detail: { alarmName: [FAILOVER_ALARM_NAME, { prefix: ALARM_NAME_PREFIX }] },
  },
} as const satisfies Record<string, EventPattern>;

export type IngestRuleName = keyof typeof INGEST_RULES;
