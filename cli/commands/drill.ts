import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_DRILL_OPTIONS, runBaseline, runScenario, type DrillOptions } from '../../local/drill/engine';
import { deploymentFromJson, deploymentJson, drillDeployment, type DrillDeployment } from '../../local/drill/production/deployment';
import { ownSources } from '../../local/drill/production/sources';
import { inPool, runScenarioInChild } from '../../local/drill/parallel';
import { SCENARIO_DEFINITIONS } from '../../local/drill/scenarios';
import { SCENARIOS, type DrillReport, type Scenario } from '../../local/drill/report';
import { createProgressView, judgeReport, renderHtmlReport, renderSummaryTable, renderTimeline } from '../../local/drill/view';
import { fauxqsNodeProblem } from '../../local/fauxqs';

export interface DrillCommandOptions {
  readonly scenario: readonly Scenario[];
  readonly json: boolean;
  readonly report: string;
  readonly rounds: number;
  readonly seed: number;
  /** Your CDK config file (default: cdk/config.example.json). */
  readonly config?: string;
  /** Your chart values files: `eks=<file>`, `aks=<file>`, or files whose `fl.cloud` names the cluster. */
  readonly values?: readonly string[];
  /** Your Terraform root module's directory (default: terraform-azure/examples/default). */
  readonly terraform?: string;
  /** Its variables (default: terraform.tfvars, else terraform.tfvars.example, in that directory). */
  readonly tfvars?: string;
  /** `terraform output -json` of it, as `cdk deploy -c azureOutputs=` takes it. */
  readonly terraformOutputs?: string;
  /** The function app bundle to run as the brain (default: the app's sources). */
  readonly functionsApp?: string;
  /** Scenarios run side by side, each in its own process. @default 2 */
  readonly parallel: number;
  /** Internal: run the one scenario against this baseline and print only its report (a child of --parallel). */
  readonly baselineAccuracy?: number;
  /** Internal: the deployment the parent read (deploymentJson), instead of reading it again. */
  readonly deploymentFile?: string;
}

/** Runs the drill; resolves the exit code (0 when every scenario passes its verdict). */
export async function runDrill(options: DrillCommandOptions): Promise<number> {
  // Before anything starts: a drill that fails half-way through its first scenario leaves a baseline behind it.
  const nodeProblem = fauxqsNodeProblem();
  if (nodeProblem !== undefined) {
    process.stderr.write(`spot-on drill: ${nodeProblem}\n`);
    return 2;
  }
  const scenarios = options.scenario;
  // A child of --parallel says only its progress and its report; its parent said the rest.
  const say = options.baselineAccuracy !== undefined ? () => undefined : (text: string) => (options.json ? process.stderr : process.stdout).write(`${text}\n`);
  const deployment = options.deploymentFile === undefined ? await readDeployment(options, say) : deploymentFromJson(readFileSync(options.deploymentFile, 'utf8'));
  say(`time compression: ${deployment.compression.report.meaning}`);
  // One AWS trainer per replica of the EKS release, each on its own shard of the drill's run.
  const drill: DrillOptions = { ...DEFAULT_DRILL_OPTIONS, shards: deployment.awsTrainers, rounds: options.rounds, seed: options.seed, logDir: path.join(options.report, 'logs'), deployment };
  const roundsOf = (scenario: Scenario) => SCENARIO_DEFINITIONS[scenario].rounds ?? drill.rounds;
  const view = createProgressView({ json: options.json });
  if (options.baselineAccuracy !== undefined) return runChild(scenarios, { ...drill, rounds: roundsOf(scenarios[0] as Scenario) }, options.baselineAccuracy, view);
  say(`Spot-On local failover drill: ${scenarios.join(', ')} (${drill.rounds} rounds of MNIST federated training, seed ${drill.seed}${options.parallel > 1 ? `, ${options.parallel} scenarios at a time` : ''})`);
  // One uninterrupted baseline as long as the longest scenario (an incident that outlasts the default run trains
  // longer); each scenario compares with its accuracy at the same round.
  const longest = Math.max(...scenarios.map(roundsOf));
  say(`baseline: the same ${longest}-round run without interruptions...`);
  const baseline = await runBaseline({ ...drill, rounds: longest });
  say(`baseline accuracy ${((baseline[drill.rounds] ?? baseline[longest] ?? 0) * 100).toFixed(1)}% after ${drill.rounds} rounds`);
  const reports: DrillReport[] = [];
  let failed = false;
  if (options.parallel > 1 && scenarios.length > 1) {
    const dir = mkdtempSync(path.join(tmpdir(), 'spot-on-drill-deployment-'));
    const file = path.join(dir, 'deployment.json');
    writeFileSync(file, deploymentJson(deployment));
    const passOn = childArguments(options, file);
    const outcomes = await inPool(scenarios, options.parallel, (scenario) => runScenarioInChild({ scenario, baselineAccuracy: baseline[roundsOf(scenario)] ?? 0 }, passOn, say)).finally(() =>
      rmSync(dir, { recursive: true, force: true }),
    );
    outcomes.forEach((report, i) => {
      if (report) reports.push(report);
      else {
        failed = true;
        say(`${scenarios[i]} failed: its process produced no report`);
      }
    });
  } else {
    for (const scenario of scenarios) {
      try {
        const rounds = roundsOf(scenario);
        reports.push(await runScenario(scenario, { ...drill, rounds }, baseline[rounds] ?? 0, view));
      } catch (error) {
        failed = true;
        const partial = (error as { report?: DrillReport }).report;
        if (partial) reports.push(partial);
        say(`${scenario} failed: ${(error as Error).message}`);
      }
    }
  }
  view.close();
  const summary = { timeCompression: deployment.compression.report, differsFromProduction: deployment.compression.differences, scenarios: reports };
  mkdirSync(options.report, { recursive: true });
  const htmlPath = path.join(options.report, 'index.html');
  writeFileSync(htmlPath, renderHtmlReport(summary));
  writeFileSync(path.join(options.report, 'drill.json'), `${JSON.stringify(summary, null, 2)}\n`);
  if (!options.json) {
    for (const report of reports) say(`\n${report.scenario}: timeline\n${renderTimeline(report)}`);
  }
  say(`\n${renderSummaryTable(summary)}`);
  say(`HTML report: ${htmlPath}`);
  if (options.json) process.stdout.write(`${JSON.stringify(scenarios.length === 1 && reports.length === 1 ? reports[0] : summary)}\n`);
  const allPass = !failed && reports.length === scenarios.length && reports.every((r) => judgeReport(r).pass);
  return allPass ? 0 : 1;
}

/** A child of --parallel: one scenario, its report as the only line on stdout. */
async function runChild(scenarios: readonly Scenario[], drill: DrillOptions, baselineAccuracy: number, view: ReturnType<typeof createProgressView>): Promise<number> {
  const [scenario] = scenarios;
  if (scenario === undefined || scenarios.length !== 1) throw new InvalidArgumentError('--baseline-accuracy runs exactly one scenario');
  let report: DrillReport | undefined;
  try {
    report = await runScenario(scenario, drill, baselineAccuracy, view);
  } catch (error) {
    report = (error as { report?: DrillReport }).report;
    process.stderr.write(`${scenario} failed: ${(error as Error).message}\n`);
  }
  view.close();
  if (report) process.stdout.write(`${JSON.stringify(report)}\n`);
  return report && judgeReport(report).pass ? 0 : 1;
}

/** Reads the deployment the options name (the shipped examples by default). */
async function readDeployment(options: DrillCommandOptions, say: (text: string) => void): Promise<DrillDeployment> {
  const own = ownSources({
    ...(options.config === undefined ? {} : { cdkConfig: options.config }),
    ...(options.values === undefined ? {} : { values: options.values }),
    ...(options.terraform === undefined ? {} : { terraform: options.terraform }),
    ...(options.tfvars === undefined ? {} : { tfvars: options.tfvars }),
    ...(options.terraformOutputs === undefined ? {} : { terraformOutputs: options.terraformOutputs }),
    ...(options.functionsApp === undefined ? {} : { functionsApp: options.functionsApp }),
  });
  say(`reading the deployment: cdk synth of ${path.relative(process.cwd(), own.sources.cdkConfig)}, the chart rendered for both clusters, ${path.relative(process.cwd(), own.sources.terraform)}...`);
  return drillDeployment(own.sources).finally(own.cleanup);
}

/** What a child needs to run the same deployment, run and report folder as its parent. */
function childArguments(options: DrillCommandOptions, deploymentFile: string): string[] {
  return ['--report', options.report, '--rounds', String(options.rounds), '--seed', String(options.seed), '--parallel', '1', '--deployment-file', deploymentFile];
}

/** `all`, or a comma-separated list of scenario names. */
export function parseScenarios(value: string): Scenario[] {
  if (value === 'all') return [...SCENARIOS];
  return value.split(',').map((name) => {
    const scenario = SCENARIOS.find((s) => s === name.trim());
    if (scenario === undefined) throw new InvalidArgumentError(`unknown scenario "${name}" (choose from ${SCENARIOS.join(', ')}, all)`);
    return scenario;
  });
}

export function registerDrill(program: Command, exit: (code: number) => void): void {
  program
    .command('drill')
    .description('run the local failover drill: the whole system on this machine, with real training, failover and failback')
    .addOption(new Option('-s, --scenario <names>', 'scenarios to run, comma-separated, or all').argParser(parseScenarios).default(SCENARIOS, 'all'))
    .option('--json', 'print the report as JSON on stdout (progress goes to stderr)', false)
    .option('--report <dir>', 'where to write index.html and drill.json', 'report')
    .option('--rounds <n>', 'federated rounds per scenario', (v) => Number.parseInt(v, 10), DEFAULT_DRILL_OPTIONS.rounds)
    .option('--seed <n>', 'seed of data, model and event ids', (v) => Number.parseInt(v, 10), DEFAULT_DRILL_OPTIONS.seed)
    .option('--config <file>', 'your CDK config (default: cdk/config.example.json)')
    .option('--values <cluster=file...>', 'your chart values, eks=<file> or aks=<file> (rendered with helm over values-<cluster>.yaml)')
    .option('--terraform <dir>', 'your Terraform root module calling terraform-azure (default: terraform-azure/examples/default)')
    .option('--tfvars <file>', 'its variables (default: terraform.tfvars, else terraform.tfvars.example, in that directory)')
    .option('--terraform-outputs <file>', 'its `terraform output -json`, merged into your CDK config as `cdk deploy -c azureOutputs=` does')
    .option('--functions-app <file>', 'the brain as you publish it: the bundle of `npm run build:functions` (default: azure-functions/src)')
    .option('--parallel <n>', 'scenarios at a time, each in its own process (rounds are paced, so they share 2 cores well)', (v) => Number.parseInt(v, 10), 2)
    .addOption(new Option('--baseline-accuracy <x>', 'internal: run one scenario against this baseline accuracy (a child of --parallel)').argParser(Number.parseFloat).hideHelp())
    .addOption(new Option('--deployment-file <file>', 'internal: the deployment the parent read').hideHelp())
    .addHelpText('after', `\nScenarios: ${SCENARIOS.join(', ')}, all (the default; what npm start runs).\nExit code 0 when every scenario passes: no examples lost, nothing dead-lettered, accuracy within 2 points of the baseline, the expected failovers and failbacks (one each; none for quiet-deploy).`)
    .action(async (options: DrillCommandOptions) => exit(await runDrill(options)));
}
