import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HardenedQueue, type HardenedQueueProps } from './hardened-queue';

/** HardenedQueue's settings (consumer timeout, retention, redrive, alarm), with the alarm name defaulted. */
export interface SignalOutboxProps extends Omit<HardenedQueueProps, 'deadLetterAlarmName'> {
  /** Name of the dead-letter depth alarm (must start with `spot-on-`). @default spot-on-signal-outbox-dlq-depth */
  readonly deadLetterAlarmName?: string;
}

/**
 * The outbox between the interruption Lambda (producer) and the signal Lambda (sender to Azure): signals survive
 * an unreachable Azure endpoint and are retried, then dead-lettered with an alarm.
 */
export class SignalOutbox extends Construct {
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly deadLetterAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: SignalOutboxProps) {
    super(scope, id);
    const hardened = new HardenedQueue(this, 'Outbox', {
      consumerTimeout: props.consumerTimeout,
      deadLetterAlarmName: props.deadLetterAlarmName ?? 'spot-on-signal-outbox-dlq-depth',
      retentionPeriod: props.retentionPeriod,
      deadLetterRetentionPeriod: props.deadLetterRetentionPeriod,
      maxReceiveCount: props.maxReceiveCount,
      deadLetterAlarmThreshold: props.deadLetterAlarmThreshold,
      alarmPeriod: props.alarmPeriod,
    });
    this.queue = hardened.queue;
    this.deadLetterQueue = hardened.deadLetterQueue;
    this.deadLetterAlarm = hardened.deadLetterAlarm;
  }
}
