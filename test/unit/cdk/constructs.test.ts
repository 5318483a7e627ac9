import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AzureVpn, type AzureVpnProps } from '../../../cdk/lib/azure-vpn';
import { Dashboard } from '../../../cdk/lib/dashboard';
import { EksHealthAlarms } from '../../../cdk/lib/eks-health-alarms';
import { HardenedQueue } from '../../../cdk/lib/hardened-queue';
import { InterruptionIngest, toCdkEventPattern } from '../../../cdk/lib/interruption-ingest';
import { LifecycleBus } from '../../../cdk/lib/lifecycle-bus';
import { ReflexFunctions, type ReflexFunctionsProps } from '../../../cdk/lib/reflex-functions';

const newStack = () => new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'us-west-2' } });

describe('HardenedQueue', () => {
  it.each([2, 6, 3.5])('rejects maxReceiveCount %p', (maxReceiveCount) => {
    expect(
      () => new HardenedQueue(newStack(), 'Q', { consumerTimeout: Duration.seconds(30), deadLetterAlarmName: 'spot-on-q', maxReceiveCount }),
    ).toThrow(`Test/Q: maxReceiveCount must be an integer from 3 to 5, got ${maxReceiveCount}`);
  });

  it('rejects an alarm name the alarm ingest rule would not catch', () => {
    expect(() => new HardenedQueue(newStack(), 'Q', { consumerTimeout: Duration.seconds(30), deadLetterAlarmName: 'q-dlq' })).toThrow(
      'Test/Q: deadLetterAlarmName must start with "spot-on-"',
    );
  });

  it('sets the visibility timeout to six consumer timeouts', () => {
    const stack = newStack();
    new HardenedQueue(stack, 'Q', { consumerTimeout: Duration.seconds(45), deadLetterAlarmName: 'spot-on-q', maxReceiveCount: 5 });
    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 270,
      RedrivePolicy: { maxReceiveCount: 5 },
    });
  });
});

describe('InterruptionIngest', () => {
  it('maps raw pattern fields to the CDK shape and refuses unknown ones', () => {
    expect(toCdkEventPattern({ source: ['aws.ec2'], 'detail-type': ['X'], detail: { a: [1] } })).toStrictEqual({
      source: ['aws.ec2'],
      detailType: ['X'],
      detail: { a: [1] },
    });
    expect(() => toCdkEventPattern({ 'detail-typo': ['X'] })).toThrow('unsupported top-level event pattern field "detail-typo"');
  });

  it('names the offending rule key', () => {
    expect(
      () => new InterruptionIngest(newStack(), 'Ingest', { consumerTimeout: Duration.seconds(60), rules: { broken: { sourc: ['x'] } } }),
    ).toThrow('Test/Ingest: rule "broken": unsupported top-level event pattern field "sourc"');
  });

  it('requires at least one rule', () => {
    expect(() => new InterruptionIngest(newStack(), 'Ingest', { consumerTimeout: Duration.seconds(60), rules: {} })).toThrow(
      'Test/Ingest: at least one rule pattern is required',
    );
  });

  it('deploys on a given bus when asked', () => {
    const stack = newStack();
    const bus = new events.EventBus(stack, 'Bus');
    new InterruptionIngest(stack, 'Ingest', { consumerTimeout: Duration.seconds(60), rules: { one: { source: ['x'] } }, eventBus: bus });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: stack.getLogicalId(bus.node.defaultChild as events.CfnEventBus) },
      EventPattern: { source: ['x'] },
    });
  });
});

describe('ReflexFunctions validation', () => {
  function props(stack: Stack, overrides: Partial<ReflexFunctionsProps> = {}): ReflexFunctionsProps {
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      vpcCidrBlock: '10.0.0.0/16',
      availabilityZones: ['us-west-2a'],
      privateSubnetIds: ['subnet-0123456789abcdef0'],
    });
    const queue = new sqs.Queue(stack, 'Queue');
    return {
      vpc,
      clusterName: 'c',
      trainer: { namespace: 'fl', labelSelector: 'app=t', port: 8080 },
      runId: 'r',
      failoverAlarmName: 'aws-training-unhealthy',
      signalsEndpointUrl: 'https://example.net/api/signals',
      interruptionQueue: queue,
      interruptionDeadLetterQueue: queue,
      outboxQueue: queue,
      outboxDeadLetterQueue: queue,
      lifecycleBus: new events.EventBus(stack, 'Bus'),
      ...overrides,
    };
  }

  it.each<[string, Partial<ReflexFunctionsProps>, string]>([
    ['a timeout beyond the Spot notice', { interruptionTimeout: Duration.minutes(2) }, 'interruptionTimeout must be under the 2-minute Spot notice'],
    ['an HTTP timeout not below the Lambda timeout', { signalTimeout: Duration.seconds(10), signalHttpTimeout: Duration.seconds(10) }, 'signalHttpTimeout must be shorter than signalTimeout'],
    ['a batch size over 10', { batchSize: 11 }, 'batchSize must be 1-10'],
    ['a reservation below 2', { interruptionReservedConcurrency: 1 }, 'interruptionReservedConcurrency must be at least 2'],
    ['plain HTTP to Azure', { signalsEndpointUrl: 'http://example.net/api/signals' }, 'signalsEndpointUrl must be an https:// URL'],
    ['a bad trainer port', { trainer: { namespace: 'fl', labelSelector: 'a=b', port: 0 } }, 'trainer.port must be 1-65535'],
  ])('rejects %s before creating anything', (_what, overrides, message) => {
    const stack = newStack();
    expect(() => new ReflexFunctions(stack, 'Reflex', props(stack, overrides))).toThrow(`Test/Reflex: ${message}`);
    expect(stack.node.tryFindChild('Reflex')?.node.children ?? []).toHaveLength(0);
  });
});

describe('AzureVpn validation', () => {
  const valid: AzureVpnProps = {
    vpcId: 'vpc-0123456789abcdef0',
    routeTableIds: ['rtb-0123456789abcdef0'],
    azureGatewayIps: ['20.0.0.1', '20.0.0.2'],
    azureCidrs: ['10.100.0.0/16'],
  };
  it.each<[string, Partial<AzureVpnProps>, string]>([
    ['equal gateway IPs', { azureGatewayIps: ['20.0.0.1', '20.0.0.1'] }, 'azureGatewayIps must be two different addresses'],
    ['a gateway IP that is no address', { azureGatewayIps: ['20.0.0.1', 'azure-gw'] }, 'azureGatewayIps: "azure-gw" is not an IPv4 address'],
    ['no Azure CIDR', { azureCidrs: [] }, 'azureCidrs must list at least one CIDR'],
    ['a bad Azure CIDR', { azureCidrs: ['10.100.0.0/33'] }, 'azureCidrs: "10.100.0.0/33" is not an IPv4 CIDR'],
    ['no route table', { routeTableIds: [] }, 'routeTableIds must list at least one route table'],
    ['equal ASNs', { azureBgpAsn: 64512 }, 'azureBgpAsn and amazonSideAsn must differ'],
    [
      'reused tunnel CIDRs',
      { tunnelInsideCidrs: [['169.254.21.0/30', '169.254.22.0/30'], ['169.254.21.0/30', '169.254.22.4/30']] },
      'tunnelInsideCidrs must be four different /30s',
    ],
  ])('rejects %s', (_what, overrides, message) => {
    expect(() => new AzureVpn(newStack(), 'Vpn', { ...valid, ...overrides })).toThrow(`Test/Vpn: ${message}`);
  });
});

describe('EksHealthAlarms, LifecycleBus and Dashboard validation', () => {
  it('requires a dimension for the trainers metric', () => {
    expect(() => new EksHealthAlarms(newStack(), 'Health', { clusterName: 'c', trainersMetricDimensions: {} })).toThrow(
      'Test/Health: trainersMetricDimensions must name at least one dimension',
    );
  });

  it('rejects a zero evaluation period count', () => {
    expect(
      () => new EksHealthAlarms(newStack(), 'Health', { clusterName: 'c', trainersMetricDimensions: { RunId: 'r' }, evaluationPeriods: 0 }),
    ).toThrow('Test/Health: evaluationPeriods must be a positive integer');
  });

  it('keeps the archive forever for a zero retention', () => {
    const stack = newStack();
    new LifecycleBus(stack, 'Bus', { archiveRetention: Duration.days(0) });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Archive', { RetentionDays: 0 });
  });

  it('requires something to show', () => {
    expect(() => new Dashboard(newStack(), 'Dashboard', { queues: {}, functions: {}, alarms: [] })).toThrow(
      'Test/Dashboard: queues, functions and alarms must each list at least one entry',
    );
  });
});
