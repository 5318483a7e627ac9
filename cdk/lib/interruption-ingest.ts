import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INGEST_RULES, type EventPattern } from '../../lambdas/events/rules';
import { HardenedQueue, type HardenedQueueProps } from './hardened-queue';

/** Top-level event pattern fields EventBridge knows, mapped to the CDK `EventPattern` property names. */
const PATTERN_FIELDS: Readonly<Record<string, keyof events.EventPattern>> = {
  version: 'version',
  id: 'id',
  'detail-type': 'detailType',
  source: 'source',
  account: 'account',
  time: 'time',
  region: 'region',
  resources: 'resources',
  detail: 'detail',
};

/** Converts a raw EventBridge pattern (as JSON) to the CDK shape; the template renders it back unchanged. */
export function toCdkEventPattern(pattern: EventPattern): events.EventPattern {
  const converted: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(pattern)) {
    const cdkField = PATTERN_FIELDS[field];
    if (!cdkField) throw new Error(`unsupported top-level event pattern field "${field}"`);
    converted[cdkField] = value;
  }
  return converted as events.EventPattern;
}

/** Description of the rule deploying INGEST_RULES[key]; tests and operators map rules back to keys with it. */
export const ingestRuleDescription = (key: string): string => `Spot-On ingest rule "${key}" -> interruption queue`;

/** HardenedQueue's settings (consumer timeout, retention, redrive count, alarm), with the alarm name defaulted. */
export interface InterruptionIngestProps extends Omit<HardenedQueueProps, 'deadLetterAlarmName' | 'outageTolerance'> {
  /** Name of the dead-letter depth alarm (must start with `spot-on-`). @default spot-on-interruption-dlq-depth */
  readonly deadLetterAlarmName?: string;
  /** The rule patterns, one EventBridge rule each. @default INGEST_RULES */
  readonly rules?: Readonly<Record<string, EventPattern>>;
  /** Bus the AWS service events arrive on. @default the account's default bus */
  readonly eventBus?: events.IEventBus;
}

/**
 * EventBridge rules for every AWS event Spot-On reacts to (Spot warnings, rebalance, state changes, Health,
 * ASG lifecycle, our alarms), each delivering to one encrypted SQS interruption queue with a dead-letter queue.
 * EventBridge delivery failures land in the same dead-letter queue.
 */
export class InterruptionIngest extends Construct {
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  /** The deployed rules, keyed like `INGEST_RULES`. */
  public readonly rules: Readonly<Record<string, events.Rule>>;

  constructor(scope: Construct, id: string, props: InterruptionIngestProps) {
    super(scope, id);
    const patterns = props.rules ?? INGEST_RULES;
    const converted = Object.entries(patterns).map(([key, pattern]) => {
      if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key)) throw new Error(`${this.node.path}: rule key "${key}" must be alphanumeric`);
      try {
        return [key, toCdkEventPattern(pattern)] as const;
      } catch (error) {
        throw new Error(`${this.node.path}: rule "${key}": ${(error as Error).message}`, { cause: error });
      }
    });
    if (converted.length === 0) throw new Error(`${this.node.path}: at least one rule pattern is required`);

    const hardened = new HardenedQueue(this, 'Interruption', {
      consumerTimeout: props.consumerTimeout,
      deadLetterAlarmName: props.deadLetterAlarmName ?? 'spot-on-interruption-dlq-depth',
      retentionPeriod: props.retentionPeriod,
      deadLetterRetentionPeriod: props.deadLetterRetentionPeriod,
      maxReceiveCount: props.maxReceiveCount,
      deadLetterAlarmThreshold: props.deadLetterAlarmThreshold,
      alarmPeriod: props.alarmPeriod,
    });
    this.queue = hardened.queue;
    this.deadLetterQueue = hardened.deadLetterQueue;
    this.deadLetterAlarm = hardened.deadLetterAlarm;

    const rules: Record<string, events.Rule> = {};
    for (const [key, eventPattern] of converted) {
      rules[key] = new events.Rule(this, `Rule-${key}`, {
        description: ingestRuleDescription(key),
        eventBus: props.eventBus,
        eventPattern,
        targets: [
          new targets.SqsQueue(this.queue, {
            deadLetterQueue: this.deadLetterQueue,
            retryAttempts: 185,
            maxEventAge: Duration.hours(24),
          }),
        ],
      });
    }
    this.rules = rules;
  }
}
