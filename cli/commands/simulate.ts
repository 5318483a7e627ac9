import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { SimulateInputError, TraceFormatError, TraceWindowError } from '../../finops/simulate/errors';
import { parseSimulateOptions, type RawSimulateOptions } from '../../finops/simulate/options';
import { POLICIES } from '../../finops/simulate/policies/registry';
import { renderTable } from '../../finops/simulate/report';
import { runSimulation } from '../../finops/simulate/simulate';
import type { CommandResult } from './classify';

/** Exit code for invalid options or traces (as `spot-on classify` uses it). */
export const EXIT_INVALID_INPUT = 2;

/** What the command prints, and the HTML page to write (if asked for). */
export interface SimulateResult extends CommandResult {
  readonly html?: { readonly file: string; readonly content: string };
}

/** Runs `spot-on simulate` on parsed command-line options; input problems become exit code 2 with one message. */
export function simulateCommand(raw: RawSimulateOptions): SimulateResult {
  try {
    const options = parseSimulateOptions(raw);
    const { report, html } = runSimulation(options);
    const stdout = options.json ? [JSON.stringify(report)] : renderTable(report);
    return {
      exitCode: 0,
      stdout,
      stderr: [],
      ...(html === undefined || options.htmlFile === undefined ? {} : { html: { file: options.htmlFile, content: html } }),
    };
  } catch (error) {
    if (error instanceof SimulateInputError || error instanceof TraceFormatError || error instanceof TraceWindowError) {
      return { exitCode: EXIT_INVALID_INPUT, stdout: [], stderr: [`spot-on simulate: ${error.message}`] };
    }
    throw error;
  }
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerSimulate(program: Command, exitWith: (code: number) => void): void {
  program
    .command('simulate')
    .description('replay Spot policies over capacity traces: cost against on-demand, deadline misses, time on Spot, failovers')
    .option('--pool <CLOUD/NAME=DIR>', 'a capacity pool (CLOUD aws or azure) and its folder of traces, one file per window; repeat for each pool', collect, [])
    .option('--job-hours <h>', 'hours of GPU work the job needs')
    .option('--deadline-hours <h>', 'hours from the start by which the job must be done')
    .option('--changeover-hours <h>', 'hours a move within a cloud takes (no progress, target paid)')
    .option('--failover-hours <h>', 'hours a move from AWS to Azure takes (checkpoint over the VPN included)')
    .option('--failback-hours <h>', 'hours a move back to AWS takes')
    .option('--on-demand-price <usd>', 'on-demand $/h (always available, in AWS)')
    .option('--spot-price <usd>', "Spot $/h for traces without prices")
    .option('--trace-encoding <encoding>', "which value means available in Can't Be Late traces: available-is-0 (the simulator's files) or available-is-1 (the collector's)")
    .option('--tick-seconds <s>', 'the decision tick; traces are resampled to it', '60')
    .option('--replacement-grace-hours <h>', "also run the brain (spot-on) with this replacement grace (SPOTON_REPLACEMENT_GRACE_SECONDS), as a row of its own")
    .option('--policy <names>', `all, or a comma-separated list of: ${POLICIES.map((policy) => policy.name).join(', ')}`, 'all')
    .option('--json', 'print one JSON object instead of the table', false)
    .option('--html <file>', 'also write an HTML chart of cost ratio against deadline slack')
    .addHelpText('after', '\nEvery window (trace file name) all pools share is simulated. docs/FINOPS.md describes the model. Exit code 2 for invalid options or traces.')
    .action((options: RawSimulateOptions) => {
      const result = simulateCommand(options);
      if (result.html !== undefined) writeFileSync(result.html.file, result.html.content);
      for (const line of result.stdout) process.stdout.write(`${line}\n`);
      for (const line of result.stderr) process.stderr.write(`${line}\n`);
      exitWith(result.exitCode);
    });
}
