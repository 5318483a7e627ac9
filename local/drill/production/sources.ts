/**
 * A team's own deployment settings for the drill (`spot-on drill --config --values --terraform`): what to read
 * instead of the shipped examples. Values files are rendered with the real helm, as Argo CD or `helm install`
 * would render them; the committed renders stand in for a cloud given no values.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseValuesArgument, type Cluster } from '../../../cli/preflight/inputs/chart-values';
import { tfvarsIn } from '../../../cli/preflight/inputs/terraform';
import { EXAMPLE_SOURCES, type DeploymentSources } from './deployment';

const CHART_DIR = path.resolve(__dirname, '..', '..', '..', 'fl-training', 'chart');

/** The user's inputs, paths as given. */
export interface OwnConfiguration {
  readonly cdkConfig?: string;
  /** Values files in order, each `eks=<file>`, `aks=<file>`, or a file whose `fl.cloud` says which cluster. */
  readonly values?: readonly string[];
  /** The Terraform root module's directory (or a .tf file in it): its module call sets the brain's sizes. */
  readonly terraform?: string;
  /** Its variables (default: terraform.tfvars, else terraform.tfvars.example, in that directory). */
  readonly tfvars?: string;
  /** `terraform output -json` of that root module, merged into the CDK config as `cdk deploy -c azureOutputs=` does. */
  readonly terraformOutputs?: string;
  /** The function app bundle to run as the brain (what `func azure functionapp publish` uploads). */
  readonly functionsApp?: string;
}

/** An input the drill cannot use; the message says what to do. */
export class DrillInputError extends Error {
  override readonly name = 'DrillInputError';
}


function clusterOf(argument: string, previous: Cluster | undefined): { cluster: Cluster; file: string } {
  const given = parseValuesArgument(argument);
  if (given.cluster !== undefined) return { cluster: given.cluster, file: given.file };
  const cloud = (parseYaml(readFileSync(argument, 'utf8')) as { fl?: { cloud?: unknown } } | null)?.fl?.cloud;
  const cluster = cloud === 'aws' ? 'eks' : cloud === 'azure' ? 'aks' : previous;
  if (cluster === undefined) throw new DrillInputError(`${argument}: cannot tell which cluster it is for; set fl.cloud in it or pass eks=${argument} / aks=${argument}`);
  return { cluster, file: argument };
}

/** The root module directory, given as itself or as one of its .tf files (as this option once took main.tf). */
function terraformDir(given: string): string {
  const resolved = path.resolve(given);
  return given.endsWith('.tf') ? path.dirname(resolved) : resolved;
}

/**
 * Where the drill reads the deployment from, and a cleanup for the renders it made. Rendering needs helm on PATH;
 * without it the error says how to get it.
 */
export function ownSources(own: OwnConfiguration, helm = 'helm'): { sources: DeploymentSources; cleanup: () => void } {
  if (own.functionsApp !== undefined && !existsSync(own.functionsApp)) throw new DrillInputError(`--functions-app ${own.functionsApp}: no such file (npm run build:functions makes azure-functions/dist/index.js)`);
  const files = new Map<Cluster, string[]>();
  let previous: Cluster | undefined;
  for (const argument of own.values ?? []) {
    const { cluster, file } = clusterOf(argument, previous);
    files.set(cluster, [...(files.get(cluster) ?? []), path.resolve(file)]);
    previous = cluster;
  }
  const dir = files.size === 0 ? undefined : mkdtempSync(path.join(tmpdir(), 'spot-on-drill-values-'));
  const cleanup = () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    const render = (cluster: Cluster): string => {
      const given = files.get(cluster);
      if (given === undefined || dir === undefined) return EXAMPLE_SOURCES.rendered[cluster];
      const args = ['template', 'spot-on-fl', CHART_DIR, '--namespace', 'fl', '-f', path.join(CHART_DIR, `values-${cluster}.yaml`), ...given.flatMap((file) => ['-f', file])];
      const result = spawnSync(helm, args, { encoding: 'utf8', timeout: 60_000 });
      if (result.error) throw new DrillInputError(`--values needs helm on PATH to render the chart (go install helm.sh/helm/v4/cmd/helm@v4.3.2): ${result.error.message}`);
      if (result.status !== 0) throw new DrillInputError(`helm template (${cluster}) refused your values: ${result.stderr.trim()}`);
      const out = path.join(dir, `${cluster}.yaml`);
      writeFileSync(out, result.stdout);
      return out;
    };
    const terraform = own.terraform === undefined ? undefined : terraformDir(own.terraform);
    const tfvars = own.tfvars === undefined ? (terraform === undefined ? EXAMPLE_SOURCES.tfvars : tfvarsIn(terraform)) : path.resolve(own.tfvars);
    const sources: DeploymentSources = {
      cdkConfig: own.cdkConfig === undefined ? EXAMPLE_SOURCES.cdkConfig : path.resolve(own.cdkConfig),
      rendered: { eks: render('eks'), aks: render('aks') },
      terraform: terraform ?? EXAMPLE_SOURCES.terraform,
      ...(tfvars === undefined ? {} : { tfvars }),
      ...(own.terraformOutputs === undefined ? {} : { terraformOutputs: path.resolve(own.terraformOutputs) }),
      ...(own.functionsApp === undefined ? {} : { functionsApp: path.resolve(own.functionsApp) }),
    };
    return { sources, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}
