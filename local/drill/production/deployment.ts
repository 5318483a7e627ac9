/**
 * The production configuration the drill runs: the AWS side from the CloudFormation template that `cdk synth`
 * makes of the CDK config, the brain's policy as the Terraform example deploys it (it sets no policy setting,
 * so the Functions' own defaults apply), and the trainers' flush budget from the chart's rendered manifests.
 * Every duration is compressed by one factor (time-compression.ts); any other difference is recorded.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { GpuPoolNames } from '../../arm';
import { POLICY_DEFAULTS } from '../../../azure-functions/src/domain/policy';
import { loadConfig } from '../../../cdk/config';
import { synthesizeTemplate as synthesizeStack } from '../../../cli/preflight/inputs/cdk-template';
import { loadTerraformDeployment } from '../../../cli/preflight/inputs/terraform';
import { defaultRunConfig, parseShardList, type ShardConfig } from '../../../fl-training/config';
import type { Cloud } from '../../../protocol/run-status';
import { DEADLINE_SCENARIO_DEADLINE_MS, DRILL_RUN_TIMEOUTS } from '../run';
import { readAwsDeployment, type AwsDeployment, type CfnTemplate } from './aws-template';
import { Compression, type ProductionDifference } from './time-compression';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const EXAMPLE_CDK_CONFIG = path.join(REPO_ROOT, 'cdk', 'config.example.json');
const TERRAFORM_MODULE = path.join(REPO_ROOT, 'terraform-azure');
export const TERRAFORM_EXAMPLE = path.join(TERRAFORM_MODULE, 'examples', 'default');
const FUNCTIONS_APP_SOURCES = path.join(REPO_ROOT, 'azure-functions', 'src', 'index.ts');
export const RENDERED_CHART = { eks: path.join(REPO_ROOT, 'fl-training', 'chart', 'rendered', 'eks.yaml'), aks: path.join(REPO_ROOT, 'fl-training', 'chart', 'rendered', 'aks.yaml') };

/** Where the deployment's settings come from. */
export interface DeploymentSources {
  /** The CDK config file (`cdk/config.example.json` by default). */
  readonly cdkConfig: string;
  /** `helm template` output per cloud (the committed renders of the chart's example values by default). */
  readonly rendered: { readonly eks: string; readonly aks: string };
  /** The directory of the Terraform root module that calls terraform-azure (the example by default). */
  readonly terraform: string;
  /** Its variables, as terraform reads them (the example's terraform.tfvars.example by default). */
  readonly tfvars?: string;
  /** `terraform output -json`, which `cdk deploy -c azureOutputs=` merges into the CDK config. */
  readonly terraformOutputs?: string;
  /** The function app as published (`npm run build:functions` makes azure-functions/dist/index.js); default: its sources. */
  readonly functionsApp?: string;
}

export const EXAMPLE_SOURCES: DeploymentSources = { cdkConfig: EXAMPLE_CDK_CONFIG, rendered: RENDERED_CHART, terraform: TERRAFORM_EXAMPLE, tfvars: path.join(TERRAFORM_EXAMPLE, 'terraform.tfvars.example') };

/** The drill's settings, each from the deployment, compressed. */
export interface DrillDeployment {
  readonly compression: Compression;
  readonly aws: AwsDeployment;
  /** Queue settings as the local SQS takes them (seconds may be fractional there). */
  readonly queues: {
    readonly interruption: { readonly visibilityTimeoutSeconds: number; readonly maxReceiveCount: number };
    readonly outbox: { readonly visibilityTimeoutSeconds: number; readonly maxReceiveCount: number };
  };
  /** The AKS GPU pools Terraform creates (the ARM emulator's cluster has them). */
  readonly gpuPools: GpuPoolNames;
  /** The brain's sizes and pools (from Terraform) and duration settings (Terraform sets none: the Functions' defaults, compressed). */
  readonly brainEnv: Readonly<Record<string, string>>;
  /** Settings every trainer pod gets from the chart, per cloud, compressed. */
  readonly trainerEnv: { readonly aws: Readonly<Record<string, string>>; readonly azure: Readonly<Record<string, string>> };
  /** Settings the aggregator gets from the chart (AKS release), compressed. */
  readonly aggregatorEnv: Readonly<Record<string, string>>;
  /** The signal Lambda's per-request budget (SIGNAL_TIMEOUT_MS), compressed. */
  readonly signalTimeoutMs: number;
  /** AWS trainer pods the EKS release runs (its Deployment's replicas): one per shard of the drill's run. */
  readonly awsTrainers: number;
  /** The module the local Functions host loads: the published bundle, when given, else the app's sources. */
  readonly functionsApp: string;
  /** Where each cloud's trainers read their data (SPOTON_DATA_URL of the EKS and AKS releases). */
  readonly data: Readonly<Record<Cloud, string>>;
  /** The run's shards and their residency as the AKS release gives them to the aggregator (SPOTON_SHARDS), if it does. */
  readonly shards?: readonly ShardConfig[];
}

/**
 * Synthesizes the stack offline (no bundling, no cdk-nag), as preflight does, and returns its CloudFormation
 * template; with Terraform outputs, the config is completed from them as `cdk deploy -c azureOutputs=` does.
 */
export function synthesizeTemplate(cdkConfigPath: string, terraformOutputsPath?: string): CfnTemplate {
  return synthesizeStack(loadConfig(cdkConfigPath, { terraformOutputsPath }), path.join(REPO_ROOT, 'cdk.json')) as CfnTemplate;
}

interface ContainerSpec {
  readonly name: string;
  readonly env?: readonly { readonly name: string; readonly value?: string }[];
}

/** The literal env of a Deployment's container and its pod's grace period, from a rendered manifest. */
function renderedWorkload(file: string, deployment: string): { env: Map<string, string>; terminationGracePeriodSeconds: number; replicas: number } {
  for (const document of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const object = document.toJSON() as { kind?: string; metadata?: { name?: string }; spec?: { replicas?: number; template?: { spec?: { containers?: ContainerSpec[]; terminationGracePeriodSeconds?: number } } } } | null;
    if (object?.kind !== 'Deployment' || object.metadata?.name !== deployment) continue;
    const pod = object.spec?.template?.spec;
    const container = pod?.containers?.[0];
    const env = new Map((container?.env ?? []).flatMap((variable) => (variable.value === undefined ? [] : [[variable.name, variable.value] as const])));
    return { env, terminationGracePeriodSeconds: pod?.terminationGracePeriodSeconds ?? 30, replicas: object.spec?.replicas ?? 1 };
  }
  throw new Error(`${file} renders no Deployment ${deployment}`);
}

/** The aggregator's SPOTON_MIN_AWS_TRAINERS as the AKS release sets it. */
function aggregatorMinimum(file: string): string | undefined {
  return renderedWorkload(file, 'fl-aggregator').env.get('SPOTON_MIN_AWS_TRAINERS');
}

/** Duration settings of the trainer and aggregator (the chart's env names), in milliseconds. */
const FL_DURATION_SETTINGS = ['SPOTON_SIGTERM_GRACE_MS', 'SPOTON_STATE_POLL_MS', 'SPOTON_TICK_MS', 'SPOTON_SIGNAL_BACKOFF_MS', 'SPOTON_SIGNAL_RETRY_MS', 'SPOTON_SIGNAL_MAX_RETRY_MS'] as const;

/**
 * Floors for budgets that real work fills: a flush pushes a model over loopback and a tick runs the aggregator's
 * checks; compressed below these they would measure the machine, not the system.
 */
const FL_FLOORS_MS: Readonly<Record<(typeof FL_DURATION_SETTINGS)[number], number>> = {
  SPOTON_SIGTERM_GRACE_MS: 5_000,
  SPOTON_STATE_POLL_MS: 0,
  SPOTON_TICK_MS: 250,
  SPOTON_SIGNAL_BACKOFF_MS: 1,
  SPOTON_SIGNAL_RETRY_MS: 1,
  SPOTON_SIGNAL_MAX_RETRY_MS: 1,
};

/** The aggregator's defaults for what the chart leaves unset (fl-training/aggregator/main.ts). */
const AGGREGATOR_DEFAULTS_MS = { SPOTON_STATE_POLL_MS: 10_000, SPOTON_TICK_MS: 1_000, SPOTON_SIGNAL_BACKOFF_MS: 500, SPOTON_SIGNAL_RETRY_MS: 15_000, SPOTON_SIGNAL_MAX_RETRY_MS: 120_000 };

function compressedFlEnv(compression: Compression, workload: string, env: Map<string, string>, defaults: Readonly<Record<string, number>> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FL_DURATION_SETTINGS) {
    const value = env.get(name) ?? defaults[name];
    if (value !== undefined) out[name] = String(compression.ms(`${workload} ${name}`, Number(value), FL_FLOORS_MS[name]));
  }
  return out;
}

/**
 * Sizes the Terraform root module gives the Function App, read as preflight reads it (variables resolved, the
 * module's defaults filled in).
 */
async function terraformSizes(dir: string, tfvars: string | undefined): Promise<{ minAwsTrainers: number; maxAzureNodes: number; gpuPoolName: string; onDemandPoolName: string }> {
  const { minAwsTrainers, maxAzureNodes, gpuPoolName, onDemandPoolName } = await loadTerraformDeployment({ dir, ...(tfvars === undefined ? {} : { tfvars }), fallbackModuleDir: TERRAFORM_MODULE }, process.env);
  if (minAwsTrainers === undefined || maxAzureNodes === undefined || gpuPoolName === undefined || onDemandPoolName === undefined) {
    throw new Error(`${dir}: function_app.min_aws_trainers, gpu_spot_pool.max_count and the GPU pools' names must be known without running terraform`);
  }
  return { minAwsTrainers, maxAzureNodes, gpuPoolName, onDemandPoolName };
}

/** Reads the deployment's settings and compresses them for the drill. */
export async function drillDeployment(sources: DeploymentSources = EXAMPLE_SOURCES, compression = new Compression()): Promise<DrillDeployment> {
  const aws = readAwsDeployment(synthesizeTemplate(sources.cdkConfig, sources.terraformOutputs));
  const queue = (name: string, settings: AwsDeployment['outbox']) => ({
    // SQS takes whole seconds (fauxqs, like SQS, refuses anything else): rounded up and reported when not exact.
    visibilityTimeoutSeconds: compression.seconds(`${name} VisibilityTimeout`, settings.visibilityTimeoutSeconds, 0),
    maxReceiveCount: settings.maxReceiveCount ?? 1,
  });

  // The Functions' policy defaults are what the Terraform example deploys (it sets none of them).
  const sizes = await terraformSizes(sources.terraform, sources.tfvars);
  const brainEnv = {
    SPOTON_MIN_AWS_TRAINERS: String(sizes.minAwsTrainers),
    SPOTON_MAX_AZURE_NODES: String(sizes.maxAzureNodes),
    SPOTON_GPU_POOL_NAME: sizes.gpuPoolName,
    SPOTON_ON_DEMAND_POOL_NAME: sizes.onDemandPoolName,
    SPOTON_EXPECTED_MOVE_SECONDS: String(compression.seconds('SPOTON_EXPECTED_MOVE_SECONDS', POLICY_DEFAULTS.expectedMoveSeconds, 0)),
    SPOTON_REPLACEMENT_GRACE_SECONDS: String(compression.seconds('SPOTON_REPLACEMENT_GRACE_SECONDS', POLICY_DEFAULTS.replacementGraceSeconds, 0)),
    SPOTON_MIN_PHASE_DURATION_SECONDS: String(compression.seconds('SPOTON_MIN_PHASE_DURATION_SECONDS', POLICY_DEFAULTS.minPhaseDurationSeconds, 0)),
    SPOTON_FAILBACK_COOLDOWN_SECONDS: String(compression.seconds('SPOTON_FAILBACK_COOLDOWN_SECONDS', POLICY_DEFAULTS.failbackCooldownSeconds, 0)),
    SPOTON_RECHECK_SECONDS: String(compression.seconds('SPOTON_RECHECK_SECONDS', POLICY_DEFAULTS.recheckSeconds)),
    SPOTON_LEASE_SECONDS: String(compression.seconds('SPOTON_LEASE_SECONDS', POLICY_DEFAULTS.leaseSeconds)),
    SPOTON_OPERATION_TIMEOUT_SECONDS: String(Math.max(10, compression.seconds('SPOTON_OPERATION_TIMEOUT_SECONDS', POLICY_DEFAULTS.operationTimeoutSeconds))),
    SPOTON_CONTINUATION_DELAY_SECONDS: String(compression.seconds('SPOTON_CONTINUATION_DELAY_SECONDS', 15)),
    SPOTON_CONTINUATION_MAX_DELAY_SECONDS: String(compression.seconds('SPOTON_CONTINUATION_MAX_DELAY_SECONDS', 120)),
  };

  const signalTimeout = aws.signal.environment.SIGNAL_TIMEOUT_MS;
  const signalTimeoutMs = compression.ms('SIGNAL_TIMEOUT_MS', Number(signalTimeout && 'literal' in signalTimeout ? signalTimeout.literal : 10_000), 1_000);
  recordFixedDifferences(compression, aws);
  if (sources.functionsApp === undefined) {
    compression.differ('Function App code', 'the bundle `npm run build:functions` makes, as published', 'the app\'s TypeScript sources', 'the drill needs no build step; --functions-app runs the published bundle instead');
  }

  const eks = renderedWorkload(sources.rendered.eks, 'fl-trainer');
  const minAwsTrainers = aggregatorMinimum(sources.rendered.aks);
  const aksTrainer = renderedWorkload(sources.rendered.aks, 'fl-trainer');
  const aggregator = renderedWorkload(sources.rendered.aks, 'fl-aggregator');
  const data = { aws: renderedSetting(sources.rendered.eks, eks, 'SPOTON_DATA_URL'), azure: renderedSetting(sources.rendered.aks, aksTrainer, 'SPOTON_DATA_URL') };
  if (renderedSetting(sources.rendered.aks, aggregator, 'SPOTON_DATA_URL') !== data.azure) throw new Error(`${sources.rendered.aks}: the aggregator and the trainers read data from different places`);
  const shards = aggregator.env.get('SPOTON_SHARDS');
  return {
    compression,
    aws,
    queues: { interruption: queue('interruption', aws.interruptionQueue), outbox: queue('outbox', aws.outbox) },
    gpuPools: { spot: sizes.gpuPoolName, onDemand: sizes.onDemandPoolName },
    brainEnv,
    trainerEnv: { aws: compressedFlEnv(compression, 'eks trainer', eks.env), azure: compressedFlEnv(compression, 'aks trainer', aksTrainer.env) },
    aggregatorEnv: { ...compressedFlEnv(compression, 'aggregator', aggregator.env, AGGREGATOR_DEFAULTS_MS), ...(minAwsTrainers === undefined ? {} : { SPOTON_MIN_AWS_TRAINERS: minAwsTrainers }) },
    signalTimeoutMs,
    awsTrainers: eks.replicas,
    functionsApp: sources.functionsApp ?? FUNCTIONS_APP_SOURCES,
    data,
    ...(shards === undefined ? {} : { shards: parseShardList(shards) }),
  };
}

/** A setting a rendered workload must have. */
function renderedSetting(file: string, workload: { env: Map<string, string> }, name: string): string {
  const value = workload.env.get(name);
  if (value === undefined) throw new Error(`${file}: a workload renders no ${name}`);
  return value;
}

/** What the local cloud necessarily does differently, whatever the configuration. */
function recordFixedDifferences(compression: Compression, aws: AwsDeployment): void {
  compression.keep('interruption Lambda timeout', `${aws.interruption.timeoutSeconds} s`, 'a compute budget: the handler does real work at real speed');
  compression.keep('signal Lambda timeout', `${aws.signal.timeoutSeconds} s`, 'a compute budget: the handler does real work at real speed');
  compression.differ('SIGNALS_ENDPOINT_URL', 'the Function App private endpoint', 'the local Functions host behind the VPN relay', 'an address: the local cloud has its own');
  compression.differ('TRAINER_PORT', '8080', 'a free port', 'the drill must not collide with a service on this machine; Lambda and trainers still agree on one port');
  compression.differ('RUN_ID', 'the deployment\'s run id', 'one run id per scenario', 'keeps each scenario\'s checkpoints, logs and report apart');
  compression.differ('Lambda logs and metrics', 'CloudWatch', 'off', 'the drill measures from typed events, not logs');
  compression.differ('OTEL_EXPORTER_OTLP_ENDPOINT', 'unset (no spans sent) or your collector (ADOT on AWS, an OpenTelemetry Collector on Azure)', 'the drill\'s OTLP receiver, for every component', 'the drill reports each incident\'s trace; the exporter and its variable are production\'s');
  compression.differ('SQS event source long poll', '20 s (Lambda\'s)', '1 s', 'a receive returns as soon as a message arrives, so delivery is as fast; a short poll lets a scenario stop its pollers at once (fauxqs hands the next message to an abandoned poll)');
  compression.differ('GPU node provisioning', '5-11 min (AKS)', 'the ARM emulator\'s delay', 'no GPU exists here; the delay stands for it');
  const job = defaultRunConfig('mnist');
  for (const name of Object.keys(DRILL_RUN_TIMEOUTS) as (keyof typeof DRILL_RUN_TIMEOUTS)[]) {
    compression.differ(`run config ${name}`, `${job[name]} ms (the job's default; the chart's runConfig sets none)`, `${DRILL_RUN_TIMEOUTS[name]} ms`, 'compressed it would be shorter than a heartbeat or a trainer start on this machine; see local/drill/run.ts');
  }
  compression.differ('run config deadlineMs', 'none (the chart\'s runConfig sets none; a run sets its own)', `${DEADLINE_SCENARIO_DEADLINE_MS} ms in the deadline scenario, none elsewhere`, 'the deadline safety net acts only for a run with a deadline; the deadline scenario shows it, the others run as deployed');
  compression.differ('AKS GPU pools (gpu_spot_pool, gpu_on_demand_pool)', 'autoscaler on, min_count 0: the brain raises minCount', 'the ARM emulator\'s seed: autoscaler off, the brain sets count', 'the seed deck\'s pools; the brain handles both shapes (azure-functions/src/domain/pool-target.ts), and the drill reads the pools\' names from Terraform');
  compression.differ('GPU training time', 'minutes per round', '2 s per round (batches paced by SPOTON_MIN_BATCH_MS)', 'a tiny MNIST model on CPU stands for the real model on a GPU; pacing keeps rounds as long whatever the load');
}

/** The deployment as JSON, so that child drill processes run exactly what their parent read (and read it once). */
export function deploymentJson(deployment: DrillDeployment): string {
  return JSON.stringify({ ...deployment, compression: { factor: deployment.compression.factor, differences: deployment.compression.differences } });
}

/** The deployment a parent drill wrote with deploymentJson. */
export function deploymentFromJson(text: string): DrillDeployment {
  const saved = JSON.parse(text) as Omit<DrillDeployment, 'compression'> & { compression: { factor: number; differences: ProductionDifference[] } };
  return { ...saved, compression: Compression.from(saved.compression) };
}
