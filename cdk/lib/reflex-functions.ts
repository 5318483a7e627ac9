import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { KeyPurpose } from '../../protocol/keys';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeCheckov } from './checkov';
import { lambdaTracing, type LambdaTracingProps } from './lambda-tracing';
import {
  type AutoScalingGroupTag,
  createLambdaRole,
  createKeyRingSecret,
  defaultAutoScalingGroupTag,
  grantInterruption,
  grantSignal,
} from './reflex-permissions';

export { REFLEX_KUBERNETES_GROUP } from './reflex-permissions';

/** Root of the repository (this file is cdk/lib/reflex-functions.ts). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Newest Node.js Lambda runtime in this aws-cdk-lib; cdk-nag AwsSolutions-L1 flags any older one. */
export const REFLEX_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** Trainer pods the interruption Lambda flushes. */
export interface TrainerSelector {
  readonly namespace: string;
  readonly labelSelector: string;
  readonly port: number;
}

export interface ReflexFunctionsProps {
  /** The EKS cluster's VPC; the Lambdas run in its private subnets to reach pods and the VPN. */
  readonly vpc: ec2.IVpc;
  /** @default the VPC's private subnets */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** Security group of both Lambdas. @default a new one: egress 443 anywhere, trainer port inside the VPC */
  readonly securityGroup?: ec2.ISecurityGroup;
  /** Cluster security group to open for the Lambdas on 443 (the EKS API endpoint). @default none is changed */
  readonly clusterSecurityGroup?: ec2.ISecurityGroup;
  readonly clusterName: string;
  readonly trainer: TrainerSelector;
  /**
   * Tag of the cluster's Auto Scaling groups: the interruption Lambda may complete their lifecycle actions.
   * @default `kubernetes.io/cluster/<clusterName>` = `owned`
   */
  readonly autoScalingGroupTag?: AutoScalingGroupTag;
  readonly runId: string;
  /** Name of the composite alarm that means "AWS training is unhealthy". */
  readonly failoverAlarmName: string;
  /** The Azure brain's `POST /api/signals` URL. */
  readonly signalsEndpointUrl: string;
  readonly interruptionQueue: sqs.IQueue;
  /** The interruption queue's dead-letter queue; the handler puts malformed records there itself. */
  readonly interruptionDeadLetterQueue: sqs.IQueue;
  readonly outboxQueue: sqs.IQueue;
  readonly outboxDeadLetterQueue: sqs.IQueue;
  /** Bus for lifecycle events. */
  readonly lifecycleBus: events.IEventBus;
  /** @default Duration.seconds(60) */
  readonly interruptionTimeout?: Duration;
  /** @default Duration.seconds(30) */
  readonly signalTimeout?: Duration;
  /** Timeout of one HTTPS POST to Azure (SIGNAL_TIMEOUT_MS). @default Duration.seconds(10) */
  readonly signalHttpTimeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /**
   * Reserved concurrency of the interruption Lambda, so a storm of warnings is never starved by other functions;
   * `null` leaves it unreserved (accounts with the minimum concurrency quota cannot reserve any). @default 5
   */
  readonly interruptionReservedConcurrency?: number | null;
  /** Concurrent signal Lambdas the outbox may invoke. @default 2 */
  readonly signalMaxConcurrency?: number;
  /** @default 5 */
  readonly batchSize?: number;
  /** @default Duration.seconds(0) */
  readonly maxBatchingWindow?: Duration;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Where the Lambdas send their spans. @default nowhere */
  readonly tracing?: LambdaTracingProps | undefined;
  /** @default <repo>/lambdas/handlers/interruption.ts */
  readonly interruptionEntry?: string;
  /** @default <repo>/lambdas/handlers/signal.ts */
  readonly signalEntry?: string;
}

/**
 * The two reflex Lambdas. "interruption" consumes the interruption queue, flushes the affected trainers
 * (EKS API, then `POST /checkpoint` to pod IPs) and queues signals; "signal" consumes the outbox and POSTs HMAC-signed
 * signals to Azure over the VPN. Each has its own role with only the permissions it uses.
 */
export class ReflexFunctions extends Construct {
  public readonly interruptionFunction: nodejs.NodejsFunction;
  public readonly signalFunction: nodejs.NodejsFunction;
  public readonly interruptionRole: iam.Role;
  public readonly signalRole: iam.Role;
  /** One key ring per purpose (protocol/keys.ts); each Lambda reads only its own. */
  public readonly keys: Readonly<Record<KeyPurpose, secretsmanager.ISecret>>;
  public readonly securityGroup: ec2.ISecurityGroup;
  /** Lets the interruption role view pods in the trainer namespace and, through its group, nodes. */
  public readonly accessEntry: eks.CfnAccessEntry;

  constructor(scope: Construct, id: string, props: ReflexFunctionsProps) {
    super(scope, id);
    const interruptionTimeout = props.interruptionTimeout ?? Duration.seconds(60);
    const signalTimeout = props.signalTimeout ?? Duration.seconds(30);
    const signalHttpTimeout = props.signalHttpTimeout ?? Duration.seconds(10);
    const batchSize = props.batchSize ?? 5;
    const reserved = props.interruptionReservedConcurrency === null ? undefined : (props.interruptionReservedConcurrency ?? 5);
    const signalMaxConcurrency = props.signalMaxConcurrency ?? 2;
    this.validate(props, { interruptionTimeout, signalTimeout, signalHttpTimeout, batchSize, reserved, signalMaxConcurrency });

    this.securityGroup = props.securityGroup ?? this.createSecurityGroup(props);
    // The trainers' port is opened on the trainer-node security group (TrainerNodeAccess), which Karpenter
    // attaches to the trainer nodes; the cluster security group is only needed for the API endpoint.
    props.clusterSecurityGroup?.addIngressRule(this.securityGroup, ec2.Port.tcp(443), 'Spot-On Lambdas to the EKS API endpoint');

    this.keys = {
      flush: createKeyRingSecret(this, 'FlushKeys', 'flush'),
      signal: createKeyRingSecret(this, 'SignalKeys', 'signal'),
      trainer: createKeyRingSecret(this, 'TrainerKeys', 'trainer'),
    };

    const common = {
      runtime: REFLEX_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      handler: 'handler',
      memorySize: props.memorySize ?? 512,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        metafile: true,
        // Bundle the AWS SDK too, so Lambda runs the exact versions the tests ran.
        externalModules: [],
      },
    } satisfies Partial<nodejs.NodejsFunctionProps>;
    const tracing = lambdaTracing(this, props.tracing);
    const powertools = (service: string) => ({
      POWERTOOLS_SERVICE_NAME: service,
      POWERTOOLS_METRICS_NAMESPACE: 'SpotOn',
      NODE_OPTIONS: '--enable-source-maps',
      ...tracing.environment,
    });

    this.interruptionRole = createLambdaRole(this, 'InterruptionRole', 'Spot-On interruption Lambda');
    this.interruptionFunction = new nodejs.NodejsFunction(this, 'Interruption', {
      ...common,
      ...tracing.functionProps,
      description: 'Spot-On reflex: flush trainers on an interruption event and queue a signal for Azure',
      entry: props.interruptionEntry ?? path.join(REPO_ROOT, 'lambdas', 'handlers', 'interruption.ts'),
      role: this.interruptionRole,
      timeout: interruptionTimeout,
      reservedConcurrentExecutions: reserved,
      logGroup: this.createLogGroup('InterruptionLogs', props.logRetention),
      environment: {
        ...powertools('spot-on-interruption'),
        OUTBOX_QUEUE_URL: props.outboxQueue.queueUrl,
        DEAD_LETTER_QUEUE_URL: props.interruptionDeadLetterQueue.queueUrl,
        EVENT_BUS_NAME: props.lifecycleBus.eventBusName,
        EKS_CLUSTER_NAME: props.clusterName,
        TRAINER_NAMESPACE: props.trainer.namespace,
        TRAINER_LABEL_SELECTOR: props.trainer.labelSelector,
        TRAINER_PORT: String(props.trainer.port),
        FLUSH_KEYS_SECRET_ARN: this.keys.flush.secretArn,
        RUN_ID: props.runId,
        FAILOVER_ALARM_NAME: props.failoverAlarmName,
      },
    });

    this.signalRole = createLambdaRole(this, 'SignalRole', 'Spot-On signal Lambda');
    this.signalFunction = new nodejs.NodejsFunction(this, 'Signal', {
      ...common,
      ...tracing.functionProps,
      description: 'Spot-On reflex: POST HMAC-signed signals from the outbox to the Azure brain',
      entry: props.signalEntry ?? path.join(REPO_ROOT, 'lambdas', 'handlers', 'signal.ts'),
      role: this.signalRole,
      timeout: signalTimeout,
      logGroup: this.createLogGroup('SignalLogs', props.logRetention),
      environment: {
        ...powertools('spot-on-signal'),
        SIGNALS_ENDPOINT_URL: props.signalsEndpointUrl,
        SIGNAL_KEYS_SECRET_ARN: this.keys.signal.secretArn,
        DEAD_LETTER_QUEUE_URL: props.outboxDeadLetterQueue.queueUrl,
        SIGNAL_TIMEOUT_MS: String(signalHttpTimeout.toMilliseconds()),
      },
    });

    tracing.acknowledge(this.interruptionRole);
    tracing.acknowledge(this.signalRole);

    const maxBatchingWindow =
      props.maxBatchingWindow && props.maxBatchingWindow.toSeconds() > 0 ? props.maxBatchingWindow : undefined;
    this.interruptionFunction.addEventSource(
      new SqsEventSource(props.interruptionQueue, {
        batchSize,
        maxBatchingWindow,
        reportBatchItemFailures: true,
        // Never let the poller invoke beyond the reservation: that would only produce throttles and receives.
        maxConcurrency: reserved,
      }),
    );
    this.signalFunction.addEventSource(
      new SqsEventSource(props.outboxQueue, {
        batchSize,
        maxBatchingWindow,
        reportBatchItemFailures: true,
        maxConcurrency: signalMaxConcurrency,
      }),
    );
    for (const fn of [this.interruptionFunction, this.signalFunction]) {
      acknowledgeCheckov(
        fn,
        {
          id: 'CKV_AWS_116',
          reason:
            'Invoked only by its SQS event source (synchronously); a message that keeps failing moves to the queue\'s own ' +
            'dead-letter queue after maxReceiveCount. A function DLQ receives failed asynchronous invocations only.',
        },
        {
          id: 'CKV_AWS_173',
          reason:
            'The environment holds names, URLs and secret ARNs, no secret value (the key rings are read from Secrets ' +
            'Manager at run time); Lambda encrypts it at rest with its AWS-managed key.',
        },
      );
    }
    acknowledgeCheckov(this.signalFunction, {
      id: 'CKV_AWS_115',
      reason:
        'Bounded by its only trigger, the outbox event source, with maxConcurrency (signalMaxConcurrency); a reservation ' +
        'on top would hold account concurrency back from other functions while the outbox is empty.',
    });

    this.accessEntry = grantInterruption(this, this.interruptionRole, {
      clusterName: props.clusterName,
      trainerNamespace: props.trainer.namespace,
      outboxQueue: props.outboxQueue,
      interruptionDeadLetterQueue: props.interruptionDeadLetterQueue,
      lifecycleBus: props.lifecycleBus,
      flushKeys: this.keys.flush,
      autoScalingGroupTag: props.autoScalingGroupTag ?? defaultAutoScalingGroupTag(props.clusterName),
    });
    grantSignal(this.signalRole, { outboxDeadLetterQueue: props.outboxDeadLetterQueue, signalKeys: this.keys.signal });
  }

  private validate(
    props: ReflexFunctionsProps,
    v: {
      interruptionTimeout: Duration;
      signalTimeout: Duration;
      signalHttpTimeout: Duration;
      batchSize: number;
      reserved: number | undefined;
      signalMaxConcurrency: number;
    },
  ): void {
    const fail = (message: string): never => {
      throw new Error(`${this.node.path}: ${message}`);
    };
    if (v.interruptionTimeout.toSeconds() >= 120) fail('interruptionTimeout must be under the 2-minute Spot notice');
    if (v.signalHttpTimeout.toMilliseconds() >= v.signalTimeout.toMilliseconds()) {
      fail('signalHttpTimeout must be shorter than signalTimeout');
    }
    if (!Number.isInteger(v.batchSize) || v.batchSize < 1 || v.batchSize > 10) fail('batchSize must be 1-10');
    if (v.reserved !== undefined && (!Number.isInteger(v.reserved) || v.reserved < 2)) fail('interruptionReservedConcurrency must be at least 2');
    if (!Number.isInteger(v.signalMaxConcurrency) || v.signalMaxConcurrency < 2) fail('signalMaxConcurrency must be at least 2');
    const { port } = props.trainer;
    if (!Number.isInteger(port) || port < 1 || port > 65_535) fail('trainer.port must be 1-65535');
    if (!/^https:\/\//.test(props.signalsEndpointUrl)) fail('signalsEndpointUrl must be an https:// URL');
    const tag = props.autoScalingGroupTag;
    if (tag && (tag.key.length === 0 || tag.key.length > 128 || tag.value.length > 256)) {
      fail('autoScalingGroupTag needs a key of 1-128 characters and a value of at most 256');
    }
  }

  private createSecurityGroup(props: ReflexFunctionsProps): ec2.SecurityGroup {
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Spot-On reflex Lambdas: HTTPS out (AWS APIs, EKS API, Azure over VPN), trainer port in the VPC',
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs, EKS API, Azure signals endpoint');
    securityGroup.addEgressRule(
      ec2.Peer.ipv4(props.vpc.vpcCidrBlock),
      ec2.Port.tcp(props.trainer.port),
      'Trainer pods: POST /checkpoint',
    );
    return securityGroup;
  }

  private createLogGroup(id: string, retention?: logs.RetentionDays): logs.LogGroup {
    const logGroup = new logs.LogGroup(this, id, { retention: retention ?? logs.RetentionDays.ONE_MONTH });
    acknowledgeCheckov(logGroup, {
      id: 'CKV_AWS_158',
      reason:
        'CloudWatch Logs encrypts every log group at rest; the handlers log event ids and decisions, never key ' +
        'material, so a KMS key (and its policy for logs.amazonaws.com) would protect nothing more.',
    });
    return logGroup;
  }
}
