import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { SpotOnConfig } from '../../../cdk/config';
import { breachingAlarmsWithoutProducer, buildTestApp, exampleConfig, setAt, type TestApp } from './helpers';

jest.setTimeout(60_000);

function configWith(changes: Record<string, unknown> = {}): SpotOnConfig {
  return exampleConfig((json) => {
    for (const [dottedPath, value] of Object.entries(changes)) setAt(json, dottedPath, value);
  });
}

/** Builds the stack (no bundling, no nag), lets `extend` add to it, and returns its template. */
function templateFor(config: SpotOnConfig, extend: (built: TestApp) => void = () => undefined): Template {
  const built = buildTestApp(config, { nag: false, bundle: false });
  try {
    extend(built);
    return Template.fromStack(built.stack);
  } finally {
    built.dispose();
  }
}

const breachingAlarm = (namespace: string, metricName: string, dimensionsMap: Record<string, string>) => (built: TestApp) => {
  new cloudwatch.Alarm(built.stack, `Breaching${metricName}`, {
    alarmName: `spot-on-test-${metricName}`,
    metric: new cloudwatch.Metric({ namespace, metricName, dimensionsMap }),
    threshold: 1,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.BREACHING,
  });
};

describe('Container Insights add-on (example configuration)', () => {
  let template: Template;
  beforeAll(() => {
    template = templateFor(configWith());
  });

  it('installs amazon-cloudwatch-observability on the cluster, metrics only, with a Pod Identity role', () => {
    const role = Object.keys(template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('CloudWatch agent') } }))[0];
    template.resourceCountIs('AWS::EKS::Addon', 1);
    template.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'amazon-cloudwatch-observability',
      ClusterName: 'spot-on',
      ResolveConflicts: 'OVERWRITE',
      PodIdentityAssociations: [{ ServiceAccount: 'cloudwatch-agent', RoleArn: { 'Fn::GetAtt': [role, 'Arn'] } }],
      ConfigurationValues: JSON.stringify({ containerLogs: { enabled: false } }),
    });
  });

  it('lets only the add-on agent of this cluster assume the agent role, which may publish metrics', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      Description: Match.stringLikeRegexp('CloudWatch agent'),
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'pods.eks.amazonaws.com' },
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Condition: {
              StringEquals: {
                'aws:RequestTag/eks-cluster-name': 'spot-on',
                'aws:RequestTag/kubernetes-namespace': 'amazon-cloudwatch',
                'aws:RequestTag/kubernetes-service-account': 'cloudwatch-agent',
              },
            },
          },
        ],
      },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/CloudWatchAgentServerPolicy']] }],
    });
  });

  it('produces the namespace the node alarms read, for the cluster they watch', () => {
    expect(breachingAlarmsWithoutProducer(template.toJSON())).toStrictEqual([]);
    const withBreaching = templateFor(configWith(), breachingAlarm('ContainerInsights', 'cluster_node_count', { ClusterName: 'spot-on' }));
    expect(breachingAlarmsWithoutProducer(withBreaching.toJSON())).toStrictEqual([]);
  });
});

describe('Container Insights options', () => {
  it('installs the Pod Identity agent first when asked', () => {
    const template = templateFor(configWith({ 'eks.containerInsights.installPodIdentityAgent': true, 'eks.containerInsights.addonVersion': 'v4.1.0-eksbuild.1' }));
    const agent = Object.keys(template.findResources('AWS::EKS::Addon', { Properties: { AddonName: 'eks-pod-identity-agent' } }));
    expect(agent).toHaveLength(1);
    template.hasResource('AWS::EKS::Addon', {
      Properties: { AddonName: 'amazon-cloudwatch-observability', AddonVersion: 'v4.1.0-eksbuild.1' },
      DependsOn: agent,
    });
  });

  it('leaves the add-on and its role out when the cluster has it already; node alarms then stay not breaching', () => {
    const template = templateFor(configWith({ 'eks.containerInsights.installAddon': false }));
    template.resourceCountIs('AWS::EKS::Addon', 0);
    expect(template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('CloudWatch agent') } })).toStrictEqual({});
    expect(breachingAlarmsWithoutProducer(template.toJSON())).toStrictEqual([]);
  });
});

describe('breachingAlarmsWithoutProducer (the check itself)', () => {
  it('flags an alarm that breaches on a metric nothing publishes, like the old aws-trainers-silent', () => {
    const template = templateFor(configWith(), breachingAlarm('SpotOn', 'AwsTrainersReporting', { RunId: 'fl-demo-001' }));
    expect(breachingAlarmsWithoutProducer(template.toJSON())).toStrictEqual(['spot-on-test-AwsTrainersReporting: SpotOn']);
  });

  it('flags a breaching Container Insights alarm when no add-on is installed, or for another cluster', () => {
    const withoutAddon = templateFor(
      configWith({ 'eks.containerInsights.installAddon': false }),
      breachingAlarm('ContainerInsights', 'cluster_node_count', { ClusterName: 'spot-on' }),
    );
    expect(breachingAlarmsWithoutProducer(withoutAddon.toJSON())).toStrictEqual(['spot-on-test-cluster_node_count: ContainerInsights']);
    const otherCluster = templateFor(configWith(), breachingAlarm('ContainerInsights', 'cluster_node_count', { ClusterName: 'other' }));
    expect(breachingAlarmsWithoutProducer(otherCluster.toJSON())).toStrictEqual(['spot-on-test-cluster_node_count: ContainerInsights']);
  });

  it('accepts a breaching alarm on an AWS namespace of a resource in the stack', () => {
    const template = templateFor(configWith(), breachingAlarm('AWS/SQS', 'ApproximateAgeOfOldestMessage', { QueueName: 'q' }));
    expect(breachingAlarmsWithoutProducer(template.toJSON())).toStrictEqual([]);
  });
});
