import { Command } from 'commander';
import { registerBench } from './commands/bench';
import { registerChaos } from './commands/chaos';
import { registerClassify, type CommandResult } from './commands/classify';
import { registerCost } from './commands/cost';
import { registerDemo } from './commands/demo';
import { registerDrill } from './commands/drill';
import { registerPreflight } from './commands/preflight';
import { registerReplay } from './commands/replay';
import { registerSimulate } from './commands/simulate';
import { registerStageData } from './commands/stage-data';
import { registerStatus } from './commands/status';

/** Prints a command's result and sets the exit code (never calls process.exit, so output is flushed). */
function report(result: CommandResult): void {
  for (const line of result.stdout) process.stdout.write(`${line}\n`);
  for (const line of result.stderr) process.stderr.write(`${line}\n`);
  process.exitCode = result.exitCode;
}

/** The `spot-on` command line. */
export function buildProgram(): Command {
  const program = new Command('spot-on')
    .description('Spot-On: federated training on AWS Spot GPUs with failover to Azure AKS Spot')
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });
  registerClassify(program, report);
  registerDemo(program, report);
  registerBench(program, report);
  registerPreflight(program, report);
  const exitWith = (code: number) => {
    process.exitCode = code;
  };
  registerDrill(program, exitWith);
  registerReplay(program, exitWith);
  registerChaos(program, exitWith);
  registerStageData(program, exitWith);
  registerCost(program, exitWith);
  registerSimulate(program, exitWith);
  registerStatus(program, exitWith);
  return program;
}

/** Runs the CLI on process.argv; the bin script calls this. */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    process.stderr.write(`spot-on: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
