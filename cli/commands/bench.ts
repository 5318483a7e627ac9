import type { Command } from 'commander';
import { benchCheckpoint } from '../bench/checkpoint';
import { benchClassify } from '../bench/classify-throughput';
import { benchFedAvg } from '../bench/fedavg';
import { benchLambdaBundles } from '../bench/lambda-bundles';
import type { CommandResult } from './classify';

/** Runs every benchmark; figures are ratios against a baseline measured in the same run, never absolute gates. */
export async function runBench(json: boolean): Promise<CommandResult> {
  const classify = benchClassify();
  const bundles = await benchLambdaBundles();
  const fedavg = benchFedAvg();
  const checkpoint = await benchCheckpoint();
  const report = { classify, bundles, fedavg, checkpoint };
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
      ...fedavg.map(
        (f) => `fedavg ${f.sizeMB} MB x ${f.clients} clients: ${f.gbps.toFixed(1)} Gbit/s (plain copy ${f.copyGbps.toFixed(1)} Gbit/s, ratio ${f.ratio.toFixed(3)})`,
      ),
      ...checkpoint.map(
        (c) => `checkpoint ${c.sizeMB} MB: ${c.ms.toFixed(0)} ms (raw Azurite upload ${c.rawUploadMs.toFixed(0)} ms, ratio ${c.ratio.toFixed(2)})`,
      ),
    ],
    stderr: [],
  };
}

export function registerBench(program: Command, run: (result: CommandResult) => void): void {
  program
    .command('bench')
    .description('run the benchmarks: classify throughput, Lambda bundle sizes, FedAvg throughput, checkpoint writes')
    .option('--json', 'print one JSON object (the last line of stdout)')
    .action(async (options: { json?: boolean }) => run(await runBench(options.json ?? false)));
}
