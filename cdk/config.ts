import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../protocol/config-error';
import { SignalSchema } from '../protocol/signal';
import { AzureSchema } from './config-azure';
import { CidrSchema, NamespaceSchema, PortSchema, idOf } from './config-primitives';
import { SQS_MAX_RECEIVE_COUNT, minimumRetentionSeconds, receivesToSurvive, visibilityTimeoutSeconds } from './lib/retry-budget';
import { TerraformOutputsSchema, mergeTerraformOutputs } from './terraform-outputs';

export { ConfigError };

export { AzureDnsSchema, AzureSchema, AzureVpnSchema, AZURE_PRIVATELINK_ZONES, forwardedDomains } from './config-azure';

/**
 * Deployment configuration of the Spot-On CDK app: one JSON file (optionally completed from the Azure Terraform
 * outputs), validated once here, then passed inward as a typed `SpotOnConfig`. Everything account-specific (ids,
 * CIDRs, addresses) lives in the file, so `cdk synth` needs no AWS lookups and no credentials.
 */

/** CloudWatch Logs retention periods CloudFormation accepts (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const VpcIdSchema = idOf('vpc');
const SubnetIdSchema = idOf('subnet');
const RouteTableIdSchema = idOf('rtb');
const SecurityGroupIdSchema = idOf('sg');
const LogRetentionSchema = z
  .int()
  .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
    message: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
  });

export const TrainerSchema = z.strictObject({
  /** Namespace the FL trainer pods run in; the interruption Lambda may only view this namespace. */
  namespace: NamespaceSchema,
  /** Label selector that finds trainer pods, e.g. `app.kubernetes.io/name=fl-trainer`. */
  labelSelector: z.string().min(1, 'must not be empty'),
  /** Port on which trainers serve `POST /checkpoint`. */
  port: PortSchema,
  /**
   * Service account of the trainer pods (the chart's `trainer.serviceAccount.name`): its EKS Pod Identity association
   * gets the role that reads the training data. @default fl-trainer
   */
  serviceAccount: z
    .string()
    .regex(/^[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$/, 'must be a Kubernetes service account name')
    .default('fl-trainer'),
});

export const ContainerInsightsSchema = z.strictObject({
  /**
   * Install the `amazon-cloudwatch-observability` EKS add-on (and its Pod Identity role); false when the cluster
   * already has it from elsewhere. Without it the node alarms never see data (they then stay OK). @default true
   */
  installAddon: z.boolean().default(true),
  /** Add-on version, e.g. v4.1.0-eksbuild.1 (Pod Identity needs v3.1.0 or later). @default EKS's default for the cluster */
  addonVersion: z.string().regex(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, 'must look like v4.1.0-eksbuild.1').optional(),
  /** Also ship container logs through Fluent Bit (CloudWatch Logs cost; log groups without retention). @default false */
  containerLogs: z.boolean().default(false),
  /** Also install `eks-pod-identity-agent`; leave false when the cluster has it (a second install fails). @default false */
  installPodIdentityAgent: z.boolean().default(false),
});

export const EksSchema = z
  .strictObject({
    clusterName: z
      .string()
      .regex(/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/, 'must be an EKS cluster name (1-100 of [A-Za-z0-9-_])'),
    vpcId: VpcIdSchema,
    vpcCidr: CidrSchema,
    availabilityZones: z.array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, 'must be an AZ name such as us-west-2a')).min(1),
    /** Private subnets of the EKS VPC, one per availability zone, in the same order. */
    privateSubnetIds: z.array(SubnetIdSchema).min(1),
    /** Route tables of `privateSubnetIds`, same order; Azure VNet routes are added to them. */
    privateRouteTableIds: z.array(RouteTableIdSchema).min(1),
    /** Existing security group for the Lambdas. @default a new one is created */
    lambdaSecurityGroupId: SecurityGroupIdSchema.optional(),
    /**
     * Security group of the cluster (API endpoint). When given, the Lambdas' security group is allowed in on 443.
     * (The trainer port is opened on the trainer-node security group this stack creates for Karpenter.)
     * @default no ingress rule is added (manage it with the cluster)
     */
    clusterSecurityGroupId: SecurityGroupIdSchema.optional(),
    trainer: TrainerSchema,
    /**
     * Tag of the cluster's Auto Scaling groups (node groups), whose lifecycle actions the interruption Lambda may
     * complete. @default { key: "kubernetes.io/cluster/<clusterName>", value: "owned" } (EKS managed node groups)
     */
    autoScalingGroupTag: z.strictObject({ key: z.string().min(1).max(128), value: z.string().max(256) }).optional(),
    containerInsights: ContainerInsightsSchema.prefault({}),
  })
  .superRefine((eks, ctx) => {
    if (eks.privateSubnetIds.length % eks.availabilityZones.length !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['privateSubnetIds'],
        message: `must list one subnet per availability zone (${eks.availabilityZones.length} zones, ${eks.privateSubnetIds.length} subnets)`,
      });
    }
    if (eks.privateRouteTableIds.length !== eks.privateSubnetIds.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['privateRouteTableIds'],
        message: `must list one route table per private subnet (${eks.privateSubnetIds.length} subnets, ${eks.privateRouteTableIds.length} route tables)`,
      });
    }
  });

export const AlarmsSchema = z.strictObject({
  /** Period of every health alarm, seconds. @default 60 */
  periodSeconds: z.union([z.literal(10), z.literal(30), z.int().min(60).multipleOf(60)]).default(60),
  /** Periods evaluated by the EKS node alarms. @default 3 */
  evaluationPeriods: z.int().min(1).max(100).default(3),
  /** Failed worker nodes (Container Insights `cluster_failed_node_count`) that count as unhealthy. @default 1 */
  failedNodeThreshold: z.int().min(1).default(1),
  /** Fewer worker nodes than this (`cluster_node_count`) counts as unhealthy. @default 1 */
  minClusterNodes: z.int().min(1).default(1),
  /** Messages in a dead-letter queue that raise its alarm. @default 1 */
  deadLetterDepthThreshold: z.int().min(1).default(1),
});

export const QueuesSchema = z.strictObject({
  /** Retention of the work queues, days; at least twice a queue's redrive window. @default 4 */
  retentionDays: z.int().min(1).max(14).default(4),
  /** Retention of the dead-letter queues, days; not below retentionDays (SQS keeps the first enqueue time). @default 14 */
  deadLetterRetentionDays: z.int().min(1).max(14).default(14),
  /** Receives of the interruption queue before a message moves to its dead-letter queue. @default 3 */
  maxReceiveCount: z.int().min(3).max(5).default(3),
  /**
   * Minutes a signal must survive an unreachable brain (VPN or Function App down) before the outbox dead-letters
   * it; the outbox's maxReceiveCount is ceil(tolerance / visibility timeout) + 2. @default 60
   */
  outboxOutageToleranceMinutes: z.int().min(60).max(1440).default(60),
});

export const LambdasSchema = z
  .strictObject({
    /** @default 512 */
    memorySizeMb: z.int().min(128).max(10_240).default(512),
    /** Must fit inside the 2-minute Spot notice. @default 60 */
    interruptionTimeoutSeconds: z.int().min(10).max(110).default(60),
    /** @default 30 */
    signalTimeoutSeconds: z.int().min(5).max(900).default(30),
    /** HTTP timeout of one signal POST (SIGNAL_TIMEOUT_MS); below the signal Lambda timeout. @default 10000 */
    signalHttpTimeoutMs: z.int().min(100).default(10_000),
    /** Reserved concurrency of the interruption Lambda (null: unreserved). @default 5 */
    interruptionReservedConcurrency: z.int().min(2).nullable().default(5),
    /** Maximum concurrent signal Lambdas the outbox may invoke (protects the Azure endpoint). @default 2 */
    signalMaxConcurrency: z.int().min(2).max(1000).default(2),
    /** SQS batch size of both event sources. @default 5 */
    batchSize: z.int().min(1).max(10).default(5),
    /** SQS batching window, seconds (0: invoke at once; the Spot notice is short). @default 0 */
    maxBatchingWindowSeconds: z.int().min(0).max(300).default(0),
    /** @default 30 */
    logRetentionDays: LogRetentionSchema.default(30),
    /**
     * OpenTelemetry spans of the incident traces (docs/ARCHITECTURE.md, "Traces"). @default none: no span is sent.
     * With `collectorLayerArn` (an ADOT collector layer for arm64) the spans go to the layer's collector, and on to
     * X-Ray; with `otlpEndpoint` alone, to that OTLP/HTTP endpoint.
     */
    tracing: z
      .strictObject({
        otlpEndpoint: z.url({ protocol: /^https?$/ }).optional(),
        collectorLayerArn: z.string().regex(/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]+:\d+$/, 'must be a Lambda layer version ARN').optional(),
      })
      .refine((tracing) => tracing.otlpEndpoint !== undefined || tracing.collectorLayerArn !== undefined, 'needs otlpEndpoint or collectorLayerArn')
      .optional(),
  })
  .superRefine((lambdas, ctx) => {
    if (lambdas.signalHttpTimeoutMs >= lambdas.signalTimeoutSeconds * 1000) {
      ctx.addIssue({
        code: 'custom',
        path: ['signalHttpTimeoutMs'],
        message: `must be below signalTimeoutSeconds (${lambdas.signalTimeoutSeconds} s)`,
      });
    }
  });

export const LifecycleBusSchema = z.strictObject({
  /** Days the `spot-on` bus archive keeps events (0: forever). @default 30 */
  archiveRetentionDays: z.int().min(0).default(30),
});

export const SpotOnConfigSchema = z.strictObject({
  /** AWS account id (12 digits). */
  account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-west-2'),
  /** FL run id, as in signals. */
  runId: SignalSchema.shape.runId,
  /** @default SpotOn */
  stackName: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must be a CloudFormation stack name').default('SpotOn'),
  eks: EksSchema,
  azure: AzureSchema,
  alarms: AlarmsSchema.prefault({}),
  queues: QueuesSchema.prefault({}),
  lambdas: LambdasSchema.prefault({}),
  lifecycleBus: LifecycleBusSchema.prefault({}),
  /** Tags put on every resource. @default {} */
  tags: z.record(z.string().min(1), z.string()).default({}),
}).superRefine((config, ctx) => {
  const { queues, lambdas } = config;
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (queues.deadLetterRetentionDays < queues.retentionDays) issue(['queues', 'deadLetterRetentionDays'], 'must not be below queues.retentionDays');
  const outboxVisibility = visibilityTimeoutSeconds(lambdas.signalTimeoutSeconds);
  const outboxReceives = receivesToSurvive(queues.outboxOutageToleranceMinutes * 60, outboxVisibility);
  if (outboxReceives > SQS_MAX_RECEIVE_COUNT) {
    issue(['queues', 'outboxOutageToleranceMinutes'], `needs ${outboxReceives} receives of ${outboxVisibility} s, over the SQS maximum of ${SQS_MAX_RECEIVE_COUNT}`);
  }
  const redrive = [
    { receives: outboxReceives, visibility: outboxVisibility },
    { receives: queues.maxReceiveCount, visibility: visibilityTimeoutSeconds(lambdas.interruptionTimeoutSeconds) },
  ];
  const needed = Math.max(...redrive.map(({ receives, visibility }) => minimumRetentionSeconds(receives, visibility)));
  if (queues.retentionDays * 86_400 < needed) {
    issue(['queues', 'retentionDays'], `must be at least ${Math.ceil(needed / 86_400)} (twice the longest queue redrive window)`);
  }
});

/** The validated configuration, defaults applied. */
export type SpotOnConfig = z.infer<typeof SpotOnConfigSchema>;
/** The configuration as written in the file (defaults optional). */
export type SpotOnConfigInput = z.input<typeof SpotOnConfigSchema>;

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Validates a parsed configuration object; throws `ConfigError` naming every missing or invalid setting. */
export function parseConfig(input: unknown, source = 'config'): SpotOnConfig {
  const result = SpotOnConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join('.') || '(root)';
    const missing = issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined;
    return `${path}: ${missing ? 'required' : issue.message}`;
  });
  const lines = issues.map((line) => `config: ${line}`);
  throw new ConfigError(`${lines.join('\n')}\n(${source})`, { settings: issues, cause: result.error });
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`config: cannot read ${path}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config: ${path} is not valid JSON`, { cause: error });
  }
}

export interface LoadConfigOptions {
  /**
   * File written by `terraform output -json` for the Azure side: fills the Azure settings the configuration file
   * leaves out (a setting given in both must agree). @default none
   */
  readonly terraformOutputsPath?: string;
}

/** Reads and validates the configuration file at `path`, completed from the Terraform outputs when given. */
export function loadConfig(path: string, options: LoadConfigOptions = {}): SpotOnConfig {
  const json = readJson(path);
  const outputsPath = options.terraformOutputsPath;
  if (outputsPath === undefined || json === null || typeof json !== 'object' || Array.isArray(json)) return parseConfig(json, path);
  const outputs = TerraformOutputsSchema.safeParse(readJson(outputsPath));
  if (!outputs.success) {
    throw new ConfigError(`config: ${outputsPath} is not the JSON of \`terraform output -json\``, { cause: outputs.error });
  }
  const { config, conflicts } = mergeTerraformOutputs(json as Record<string, unknown>, outputs.data);
  if (conflicts.length > 0) {
    throw new ConfigError(`${conflicts.map((line) => `config: ${line}`).join('\n')}\n(${path}, ${outputsPath})`, { settings: conflicts });
  }
  return parseConfig(config, `${path} + ${outputsPath}`);
}
