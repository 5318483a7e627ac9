import { keyRingOutputName } from '../../protocol/keys';
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FAILOVER_ALARM_NAME, INGEST_RULES } from '../../lambdas/events/rules';
import { forwardedDomains, type SpotOnConfig } from '../config';
import { AzureVpn } from './azure-vpn';
import { ContainerInsights } from './container-insights';
import { CrossCloudDns } from './cross-cloud-dns';
import { Dashboard } from './dashboard';
import { EksHealthAlarms } from './eks-health-alarms';
import { InterruptionIngest } from './interruption-ingest';
import { LifecycleBus } from './lifecycle-bus';
import { ReflexFunctions } from './reflex-functions';
import { SignalOutbox } from './signal-outbox';
import { TrainingData } from './training-data';
import { TrainerNodeAccess } from './trainer-node-access';

export interface SpotOnStackProps extends StackProps {
  readonly config: SpotOnConfig;
}

/** The whole AWS side of Spot-On, composed from one construct per concern and driven by the configuration. */
export class SpotOnStack extends Stack {
  public readonly ingest: InterruptionIngest;
  public readonly outbox: SignalOutbox;
  public readonly lifecycleBus: LifecycleBus;
  public readonly reflex: ReflexFunctions;
  public readonly trainerNodes: TrainerNodeAccess;
  public readonly trainingData: TrainingData;
  public readonly health: EksHealthAlarms;
  /** Absent when `eks.containerInsights.installAddon` is false. */
  public readonly containerInsights?: ContainerInsights;
  public readonly vpn: AzureVpn;
  public readonly dns: CrossCloudDns;
  public readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: SpotOnStackProps) {
    super(scope, id, props);
    const { config } = props;
    const alarmPeriod = Duration.seconds(config.alarms.periodSeconds);
    const interruptionTimeout = Duration.seconds(config.lambdas.interruptionTimeoutSeconds);
    const signalTimeout = Duration.seconds(config.lambdas.signalTimeoutSeconds);
    const queueSettings = {
      retentionPeriod: Duration.days(config.queues.retentionDays),
      deadLetterRetentionPeriod: Duration.days(config.queues.deadLetterRetentionDays),
      deadLetterAlarmThreshold: config.alarms.deadLetterDepthThreshold,
      alarmPeriod,
    };

    // No lookups: the VPC is described entirely by the configuration, so synth runs offline.
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'EksVpc', {
      vpcId: config.eks.vpcId,
      vpcCidrBlock: config.eks.vpcCidr,
      availabilityZones: config.eks.availabilityZones,
      privateSubnetIds: config.eks.privateSubnetIds,
      privateSubnetRouteTableIds: config.eks.privateRouteTableIds,
    });

    this.ingest = new InterruptionIngest(this, 'InterruptionIngest', {
      ...queueSettings,
      consumerTimeout: interruptionTimeout,
      maxReceiveCount: config.queues.maxReceiveCount,
      rules: INGEST_RULES,
    });
    this.outbox = new SignalOutbox(this, 'SignalOutbox', {
      ...queueSettings,
      consumerTimeout: signalTimeout,
      outageTolerance: Duration.minutes(config.queues.outboxOutageToleranceMinutes),
    });
    this.lifecycleBus = new LifecycleBus(this, 'LifecycleBus', {
      archiveRetention: Duration.days(config.lifecycleBus.archiveRetentionDays),
    });

    this.reflex = new ReflexFunctions(this, 'ReflexFunctions', {
      vpc,
      securityGroup: config.eks.lambdaSecurityGroupId
        ? ec2.SecurityGroup.fromSecurityGroupId(this, 'LambdaSecurityGroup', config.eks.lambdaSecurityGroupId, { mutable: false })
        : undefined,
      clusterSecurityGroup: config.eks.clusterSecurityGroupId
        ? ec2.SecurityGroup.fromSecurityGroupId(this, 'ClusterSecurityGroup', config.eks.clusterSecurityGroupId)
        : undefined,
      clusterName: config.eks.clusterName,
      trainer: config.eks.trainer,
      autoScalingGroupTag: config.eks.autoScalingGroupTag,
      runId: config.runId,
      failoverAlarmName: FAILOVER_ALARM_NAME,
      signalsEndpointUrl: config.azure.signalsEndpointUrl,
      interruptionQueue: this.ingest.queue,
      interruptionDeadLetterQueue: this.ingest.deadLetterQueue,
      outboxQueue: this.outbox.queue,
      outboxDeadLetterQueue: this.outbox.deadLetterQueue,
      lifecycleBus: this.lifecycleBus.eventBus,
      interruptionTimeout,
      signalTimeout,
      signalHttpTimeout: Duration.millis(config.lambdas.signalHttpTimeoutMs),
      memorySize: config.lambdas.memorySizeMb,
      interruptionReservedConcurrency: config.lambdas.interruptionReservedConcurrency,
      signalMaxConcurrency: config.lambdas.signalMaxConcurrency,
      batchSize: config.lambdas.batchSize,
      maxBatchingWindow: Duration.seconds(config.lambdas.maxBatchingWindowSeconds),
      logRetention: config.lambdas.logRetentionDays as logs.RetentionDays,
      tracing: config.lambdas.tracing,
    });

    // Karpenter attaches this group to the trainer nodes (EC2NodeClass securityGroupSelectorTerms, by its tag).
    this.trainerNodes = new TrainerNodeAccess(this, 'TrainerNodes', {
      vpc,
      clusterName: config.eks.clusterName,
      trainerPort: config.eks.trainer.port,
      allowedSources: [this.reflex.securityGroup],
    });

    // The trainers' shards, and their one Pod Identity role: it also reads the key rings the chart's ASCP syncs.
    this.trainingData = new TrainingData(this, 'TrainingData', {
      clusterName: config.eks.clusterName,
      namespace: config.eks.trainer.namespace,
      serviceAccount: config.eks.trainer.serviceAccount,
      keyRings: [this.reflex.keys.flush, this.reflex.keys.trainer],
    });

    const insights = config.eks.containerInsights;
    if (insights.installAddon) {
      this.containerInsights = new ContainerInsights(this, 'ContainerInsights', {
        clusterName: config.eks.clusterName,
        addonVersion: insights.addonVersion,
        containerLogs: insights.containerLogs,
        installPodIdentityAgent: insights.installPodIdentityAgent,
      });
    }
    this.health = new EksHealthAlarms(this, 'EksHealthAlarms', {
      clusterName: config.eks.clusterName,
      period: alarmPeriod,
      evaluationPeriods: config.alarms.evaluationPeriods,
      failedNodeThreshold: config.alarms.failedNodeThreshold,
      minClusterNodes: config.alarms.minClusterNodes,
      compositeAlarmName: FAILOVER_ALARM_NAME,
    });

    const { vpn } = config.azure;
    this.vpn = new AzureVpn(this, 'AzureVpn', {
      vpcId: config.eks.vpcId,
      routeTableIds: config.eks.privateRouteTableIds,
      azureGatewayIps: vpn.gatewayPublicIps,
      azureCidrs: vpn.vnetCidrs,
      azureBgpAsn: vpn.bgpAsn,
      amazonSideAsn: vpn.amazonSideAsn,
      routing: vpn.routing,
      tunnelInsideCidrs: vpn.tunnelInsideCidrs,
      propagateRoutes: vpn.propagateRoutes,
    });

    // Two resolver ENIs in the first two private subnets (different zones); a one-subnet VPC gets both in it.
    const [firstSubnet, secondSubnet = firstSubnet] = config.eks.privateSubnetIds as [string, ...string[]];
    this.dns = new CrossCloudDns(this, 'CrossCloudDns', {
      vpc,
      subnetIds: [firstSubnet, secondSubnet],
      targetIps: config.azure.dns.resolverInboundIps,
      domainNames: forwardedDomains(config.azure.dns),
    });

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `spot-on-${config.runId.replace(/[^A-Za-z0-9_-]/g, '-')}`,
      period: alarmPeriod,
      queues: {
        interruption: this.ingest.queue,
        'interruption DLQ': this.ingest.deadLetterQueue,
        outbox: this.outbox.queue,
        'outbox DLQ': this.outbox.deadLetterQueue,
      },
      functions: { interruption: this.reflex.interruptionFunction, signal: this.reflex.signalFunction },
      alarms: [
        this.health.compositeAlarm,
        this.health.failedNodesAlarm,
        this.health.nodeCountAlarm,
        this.ingest.deadLetterAlarm,
        this.outbox.deadLetterAlarm,
      ],
    });

    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    output('InterruptionQueueUrl', this.ingest.queue.queueUrl, 'SQS queue the ingest rules deliver to');
    output('InterruptionDeadLetterQueueUrl', this.ingest.deadLetterQueue.queueUrl, 'Dead-letter queue of the interruption queue');
    output('SignalOutboxQueueUrl', this.outbox.queue.queueUrl, 'SQS outbox of signals for Azure');
    output('SignalOutboxDeadLetterQueueUrl', this.outbox.deadLetterQueue.queueUrl, 'Dead-letter queue of the outbox');
    output('SignalOutboxArn', this.outbox.queue.queueArn, 'Destination of a redrive (aws sqs start-message-move-task --destination-arn)');
    output('SignalOutboxDeadLetterQueueArn', this.outbox.deadLetterQueue.queueArn, 'Source of a redrive (aws sqs start-message-move-task --source-arn)');
    output('LifecycleBusName', this.lifecycleBus.eventBus.eventBusName, 'Event bus of Spot-On lifecycle events');
    output(keyRingOutputName('flush'), this.reflex.keys.flush.secretArn, 'Flush key ring: the EKS chart\'s keys.csi.aws.flushKeysSecretArn (stays in AWS)');
    output(keyRingOutputName('signal'), this.reflex.keys.signal.secretArn, 'Signal key ring: copy its value to terraform var signal_keys (the brain verifies with it)');
    output(keyRingOutputName('trainer'), this.reflex.keys.trainer.secretArn, 'Trainer key ring: the EKS chart\'s keys.csi.aws.trainerKeysSecretArn; copy its value to terraform var trainer_keys');
    output('TrainingDataBucketName', this.trainingData.bucket.bucketName, 'The EKS chart\'s data.url is s3://<this bucket>/<prefix>; stage the shards allowed on AWS there');
    output('TrainerDataRoleArn', this.trainingData.trainerRole.roleArn, 'Pod Identity role of the EKS trainers\' service account: reads the training data and their key rings');
    output('FailoverAlarmName', this.health.compositeAlarm.alarmName, 'Composite alarm driving failover and failback');
    output(
      'TrainerNodeSecurityGroupId',
      this.trainerNodes.securityGroup.securityGroupId,
      `Selected by the Karpenter EC2NodeClass through its tag ${this.trainerNodes.selectorTag.key}=${this.trainerNodes.selectorTag.value}`,
    );
    output('ResolverEndpointId', this.dns.endpoint.attrResolverEndpointId, 'Route 53 Resolver outbound endpoint forwarding the Azure zones');
    this.vpn.connections.forEach((connection, index) =>
      output(`AzureVpnConnection${index}Id`, connection.ref, `VPN connection to Azure gateway instance ${index}`),
    );
  }
}
