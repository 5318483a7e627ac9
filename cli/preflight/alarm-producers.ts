/**
 * Alarms that fire by themselves after a deploy: an alarm that treats missing data as breaching goes to ALARM when
 * nothing publishes its metric, and on this stack an alarm can start a failover. Used by `spot-on preflight` and by the
 * CDK unit tests (test/unit/cdk/helpers.ts re-exports it), so the rule lives in one place.
 */

/** One resource of a synthesized CloudFormation template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** A synthesized CloudFormation template (only what the checks read). */
export interface CfnTemplate {
  readonly Resources?: Readonly<Record<string, CfnResource>>;
}

type TemplateResources = Readonly<Record<string, CfnResource>>;

interface AlarmMetric {
  readonly namespace: string;
  readonly dimensions: Readonly<Record<string, unknown>>;
}

/**
 * AWS metric namespaces an alarm may treat as breaching when missing, each with the test that something in the
 * template makes AWS publish it. Custom namespaces (our Lambdas' EMF metrics) are only emitted when something
 * happens, so missing data there is normal and never counts.
 */
const METRIC_PRODUCERS: Readonly<Record<string, (resources: TemplateResources, metric: AlarmMetric) => boolean>> = {
  'AWS/SQS': (resources) => Object.values(resources).some((r) => r.Type === 'AWS::SQS::Queue'),
  'AWS/Lambda': (resources) => Object.values(resources).some((r) => r.Type === 'AWS::Lambda::Function'),
  'AWS/VPN': (resources) => Object.values(resources).some((r) => r.Type === 'AWS::EC2::VPNConnection'),
  // Published by the CloudWatch agent of the add-on, for the cluster the add-on is installed on.
  ContainerInsights: (resources, metric) =>
    Object.values(resources).some(
      (r) =>
        r.Type === 'AWS::EKS::Addon' &&
        r.Properties?.AddonName === 'amazon-cloudwatch-observability' &&
        r.Properties.ClusterName === metric.dimensions.ClusterName,
    ),
};

function alarmMetrics(properties: Record<string, unknown>): AlarmMetric[] {
  const dimensionsOf = (dimensions: unknown) =>
    Object.fromEntries(((dimensions ?? []) as { Name: string; Value: unknown }[]).map((d) => [d.Name, d.Value]));
  if (typeof properties.Namespace === 'string') return [{ namespace: properties.Namespace, dimensions: dimensionsOf(properties.Dimensions) }];
  const queries = (properties.Metrics ?? []) as { MetricStat?: { Metric: { Namespace: string; Dimensions?: unknown } } }[];
  return queries.flatMap((query) =>
    query.MetricStat ? [{ namespace: query.MetricStat.Metric.Namespace, dimensions: dimensionsOf(query.MetricStat.Metric.Dimensions) }] : [],
  );
}

/** An alarm that fires by itself after deployment, and the namespace of the metric nobody publishes. */
export interface UnproducedAlarm {
  readonly alarm: string;
  readonly namespace: string;
}

/**
 * Alarms that treat missing data as breaching although nothing in the template produces their metric: such an
 * alarm fires by itself after deployment. One entry per offending metric.
 */
export function alarmsWithoutProducer(template: CfnTemplate): UnproducedAlarm[] {
  const resources = template.Resources ?? {};
  const found: UnproducedAlarm[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::CloudWatch::Alarm' || resource.Properties?.TreatMissingData !== 'breaching') continue;
    const name = resource.Properties.AlarmName;
    for (const metric of alarmMetrics(resource.Properties)) {
      const produced = METRIC_PRODUCERS[metric.namespace]?.(resources, metric) ?? false;
      if (!produced) found.push({ alarm: typeof name === 'string' ? name : id, namespace: metric.namespace });
    }
  }
  return found;
}

/** The same as `AlarmName: namespace` lines (the form the CDK tests assert). */
export function breachingAlarmsWithoutProducer(template: CfnTemplate): string[] {
  return alarmsWithoutProducer(template).map(({ alarm, namespace }) => `${alarm}: ${namespace}`);
}
