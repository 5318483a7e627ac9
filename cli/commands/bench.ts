import type { Command } from 'commander';
import { benchAggregatorScale } from '../bench/aggregator-scale';
import { benchBrainLoad } from '../bench/brain-load';
import { benchCheckpoint } from '../bench/checkpoint';
import { benchClassify } from '../bench/classify-throughput';
import { benchFedAvg } from '../bench/fedavg';
import { benchLambdaBundles } from '../bench/lambda-bundles';
import { benchSignals } from '../bench/signals';
import type { CommandResult } from './classify';

/** Runs every benchmark; figures are ratios against a baseline measured in the same run, never absolute gates. */
export async function runBench(json: boolean): Promise<CommandResult> {
  const classify = benchClassify();
  const bundles = await benchLambdaBundles();
  const fedavg = benchFedAvg();
  const checkpoint = await benchCheckpoint();
  const signals = await benchSignals();
  const brain = await benchBrainLoad();
  const aggregator = await benchAggregatorScale();
  const report = { classify, bundles, fedavg, checkpoint, signals, brain, aggregator };
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
      ...aggregator.map(
        (a) => `aggregator ${a.trainers} trainers x ${a.modelMB} MB: peak RSS ${a.peakRssMB ?? '?'} MB, last update to commit ${a.lastUpdateToCommitMs} ms, ${a.updatesPerSec} updates/s`,
      ),
      `brain signals (Azurite + ARM emulator): p50 ${signals.signals.p50Ms.toFixed(1)} ms, p95 ${signals.signals.p95Ms.toFixed(1)} ms over ${signals.signals.n}; ` +
        `failover-starting signal p50 ${signals.failoverSignal.p50Ms.toFixed(1)} ms, p95 ${signals.failoverSignal.p95Ms.toFixed(1)} ms; ` +
        `ARM calls per failover ${signals.armCalls.failover.total}, per failback ${signals.armCalls.failback.total}`,
      `brain under load: ${brain.signals} signals at ${brain.signalsPerMin}/min over ${brain.runs} runs: p50 ${brain.p50Ms.toFixed(1)} ms, p95 ${brain.p95Ms.toFixed(1)} ms, ` +
        `${brain.casConflicts} compare-and-swap conflicts, ${brain.retried} retried, ${brain.lost} lost, ${brain.torn} torn`,
    ],
    stderr: [],
  };
}

export function registerBench(program: Command, run: (result: CommandResult) => void): void {
  program
    .command('bench')
    .description('run the benchmarks: classify throughput, Lambda bundle sizes, FedAvg throughput, checkpoint writes, signal handling, the brain at 1,000 signals a minute over 50 runs, the aggregator at 8-64 trainers')
    .option('--json', 'print one JSON object (the last line of stdout)')
    .action(async (options: { json?: boolean }) => run(await runBench(options.json ?? false)));
}
