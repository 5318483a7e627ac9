import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeCheckov } from './checkov';
import { ALARM_NAME_PREFIX } from '../../lambdas/events/rules';
import {
  SQS_MAX_RECEIVE_COUNT,
  SQS_MAX_VISIBILITY_SECONDS,
  minimumRetentionSeconds,
  receivesToSurvive,
  redriveWindowSeconds,
  visibilityTimeoutSeconds,
} from './retry-budget';

export interface HardenedQueueProps {
  /** How long the consumer Lambda may run; the visibility timeout is six times this (AWS guidance). */
  readonly consumerTimeout: Duration;
  /** Name of the alarm on the dead-letter queue's depth; must start with `spot-on-`. */
  readonly deadLetterAlarmName: string;
  /** Must be at least twice the redrive window (maxReceiveCount x visibility timeout). @default Duration.days(4) */
  readonly retentionPeriod?: Duration;
  /**
   * Not shorter than `retentionPeriod`: a standard queue keeps a message's first enqueue time when it is
   * dead-lettered, so a shorter DLQ retention would expire it on arrival. @default Duration.days(14)
   */
  readonly deadLetterRetentionPeriod?: Duration;
  /**
   * Receives before a message is moved to the dead-letter queue (3-1000). Exclusive with `outageTolerance`.
   * @default 3, or derived from `outageTolerance`
   */
  readonly maxReceiveCount?: number;
  /**
   * How long a message must survive a consumer that fails every delivery (e.g. its downstream is unreachable)
   * before it is dead-lettered: maxReceiveCount becomes ceil(tolerance / visibility timeout) + 2.
   * Exclusive with `maxReceiveCount`. @default none (maxReceiveCount applies)
   */
  readonly outageTolerance?: Duration;
  /** Dead-letter messages that raise the alarm. @default 1 */
  readonly deadLetterAlarmThreshold?: number;
  /** Alarm evaluation period. @default Duration.minutes(1) */
  readonly alarmPeriod?: Duration;
}

/**
 * An SQS queue with the hygiene every Spot-On queue shares: SQS-managed SSE and TLS-only access on both the queue
 * and its dead-letter queue, a redrive policy (a fixed receive count, or one derived from an outage tolerance),
 * a visibility timeout of six consumer timeouts, retention well above the redrive window, and an alarm on the
 * dead-letter queue's depth.
 */
export class HardenedQueue extends Construct {
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  /** The redrive policy's receive count, as given or derived. */
  public readonly maxReceiveCount: number;
  public readonly visibilityTimeout: Duration;

  constructor(scope: Construct, id: string, props: HardenedQueueProps) {
    super(scope, id);
    const fail = (message: string): never => {
      throw new Error(`${this.node.path}: ${message}`);
    };
    if (!props.deadLetterAlarmName.startsWith(ALARM_NAME_PREFIX)) fail(`deadLetterAlarmName must start with "${ALARM_NAME_PREFIX}"`);
    const visibility = visibilityTimeoutSeconds(props.consumerTimeout.toSeconds());
    if (visibility > SQS_MAX_VISIBILITY_SECONDS) fail('consumerTimeout x 6 exceeds the 12-hour SQS visibility limit');
    if (props.maxReceiveCount !== undefined && props.outageTolerance !== undefined) {
      fail('give maxReceiveCount or outageTolerance, not both');
    }
    const maxReceiveCount =
      props.outageTolerance === undefined
        ? (props.maxReceiveCount ?? 3)
        : receivesToSurvive(props.outageTolerance.toSeconds(), visibility);
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 3 || maxReceiveCount > SQS_MAX_RECEIVE_COUNT) {
      fail(`maxReceiveCount must be an integer from 3 to ${SQS_MAX_RECEIVE_COUNT}, got ${maxReceiveCount}`);
    }
    const retention = props.retentionPeriod ?? Duration.days(4);
    const deadLetterRetention = props.deadLetterRetentionPeriod ?? Duration.days(14);
    const minimumRetention = minimumRetentionSeconds(maxReceiveCount, visibility);
    if (retention.toSeconds() < minimumRetention) {
      fail(
        `retentionPeriod (${retention.toSeconds()} s) must be at least twice the redrive window ` +
          `(${maxReceiveCount} receives x ${visibility} s = ${redriveWindowSeconds(maxReceiveCount, visibility)} s)`,
      );
    }
    if (deadLetterRetention.toSeconds() < retention.toSeconds()) fail('deadLetterRetentionPeriod must not be shorter than retentionPeriod');
    this.maxReceiveCount = maxReceiveCount;
    this.visibilityTimeout = Duration.seconds(visibility);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: deadLetterRetention,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: retention,
      visibilityTimeout: this.visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });
    for (const queue of [this.queue, this.deadLetterQueue]) {
      acknowledgeCheckov(queue, {
        id: 'CKV_AWS_27',
        reason:
          'Encrypted at rest with SQS-managed keys (SqsManagedSseEnabled), which the CloudFormation check does not ' +
          'recognize; a customer KMS key would need a key policy admitting EventBridge and every producer.',
      });
    }
    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterDepthAlarm', {
      alarmName: props.deadLetterAlarmName,
      alarmDescription: 'Messages are waiting in a Spot-On dead-letter queue: inspect and redrive them (cdk/README.md).',
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
