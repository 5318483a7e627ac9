import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ALARM_NAME_PREFIX } from '../../lambdas/events/rules';

export interface HardenedQueueProps {
  /** How long the consumer Lambda may run; the visibility timeout is six times this (AWS guidance). */
  readonly consumerTimeout: Duration;
  /** Name of the alarm on the dead-letter queue's depth; must start with `spot-on-`. */
  readonly deadLetterAlarmName: string;
  /** @default Duration.days(4) */
  readonly retentionPeriod?: Duration;
  /** @default Duration.days(14) */
  readonly deadLetterRetentionPeriod?: Duration;
  /** Receives before a message is moved to the dead-letter queue (3-5). @default 3 */
  readonly maxReceiveCount?: number;
  /** Dead-letter messages that raise the alarm. @default 1 */
  readonly deadLetterAlarmThreshold?: number;
  /** Alarm evaluation period. @default Duration.minutes(1) */
  readonly alarmPeriod?: Duration;
}

/**
 * An SQS queue with the hygiene every Spot-On queue shares: SQS-managed SSE and TLS-only access on both the queue
 * and its dead-letter queue, a redrive policy, a visibility timeout of six consumer timeouts, and an alarm on the
 * dead-letter queue's depth.
 */
export class HardenedQueue extends Construct {
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly deadLetterAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: HardenedQueueProps) {
    super(scope, id);
    const maxReceiveCount = props.maxReceiveCount ?? 3;
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 3 || maxReceiveCount > 5) {
      throw new Error(`${this.node.path}: maxReceiveCount must be an integer from 3 to 5, got ${maxReceiveCount}`);
    }
    if (!props.deadLetterAlarmName.startsWith(ALARM_NAME_PREFIX)) {
      throw new Error(`${this.node.path}: deadLetterAlarmName must start with "${ALARM_NAME_PREFIX}"`);
    }
    const visibilityTimeout = Duration.seconds(props.consumerTimeout.toSeconds() * 6);
    if (visibilityTimeout.toSeconds() > 43_200) {
      throw new Error(`${this.node.path}: consumerTimeout x 6 exceeds the 12-hour SQS visibility limit`);
    }

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.deadLetterRetentionPeriod ?? Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.retentionPeriod ?? Duration.days(4),
      visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });
    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterDepthAlarm', {
      alarmName: props.deadLetterAlarmName,
      alarmDescription: 'Messages are waiting in a Spot-On dead-letter queue: inspect and redrive them.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: props.alarmPeriod ?? Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: props.deadLetterAlarmThreshold ?? 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
