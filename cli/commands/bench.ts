import type { Command } from 'commander';
import { benchClassify } from '../bench/classify-throughput';
import { benchLambdaBundles } from '../bench/lambda-bundles';
import type { CommandResult } from './classify';

/** Runs every benchmark; figures are ratios against a baseline measured in the same run, never absolute gates. */
export async function runBench(json: boolean): Promise<CommandResult> {
  const classify = benchClassify();
  const bundles = await benchLambdaBundles();
  const report = { classify, bundles };
  if (json) return { exitCode: 0, stdout: [JSON.stringify(report)], stderr: [] };
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  return {
    exitCode: 0,
    stdout: [
      `classify: ${classify.eventsPerSec.toLocaleString('en')} events/s over ${classify.events} recorded events ` +
        `(JSON.parse alone: ${classify.parseOnlyEventsPerSec.toLocaleString('en')}/s, ratio ${classify.ratio})`,
      ...bundles.map(
        (b) => `lambda ${b.lambda}: ${kb(b.bytes)} minified, ${kb(b.gzipBytes)} gzipped; largest: ${b.largestInputs.map((i) => `${i.input} ${kb(i.bytes)}`).join(', ')}`,
      ),
    ],
    stderr: [],
  };
}

export function registerBench(program: Command, run: (result: CommandResult) => void): void {
  program
    .command('bench')
    .description('run the benchmarks: classify throughput, Lambda bundle sizes')
    .option('--json', 'print one JSON object (the last line of stdout)')
    .action(async (options: { json?: boolean }) => run(await runBench(options.json ?? false)));
}
