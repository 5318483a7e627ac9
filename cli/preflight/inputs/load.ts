/**
 * Loads every preflight input once: reads the files, validates them, and fails with PreflightInputError naming the
 * file and setting. Each input defaults to the example the repository ships, so `spot-on preflight` alone checks those.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, parseConfig, type SpotOnConfig } from '../../../cdk/config';
import { mergeTerraformOutputs, type TerraformOutputs } from '../../../cdk/terraform-outputs';
import type { ChartRelease, PreflightInputs } from '../types';
import { CLUSTERS, assignClusters, readValuesFile, releaseValues, type ValuesArgument } from './chart-values';
import { chartSpotNoticeSeconds } from './chart-notice';
import { synthesizeTemplate } from './cdk-template';
import { PreflightInputError } from './errors';
import { loadKarpenter } from './karpenter';
import { loadTerraformDeployment } from './terraform';
import { outputsView, parseTerraformOutputs } from './terraform-outputs';

/** The repository root: defaults are the examples shipped here, wherever the command runs from. */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const fromRoot = (...parts: string[]) => join(REPO_ROOT, ...parts);

export interface PreflightOptions {
  /** CDK configuration JSON. */
  readonly config: string;
  /** Values files in order, each `eks=`/`aks=`-prefixed or assigned by its content (see assignClusters). */
  readonly values: readonly ValuesArgument[];
  /** Root module directory that calls terraform-azure. */
  readonly terraformDir: string;
  /** Its variables (HCL). @default none */
  readonly tfvars?: string;
  /** `terraform output -json` of that root module. @default none */
  readonly terraformOutputs?: string;
  /** Files holding the Karpenter EC2NodeClass and NodePool. */
  readonly karpenter: readonly string[];
  /** The Helm chart: its values.yaml is the base of every release, its helpers state the Spot notices. */
  readonly chartDir: string;
  readonly outageToleranceMinutes: number;
  /** Synthesize the CDK app (a few seconds) for the template checks. */
  readonly synth: boolean;
}

/** The shipped examples: what `spot-on preflight` checks without arguments. */
export function defaultOptions(): PreflightOptions {
  const karpenterDir = fromRoot('fl-training', 'deploy', 'karpenter');
  return {
    config: fromRoot('cdk', 'config.example.json'),
    values: [
      { cluster: 'eks', file: fromRoot('fl-training', 'chart', 'values-eks.yaml') },
      { cluster: 'eks', file: fromRoot('fl-training', 'chart', 'examples', 'eks.yaml') },
      { cluster: 'aks', file: fromRoot('fl-training', 'chart', 'values-aks.yaml') },
      { cluster: 'aks', file: fromRoot('fl-training', 'chart', 'examples', 'aks.yaml') },
    ],
    terraformDir: fromRoot('terraform-azure', 'examples', 'default'),
    tfvars: fromRoot('terraform-azure', 'examples', 'default', 'terraform.tfvars.example'),
    karpenter: readdirSync(karpenterDir).filter((name) => /\.ya?ml$/.test(name)).sort().map((name) => join(karpenterDir, name)),
    chartDir: fromRoot('fl-training', 'chart'),
    outageToleranceMinutes: 60,
    synth: true,
  };
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PreflightInputError(`${path}: cannot read the ${what} (${(error as Error).message})`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PreflightInputError(`${path}: the ${what} is not JSON (${(error as Error).message})`, { cause: error });
  }
}

/**
 * The CDK configuration as `cdk deploy -c azureOutputs=...` sees it: settings the file leaves out are filled from
 * the outputs. Where both give a value the file's is kept; the checks compare it with the output and say so.
 */
function loadConfig(path: string, outputs: TerraformOutputs | undefined): SpotOnConfig {
  const json = readJson(path, 'CDK configuration');
  const isObject = typeof json === 'object' && json !== null && !Array.isArray(json);
  const completed = outputs !== undefined && isObject ? mergeTerraformOutputs(json as Record<string, unknown>, outputs).config : json;
  try {
    return parseConfig(completed, path);
  } catch (error) {
    if (error instanceof ConfigError) throw new PreflightInputError(error.message, { cause: error });
    throw error;
  }
}

function loadCharts(options: PreflightOptions): PreflightInputs['charts'] {
  const chartDefaults = readValuesFile(join(options.chartDir, 'values.yaml'));
  const byCluster = assignClusters(options.values, readValuesFile);
  const charts: Partial<Record<(typeof CLUSTERS)[number], ChartRelease>> = {};
  for (const cluster of CLUSTERS) {
    const files = byCluster.get(cluster);
    if (files !== undefined) charts[cluster] = { cluster, files: files.map(({ file }) => file), values: releaseValues(chartDefaults, files, cluster) };
  }
  return charts;
}

/** Reads and validates every input; `env` supplies TF_VAR_* the way terraform reads them. */
export async function loadInputs(options: PreflightOptions, env: Readonly<Record<string, string | undefined>> = {}): Promise<PreflightInputs> {
  const outputsPath = options.terraformOutputs;
  const outputs = outputsPath === undefined ? undefined : parseTerraformOutputs(readJson(outputsPath, 'terraform outputs'), outputsPath);
  const terraformOutputs = outputs === undefined || outputsPath === undefined ? undefined : outputsView(outputs, outputsPath);
  const config = loadConfig(options.config, outputs);
  const helpers = join(options.chartDir, 'templates', '_helpers.tpl');
  let helpersText: string;
  try {
    helpersText = readFileSync(helpers, 'utf8');
  } catch (error) {
    throw new PreflightInputError(`${helpers}: cannot read the chart's helpers (${(error as Error).message})`, { cause: error });
  }
  return {
    config,
    charts: loadCharts(options),
    terraform: await loadTerraformDeployment({ dir: options.terraformDir, ...(options.tfvars === undefined ? {} : { tfvars: options.tfvars }), fallbackModuleDir: fromRoot('terraform-azure') }, env),
    ...(terraformOutputs === undefined ? {} : { terraformOutputs }),
    karpenter: loadKarpenter(options.karpenter),
    ...(options.synth ? { template: synthesizeTemplate(config, fromRoot('cdk.json')) } : {}),
    spotNoticeSeconds: chartSpotNoticeSeconds(helpersText, helpers),
    outageToleranceMinutes: options.outageToleranceMinutes,
  };
}
