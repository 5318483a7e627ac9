/**
 * The shared shape of `spot-on preflight`: every input loaded and validated once (inputs/), then passed to small pure
 * checks (checks/) that each return problem lines or say why they were skipped. The runner (run.ts) collects them.
 */
import type { SpotOnConfig } from '../../cdk/config';
import type { ChartValues, Cluster } from './inputs/chart-values';
import type { KarpenterManifests } from './inputs/karpenter';
import type { TerraformDeployment } from './inputs/terraform';
import type { TerraformOutputsView } from './inputs/terraform-outputs';
import type { CfnTemplate } from './alarm-producers';

/** One Helm release of the chart: the chart's values.yaml with the cluster's files merged over it, as Helm does. */
export interface ChartRelease {
  readonly cluster: Cluster;
  /** The values files, in merge order (for messages). */
  readonly files: readonly string[];
  readonly values: ChartValues;
}

/** Everything a check may read. Optional parts are absent when their input was not given or cannot be derived. */
export interface PreflightInputs {
  /** The CDK configuration (completed from the Terraform outputs when given, as `cdk deploy` does). */
  readonly config: SpotOnConfig;
  /** The chart releases; a cluster without values files is absent and the checks that need it are skipped. */
  readonly charts: Readonly<Partial<Record<Cluster, ChartRelease>>>;
  /** What the Azure Terraform root module creates, as far as it can be known without running terraform. */
  readonly terraform: TerraformDeployment;
  /** `terraform output -json`, when given: the values Terraform really produced win over derived ones. */
  readonly terraformOutputs?: TerraformOutputsView;
  readonly karpenter: KarpenterManifests;
  /** The synthesized CloudFormation template; absent with --no-synth. */
  readonly template?: CfnTemplate;
  /** Seconds from a Spot notice to the end of the instance, per `fl.cloud`, as the chart's own helper states them. */
  readonly spotNoticeSeconds: Readonly<Record<'aws' | 'azure', number>>;
  /** How long a signal must survive an unreachable brain (`--outage-tolerance-minutes`). */
  readonly outageToleranceMinutes: number;
}

/** What one check found: problem lines (none: passed), or why it could not run. */
export type CheckOutcome = { readonly problems: readonly string[] } | { readonly skipped: string };

/** A named pure check over the inputs. */
export interface Check {
  /** Short kebab-case name, printed before each of its problems. */
  readonly name: string;
  readonly run: (inputs: PreflightInputs) => CheckOutcome;
}

/** A passed check, or one with these problems. */
export function problems(...lines: readonly (string | false | undefined)[]): CheckOutcome {
  return { problems: lines.filter((line): line is string => typeof line === 'string') };
}

/** A check that could not run, with the reason shown as `skipped: <check>: <reason>`. */
export function skipped(reason: string): CheckOutcome {
  return { skipped: reason };
}
