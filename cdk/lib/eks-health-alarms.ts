import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { ALARM_NAME_PREFIX, FAILOVER_ALARM_NAME } from '../../lambdas/events/rules';

/** Namespace of the node metrics; published by the CloudWatch agent of the Container Insights add-on. */
export const CONTAINER_INSIGHTS_NAMESPACE = 'ContainerInsights';

export interface EksHealthAlarmsProps {
  readonly clusterName: string;
  /** @default Duration.minutes(1) */
  readonly period?: Duration;
  /** Periods evaluated by the EKS node alarms. @default 3 */
  readonly evaluationPeriods?: number;
  /** Failed nodes (`cluster_failed_node_count`) that count as unhealthy. @default 1 */
  readonly failedNodeThreshold?: number;
  /** Fewer nodes than this (`cluster_node_count`) counts as unhealthy. @default 1 */
  readonly minClusterNodes?: number;
  /** @default FAILOVER_ALARM_NAME (`aws-training-unhealthy`) */
  readonly compositeAlarmName?: string;
}

/**
 * Health of the EKS cluster as CloudWatch alarms on Container Insights node metrics, joined in the composite alarm
 * whose state changes drive failover (ALARM) and failback (OK) through the alarm ingest rule.
 *
 * Every alarm treats missing data as not breaching: missing metrics mean "nobody is publishing" (agent not running
 * yet, add-on being updated, or the whole region silent), and none of those may start a failover on deploy. Silence
 * of the AWS side is detected where it does not depend on AWS: the aggregator on Azure sends `aws-silent` to the
 * brain when no AWS trainer has reported for `awsSilenceTimeout`.
 */
export class EksHealthAlarms extends Construct {
  public readonly failedNodesAlarm: cloudwatch.Alarm;
  public readonly nodeCountAlarm: cloudwatch.Alarm;
  public readonly compositeAlarm: cloudwatch.CompositeAlarm;

  constructor(scope: Construct, id: string, props: EksHealthAlarmsProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(1);
    const evaluationPeriods = props.evaluationPeriods ?? 3;
    const failedNodeThreshold = props.failedNodeThreshold ?? 1;
    const minClusterNodes = props.minClusterNodes ?? 1;
    for (const [name, value] of Object.entries({ evaluationPeriods, failedNodeThreshold, minClusterNodes })) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`${this.node.path}: ${name} must be a positive integer`);
    }

    const cluster = { ClusterName: props.clusterName };
    this.failedNodesAlarm = new cloudwatch.Alarm(this, 'FailedNodes', {
      alarmName: `${ALARM_NAME_PREFIX}eks-failed-nodes`,
      alarmDescription: `EKS cluster ${props.clusterName} has failed worker nodes (Container Insights).`,
      metric: new cloudwatch.Metric({
        namespace: CONTAINER_INSIGHTS_NAMESPACE,
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
        namespace: CONTAINER_INSIGHTS_NAMESPACE,
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
    this.compositeAlarm = new cloudwatch.CompositeAlarm(this, 'TrainingUnhealthy', {
      compositeAlarmName: props.compositeAlarmName ?? FAILOVER_ALARM_NAME,
      alarmDescription: 'AWS training is unhealthy: ALARM fails over to Azure, OK fails back.',
      alarmRule: cloudwatch.AlarmRule.anyOf(this.failedNodesAlarm, this.nodeCountAlarm),
    });
  }
}
