import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { parseValuesArgument } from '../preflight/inputs/chart-values';
import { PreflightInputError } from '../preflight/inputs/errors';
import { tfvarsIn } from '../preflight/inputs/terraform';
import { defaultOptions, loadInputs, type PreflightOptions } from '../preflight/inputs/load';
import { reportJson, reportLines, runChecks } from '../preflight/run';
import type { CommandResult } from './classify';

/** Exit code when a check found a problem. */
export const EXIT_PROBLEMS = 1;
/** Exit code when an input is missing or invalid (nothing was checked). */
export const EXIT_INVALID_INPUT = 2;

/** The command line as commander hands it over (paths relative to the working directory). */
const ArgumentsSchema = z.strictObject({
  config: z.string().min(1).optional(),
  values: z.array(z.string().min(1)).default([]),
  terraform: z.string().min(1).optional(),
  tfvars: z.string().min(1).optional(),
  terraformOutputs: z.string().min(1).optional(),
  karpenter: z.array(z.string().min(1)).default([]),
  chart: z.string().min(1).optional(),
  outageToleranceMinutes: z.coerce.number().int('must be a whole number of minutes').positive('must be positive').default(60),
  synth: z.boolean().default(true),
  json: z.boolean().default(false),
});
export type PreflightArguments = z.input<typeof ArgumentsSchema>;

/** Options from the command line: each input not given is the shipped example; relative paths are from `cwd`. */
export function preflightOptions(args: z.infer<typeof ArgumentsSchema>, cwd: string): PreflightOptions {
  const defaults = defaultOptions();
  const path = (given: string) => resolve(cwd, given);
  const terraformDir = args.terraform === undefined ? defaults.terraformDir : path(args.terraform);
  const tfvars = args.tfvars === undefined ? (args.terraform === undefined ? defaults.tfvars : tfvarsIn(terraformDir)) : path(args.tfvars);
  return {
    config: args.config === undefined ? defaults.config : path(args.config),
    values: args.values.length === 0 ? defaults.values : args.values.map(parseValuesArgument).map((item) => ({ ...item, file: path(item.file) })),
    terraformDir,
    ...(tfvars === undefined ? {} : { tfvars }),
    ...(args.terraformOutputs === undefined ? {} : { terraformOutputs: path(args.terraformOutputs) }),
    karpenter: args.karpenter.length === 0 ? defaults.karpenter : args.karpenter.map(path),
    chartDir: args.chart === undefined ? defaults.chartDir : path(args.chart),
    outageToleranceMinutes: args.outageToleranceMinutes,
    synth: args.synth,
  };
}

/** Loads the inputs, runs every check and renders the report; `env` supplies TF_VAR_* as terraform would read them. */
export async function runPreflight(options: PreflightOptions, json: boolean, env: Readonly<Record<string, string | undefined>> = {}): Promise<CommandResult> {
  let report;
  try {
    report = runChecks(await loadInputs(options, env));
  } catch (error) {
    if (!(error instanceof PreflightInputError)) throw error;
    return { exitCode: EXIT_INVALID_INPUT, stdout: [], stderr: [`spot-on preflight: ${error.message}`] };
  }
  const exitCode = report.problems.length === 0 ? 0 : EXIT_PROBLEMS;
  const summary = exitCode === 0 ? [] : [`spot-on preflight: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} in ${report.checks} checks`];
  return { exitCode, stdout: json ? [reportJson(report)] : reportLines(report), stderr: summary };
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerPreflight(program: Command, run: (result: CommandResult) => void): void {
  program
    .command('preflight')
    .description('check a deployment configuration (CDK config, chart values, Terraform, Karpenter) for mistakes that silently break a failover')
    .option('--config <file>', 'CDK configuration JSON (default: cdk/config.example.json)')
    .option('--values <[eks=|aks=]file>', 'chart values file, repeatable, in helm -f order; cluster from the prefix, else the file\'s fl.cloud, else the previous file\'s (default: the shipped EKS and AKS values and examples)', collect)
    .option('--terraform <dir>', 'root module that calls terraform-azure (default: terraform-azure/examples/default)')
    .option('--tfvars <file>', 'its variables (default: terraform.tfvars, else terraform.tfvars.example, in that directory)')
    .option('--terraform-outputs <file>', 'the JSON of `terraform output -json`: real values instead of derived ones')
    .option('--karpenter <file>', 'Karpenter EC2NodeClass/NodePool manifests, repeatable (default: fl-training/deploy/karpenter/*.yaml)', collect)
    .option('--chart <dir>', 'the Helm chart whose values.yaml the values files overlay (default: fl-training/chart)')
    .option('--outage-tolerance-minutes <minutes>', 'how long a signal must survive an unreachable brain', '60')
    .option('--no-synth', 'skip synthesizing the CDK app (and the checks that read its template)')
    .option('--json', 'print { problems: [{ check, message }], checks, skipped } instead of lines')
    .addHelpText('after', '\nExit codes: 0 no problem, 1 problems (one line each), 2 an input is missing or invalid.\nExample: npx spot-on preflight --config my-config.json --values eks=my-eks.yaml --values aks=my-aks.yaml')
    .action(async (raw: Record<string, unknown>) => {
      const args = ArgumentsSchema.safeParse(raw);
      if (!args.success) {
        run({ exitCode: EXIT_INVALID_INPUT, stdout: [], stderr: [`spot-on preflight: invalid options\n${z.prettifyError(args.error)}`] });
        return;
      }
      run(await runPreflight(preflightOptions(args.data, process.cwd()), args.data.json, process.env));
    });
}
