import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HardenedQueue, type HardenedQueueProps } from './hardened-queue';

/** HardenedQueue's settings with the alarm name defaulted; the receive count always follows `outageTolerance`. */
export interface SignalOutboxProps extends Omit<HardenedQueueProps, 'deadLetterAlarmName' | 'maxReceiveCount' | 'outageTolerance'> {
  /** Name of the dead-letter depth alarm (must start with `spot-on-`). @default spot-on-signal-outbox-dlq-depth */
  readonly deadLetterAlarmName?: string;
  /**
   * How long a signal must survive an unreachable brain (VPN down, Azure Function App down) before it is
   * dead-lettered; the redrive policy's maxReceiveCount is derived from it and the visibility timeout.
   * @default Duration.minutes(60)
   */
  readonly outageTolerance?: Duration;
}

/**
 * The outbox between the interruption Lambda (producer) and the signal Lambda (sender to Azure): signals survive
 * an unreachable Azure endpoint for `outageTolerance` and are retried every visibility timeout, then dead-lettered
 * with an alarm (redrive them with `aws sqs start-message-move-task`, see cdk/README.md).
 */
export class SignalOutbox extends Construct {
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  /** Derived from the outage tolerance. */
  public readonly maxReceiveCount: number;

  constructor(scope: Construct, id: string, props: SignalOutboxProps) {
    super(scope, id);
    const hardened = new HardenedQueue(this, 'Outbox', {
      consumerTimeout: props.consumerTimeout,
      deadLetterAlarmName: props.deadLetterAlarmName ?? 'spot-on-signal-outbox-dlq-depth',
      retentionPeriod: props.retentionPeriod,
      deadLetterRetentionPeriod: props.deadLetterRetentionPeriod,
      outageTolerance: props.outageTolerance ?? Duration.minutes(60),
      deadLetterAlarmThreshold: props.deadLetterAlarmThreshold,
      alarmPeriod: props.alarmPeriod,
    });
    this.queue = hardened.queue;
    this.deadLetterQueue = hardened.deadLetterQueue;
    this.deadLetterAlarm = hardened.deadLetterAlarm;
    this.maxReceiveCount = hardened.maxReceiveCount;
  }
}
