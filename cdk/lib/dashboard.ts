import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface DashboardProps {
  /** Queues to chart, by title. */
  readonly queues: Readonly<Record<string, sqs.IQueue>>;
  /** Functions to chart, by title. */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  /** Alarms whose state is shown. */
  readonly alarms: readonly cloudwatch.IAlarm[];
  /** @default spot-on */
  readonly dashboardName?: string;
  /** @default Duration.minutes(1) */
  readonly period?: Duration;
}

/** One CloudWatch dashboard: alarm states, queue depths and ages, Lambda errors, throttles and durations. */
export class Dashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const queues = Object.entries(props.queues);
    const functions = Object.entries(props.functions);
    if (queues.length === 0 || functions.length === 0 || props.alarms.length === 0) {
      throw new Error(`${this.node.path}: queues, functions and alarms must each list at least one entry`);
    }
    const period = props.period ?? Duration.minutes(1);
    const perQueue = (metric: (queue: sqs.IQueue) => cloudwatch.Metric) =>
      queues.map(([title, queue]) => metric(queue).with({ label: title, period }));
    const perFunction = (metric: (fn: lambda.IFunction) => cloudwatch.Metric) =>
      functions.map(([title, fn]) => metric(fn).with({ label: title, period }));

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? 'spot-on',
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24 }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Queue depth (visible messages)',
        left: perQueue((q) => q.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM })),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Age of oldest message (s)',
        left: perQueue((q) => q.metricApproximateAgeOfOldestMessage({ statistic: cloudwatch.Stats.MAXIMUM })),
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Lambda errors and throttles',
        left: [
          ...perFunction((fn) => fn.metricErrors({ statistic: cloudwatch.Stats.SUM })),
          ...perFunction((fn) => fn.metricThrottles({ statistic: cloudwatch.Stats.SUM })).map((m) =>
            m.with({ label: `${m.label ?? ''} throttles` }),
          ),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Lambda duration p99 (ms)',
        left: perFunction((fn) => fn.metricDuration({ statistic: cloudwatch.Stats.p(99) })),
        width: 12,
      }),
    );
  }
}
