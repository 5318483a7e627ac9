import { Duration, Stack } from 'aws-cdk-lib';
import { scratchApp } from './helpers';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AzureVpn, type AzureVpnProps } from '../../../cdk/lib/azure-vpn';
import { Dashboard } from '../../../cdk/lib/dashboard';
import { EksHealthAlarms } from '../../../cdk/lib/eks-health-alarms';
import { HardenedQueue, type HardenedQueueProps } from '../../../cdk/lib/hardened-queue';
import { InterruptionIngest, toCdkEventPattern } from '../../../cdk/lib/interruption-ingest';
import { LifecycleBus } from '../../../cdk/lib/lifecycle-bus';
import { ReflexFunctions, type ReflexFunctionsProps } from '../../../cdk/lib/reflex-functions';
import { minimumRetentionSeconds, receivesToSurvive, redriveWindowSeconds, visibilityTimeoutSeconds } from '../../../cdk/lib/retry-budget';
import { SignalOutbox } from '../../../cdk/lib/signal-outbox';
import { TrainerNodeAccess } from '../../../cdk/lib/trainer-node-access';

const newStack = () => new Stack(scratchApp(), 'Test', { env: { account: '123456789012', region: 'us-west-2' } });

describe('retry budget', () => {
  it('derives the receives that outlast an outage, plus a margin of two', () => {
    expect(visibilityTimeoutSeconds(30)).toBe(180);
    expect(receivesToSurvive(3600, 180)).toBe(22);
    expect(receivesToSurvive(3601, 180)).toBe(23);
    expect(receivesToSurvive(3600, 180, 0)).toBe(20);
    expect(redriveWindowSeconds(22, 180)).toBe(3960);
    expect(minimumRetentionSeconds(22, 180)).toBe(7920);
    expect(() => receivesToSurvive(0, 180)).toThrow(RangeError);
  });
});

describe('HardenedQueue', () => {
  const base = { consumerTimeout: Duration.seconds(30), deadLetterAlarmName: 'spot-on-q' };

  it.each([2, 1001, 3.5])('rejects maxReceiveCount %p', (maxReceiveCount) => {
    expect(() => new HardenedQueue(newStack(), 'Q', { ...base, maxReceiveCount })).toThrow(
      `Test/Q: maxReceiveCount must be an integer from 3 to 1000, got ${maxReceiveCount}`,
    );
  });

  it('derives maxReceiveCount from an outage tolerance and the visibility timeout', () => {
    const stack = newStack();
    const queue = new HardenedQueue(stack, 'Q', { ...base, outageTolerance: Duration.minutes(60) });
    expect(queue.maxReceiveCount).toBe(22);
    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 180, RedrivePolicy: { maxReceiveCount: 22 } });
  });

  it.each<[string, Partial<HardenedQueueProps>, string]>([
    ['both a count and a tolerance', { maxReceiveCount: 3, outageTolerance: Duration.minutes(60) }, 'give maxReceiveCount or outageTolerance, not both'],
    ['a retention the redrive window nearly fills', { outageTolerance: Duration.hours(12), retentionPeriod: Duration.days(1) }, 'retentionPeriod (86400 s) must be at least twice the redrive window (242 receives x 180 s = 43560 s)'],
    ['a DLQ that would expire redriven messages', { retentionPeriod: Duration.days(4), deadLetterRetentionPeriod: Duration.days(2) }, 'deadLetterRetentionPeriod must not be shorter than retentionPeriod'],
  ])('rejects %s', (_what, overrides, message) => {
    expect(() => new HardenedQueue(newStack(), 'Q', { ...base, ...overrides })).toThrow(`Test/Q: ${message}`);
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

describe('SignalOutbox', () => {
  it('survives a 60-minute outage by default', () => {
    const stack = newStack();
    const outbox = new SignalOutbox(stack, 'Outbox', { consumerTimeout: Duration.seconds(30) });
    const props = Template.fromStack(stack).findResources('AWS::SQS::Queue', { Properties: { RedrivePolicy: Match.anyValue() } });
    const queue = Object.values(props)[0]?.Properties as { VisibilityTimeout: number; RedrivePolicy: { maxReceiveCount: number } };
    expect(queue.RedrivePolicy.maxReceiveCount).toBe(outbox.maxReceiveCount);
    expect(queue.RedrivePolicy.maxReceiveCount * queue.VisibilityTimeout).toBeGreaterThanOrEqual(3600);
  });
});

describe('TrainerNodeAccess validation', () => {
  it('needs somebody to let in', () => {
    const stack = newStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['us-west-2a'] });
    expect(() => new TrainerNodeAccess(stack, 'Nodes', { vpc, clusterName: 'c', trainerPort: 8080, allowedSources: [] })).toThrow(
      'Test/Nodes: allowedSources must list at least one security group',
    );
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
    ['an empty Auto Scaling group tag key', { autoScalingGroupTag: { key: '', value: 'owned' } }, 'autoScalingGroupTag needs a key of 1-128 characters'],
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
  it('rejects a zero evaluation period count', () => {
    expect(() => new EksHealthAlarms(newStack(), 'Health', { clusterName: 'c', evaluationPeriods: 0 })).toThrow(
      'Test/Health: evaluationPeriods must be a positive integer',
    );
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
