import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_DRILL_OPTIONS, runBaseline, runScenario, type DrillOptions } from '../../local/drill/engine';
import { drillDeployment } from '../../local/drill/production/deployment';
import { ownSources } from '../../local/drill/production/sources';
import { SCENARIO_DEFINITIONS } from '../../local/drill/scenarios';
import { SCENARIOS, type DrillReport, type Scenario } from '../../local/drill/report';
import { createProgressView, judgeReport, renderHtmlReport, renderSummaryTable, renderTimeline } from '../../local/drill/view';

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
  /** Your Terraform root module's main.tf (default: terraform-azure/examples/default/main.tf). */
  readonly terraform?: string;
}

/** Runs the drill; resolves the exit code (0 when every scenario passes its verdict). */
export async function runDrill(options: DrillCommandOptions): Promise<number> {
  const scenarios = options.scenario;
  const say = (text: string) => (options.json ? process.stderr : process.stdout).write(`${text}\n`);
  const own = ownSources({
    ...(options.config === undefined ? {} : { cdkConfig: options.config }),
    ...(options.values === undefined ? {} : { values: options.values }),
    ...(options.terraform === undefined ? {} : { terraform: options.terraform }),
  });
  say(`reading the deployment: cdk synth of ${path.relative(process.cwd(), own.sources.cdkConfig)}, the chart rendered for both clusters, ${path.relative(process.cwd(), own.sources.terraform)}...`);
  const deployment = await drillDeployment(own.sources).finally(own.cleanup);
  say(`time compression: ${deployment.compression.report.meaning}`);
  // One AWS trainer per replica of the EKS release, each on its own shard of the drill's run.
  const drill: DrillOptions = { ...DEFAULT_DRILL_OPTIONS, shards: deployment.awsTrainers, rounds: options.rounds, seed: options.seed, logDir: path.join(options.report, 'logs'), deployment };
  const view = createProgressView({ json: options.json });
  say(`Spot-On local failover drill: ${scenarios.join(', ')} (${drill.rounds} rounds of MNIST federated training, seed ${drill.seed})`);
  // One uninterrupted baseline as long as the longest scenario (an incident that outlasts the default run trains
  // longer); each scenario compares with its accuracy at the same round.
  const roundsOf = (scenario: Scenario) => SCENARIO_DEFINITIONS[scenario].rounds ?? drill.rounds;
  const longest = Math.max(...scenarios.map(roundsOf));
  say(`baseline: the same ${longest}-round run without interruptions...`);
  const baseline = await runBaseline({ ...drill, rounds: longest });
  say(`baseline accuracy ${((baseline[drill.rounds] ?? baseline[longest] ?? 0) * 100).toFixed(1)}% after ${drill.rounds} rounds`);
  const reports: DrillReport[] = [];
  let failed = false;
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
    .option('--terraform <main.tf>', 'your Terraform root module calling terraform-azure (default: the example)')
    .addHelpText('after', `\nScenarios: ${SCENARIOS.join(', ')}, all (the default; what npm start runs).\nExit code 0 when every scenario passes: no examples lost, nothing dead-lettered, accuracy within 2 points of the baseline, the expected failovers and failbacks (one each; none for quiet-deploy).`)
    .action(async (options: DrillCommandOptions) => exit(await runDrill(options)));
}
