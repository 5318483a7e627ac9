import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { ALARM_NAME_PREFIX, FAILOVER_ALARM_NAME } from '../../lambdas/events/rules';

/** Namespace and name of the metric the aggregator publishes: AWS trainers that reported in the period. */
export const TRAINERS_REPORTING_METRIC = { namespace: 'SpotOn', metricName: 'AwsTrainersReporting' } as const;

export interface EksHealthAlarmsProps {
  readonly clusterName: string;
  /** Dimensions of `SpotOn/AwsTrainersReporting`, exactly as the aggregator publishes them. */
  readonly trainersMetricDimensions: Readonly<Record<string, string>>;
  /** @default Duration.minutes(1) */
  readonly period?: Duration;
  /** Periods evaluated by the EKS node alarms. @default 3 */
  readonly evaluationPeriods?: number;
  /** Failed nodes (`cluster_failed_node_count`) that count as unhealthy. @default 1 */
  readonly failedNodeThreshold?: number;
  /** Fewer nodes than this (`cluster_node_count`) counts as unhealthy. @default 1 */
  readonly minClusterNodes?: number;
  /** Silent periods before the trainers alarm fires. @default 5 */
  readonly trainersReportingEvaluationPeriods?: number;
  /** @default FAILOVER_ALARM_NAME (`aws-training-unhealthy`) */
  readonly compositeAlarmName?: string;
}

/**
 * Health of AWS training as CloudWatch alarms: Container Insights node health of the EKS cluster and the
 * aggregator's count of reporting AWS trainers, joined in the composite alarm whose state changes drive
 * failover (ALARM) and failback (OK) through the alarm ingest rule.
 */
export class EksHealthAlarms extends Construct {
  public readonly failedNodesAlarm: cloudwatch.Alarm;
  public readonly nodeCountAlarm: cloudwatch.Alarm;
  public readonly trainersSilentAlarm: cloudwatch.Alarm;
  public readonly compositeAlarm: cloudwatch.CompositeAlarm;

  constructor(scope: Construct, id: string, props: EksHealthAlarmsProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(1);
    const evaluationPeriods = props.evaluationPeriods ?? 3;
    const failedNodeThreshold = props.failedNodeThreshold ?? 1;
    const minClusterNodes = props.minClusterNodes ?? 1;
    const trainersPeriods = props.trainersReportingEvaluationPeriods ?? 5;
    for (const [name, value] of Object.entries({ evaluationPeriods, failedNodeThreshold, minClusterNodes, trainersPeriods })) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`${this.node.path}: ${name} must be a positive integer`);
    }
    if (Object.keys(props.trainersMetricDimensions).length === 0) {
      throw new Error(`${this.node.path}: trainersMetricDimensions must name at least one dimension`);
    }

    const cluster = { ClusterName: props.clusterName };
    // Missing Container Insights data is not breaching: a dead cluster also silences the trainers, which the
    // trainers alarm treats as breaching, and a cluster without Container Insights must not fail over by itself.
    this.failedNodesAlarm = new cloudwatch.Alarm(this, 'FailedNodes', {
      alarmName: `${ALARM_NAME_PREFIX}eks-failed-nodes`,
      alarmDescription: `EKS cluster ${props.clusterName} has failed worker nodes (Container Insights).`,
      metric: new cloudwatch.Metric({
        namespace: 'ContainerInsights',
        metricName: 'cluster_failed_node_count',
        dimensionsMap: cluster,
        statistic: cloudwatch.Stats.MAXIMUM,
        period,
      }),
      threshold: failedNodeThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.nodeCountAlarm = new cloudwatch.Alarm(this, 'NodeCount', {
      alarmName: `${ALARM_NAME_PREFIX}eks-node-count-low`,
      alarmDescription: `EKS cluster ${props.clusterName} has fewer than ${minClusterNodes} worker nodes (Container Insights).`,
      metric: new cloudwatch.Metric({
        namespace: 'ContainerInsights',
        metricName: 'cluster_node_count',
        dimensionsMap: cluster,
        statistic: cloudwatch.Stats.MINIMUM,
        period,
      }),
      threshold: minClusterNodes,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.trainersSilentAlarm = new cloudwatch.Alarm(this, 'TrainersSilent', {
      alarmName: `${ALARM_NAME_PREFIX}aws-trainers-silent`,
      alarmDescription: 'No AWS trainer reported to the aggregator (SpotOn/AwsTrainersReporting below 1 or missing).',
      metric: new cloudwatch.Metric({
        ...TRAINERS_REPORTING_METRIC,
        dimensionsMap: { ...props.trainersMetricDimensions },
        statistic: cloudwatch.Stats.MAXIMUM,
        period,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: trainersPeriods,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.compositeAlarm = new cloudwatch.CompositeAlarm(this, 'TrainingUnhealthy', {
      compositeAlarmName: props.compositeAlarmName ?? FAILOVER_ALARM_NAME,
      alarmDescription: 'AWS training is unhealthy: ALARM fails over to Azure, OK fails back.',
      alarmRule: cloudwatch.AlarmRule.anyOf(this.failedNodesAlarm, this.nodeCountAlarm, this.trainersSilentAlarm),
    });
  }
}
