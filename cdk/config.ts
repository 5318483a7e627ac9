import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SignalSchema } from '../protocol/signal';

/**
 * Deployment configuration of the Spot-On CDK app: one JSON file, validated once here, then passed inward as a
 * typed `SpotOnConfig`. Everything account-specific (ids, CIDRs, addresses) lives in the file, so `cdk synth`
 * needs no AWS lookups and no credentials.
 */

/** CloudWatch Logs retention periods CloudFormation accepts (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const idOf = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), `must look like ${prefix}-0123456789abcdef0`);
const VpcIdSchema = idOf('vpc');
const SubnetIdSchema = idOf('subnet');
const RouteTableIdSchema = idOf('rtb');
const SecurityGroupIdSchema = idOf('sg');
const CidrSchema = z.cidrv4({ message: 'must be an IPv4 CIDR such as 10.0.0.0/16' });
const PortSchema = z.int().min(1).max(65_535);
const AsnSchema = z.int().min(1).max(4_294_967_294);
const LogRetentionSchema = z
  .int()
  .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
    message: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
  });
/** Kubernetes namespace name (RFC 1123 label). */
const NamespaceSchema = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a Kubernetes namespace name (RFC 1123 label)');

export const TrainerSchema = z.strictObject({
  /** Namespace the FL trainer pods run in; the interruption Lambda may only view this namespace. */
  namespace: NamespaceSchema,
  /** Label selector that finds trainer pods, e.g. `app.kubernetes.io/name=fl-trainer`. */
  labelSelector: z.string().min(1, 'must not be empty'),
  /** Port on which trainers serve `POST /checkpoint`. */
  port: PortSchema,
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
     * Security group of the cluster (API endpoint and nodes). When given, the Lambdas' security group is allowed
     * in on 443 and on the trainer port. @default no ingress rules are added (manage them with the cluster)
     */
    clusterSecurityGroupId: SecurityGroupIdSchema.optional(),
    trainer: TrainerSchema,
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

/** Azure APIPA range for BGP over AWS VPN tunnels: /30s inside 169.254.21.0-169.254.22.255. */
const TunnelInsideCidrSchema = z
  .string()
  .regex(/^169\.254\.(21|22)\.\d{1,3}\/30$/, 'must be a /30 inside 169.254.21.0/24 or 169.254.22.0/24 (Azure APIPA range)');

export const AzureVpnSchema = z
  .strictObject({
    /** Public IPs of the two instances of the active-active Azure VPN gateway. */
    gatewayPublicIps: z.tuple([z.ipv4({ message: 'must be an IPv4 address' }), z.ipv4({ message: 'must be an IPv4 address' })], {
      message: 'must list exactly two IPv4 addresses (active-active gateway)',
    }),
    /** BGP ASN of the Azure VPN gateway. @default 65515 (Azure's default) */
    bgpAsn: AsnSchema.default(65_515),
    /** ASN of the AWS virtual private gateway. @default 64512 */
    amazonSideAsn: AsnSchema.default(64_512),
    /** Azure VNet address spaces reachable over the VPN. */
    vnetCidrs: z.array(CidrSchema).min(1),
    /** `bgp` (dynamic) or `static` routes on the VPN connections. @default bgp */
    routing: z.enum(['bgp', 'static']).default('bgp'),
    /**
     * Tunnel inside CIDRs per connection (two tunnels each), needed for BGP with Azure APIPA addresses.
     * @default AWS picks them (fine for static routing)
     */
    tunnelInsideCidrs: z.tuple([z.tuple([TunnelInsideCidrSchema, TunnelInsideCidrSchema]), z.tuple([TunnelInsideCidrSchema, TunnelInsideCidrSchema])]).optional(),
    /** Propagate VPN routes into the private route tables (else static routes to the VNet CIDRs). @default true */
    propagateRoutes: z.boolean().default(true),
  })
  .superRefine((vpn, ctx) => {
    if (vpn.gatewayPublicIps[0] === vpn.gatewayPublicIps[1]) {
      ctx.addIssue({ code: 'custom', path: ['gatewayPublicIps'], message: 'must be two different addresses' });
    }
    if (vpn.bgpAsn === vpn.amazonSideAsn) {
      ctx.addIssue({ code: 'custom', path: ['amazonSideAsn'], message: 'must differ from bgpAsn' });
    }
  });

export const AzureSchema = z.strictObject({
  /** URL of the brain's `POST /api/signals` (the function app's private endpoint, reached over the VPN). */
  signalsEndpointUrl: z.url({ protocol: /^https$/, message: 'must be an https:// URL' }),
  vpn: AzureVpnSchema,
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
  /** Periods without an AWS trainer reporting before the AWS side counts as silent. @default 5 */
  trainersReportingEvaluationPeriods: z.int().min(1).max(100).default(5),
  /**
   * Dimensions of the aggregator's `SpotOn/AwsTrainersReporting` metric.
   * @default { RunId: <runId> }
   */
  trainersMetricDimensions: z.record(z.string().min(1), z.string().min(1)).optional(),
  /** Messages in a dead-letter queue that raise its alarm. @default 1 */
  deadLetterDepthThreshold: z.int().min(1).default(1),
});

export const QueuesSchema = z.strictObject({
  /** Retention of the work queues, days. @default 4 */
  retentionDays: z.int().min(1).max(14).default(4),
  /** Retention of the dead-letter queues, days. @default 14 */
  deadLetterRetentionDays: z.int().min(1).max(14).default(14),
  /** Receives before a message moves to its dead-letter queue. @default 3 */
  maxReceiveCount: z.int().min(3).max(5).default(3),
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
});

/** The validated configuration, defaults applied. */
export type SpotOnConfig = z.infer<typeof SpotOnConfigSchema>;
/** The configuration as written in the file (defaults optional). */
export type SpotOnConfigInput = z.input<typeof SpotOnConfigSchema>;

/** The configuration file is missing, not JSON, or invalid; `issues` has one `path: problem` line per setting. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    readonly issues: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

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
  throw new ConfigError(`${lines.join('\n')}\n(${source})`, issues, { cause: result.error });
}

/** Reads and validates the configuration file at `path`. */
export function loadConfig(path: string): SpotOnConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`config: cannot read ${path}`, [], { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config: ${path} is not valid JSON`, [], { cause: error });
  }
  return parseConfig(json, path);
}
