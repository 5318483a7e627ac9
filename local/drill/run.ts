/**
 * The federated run the drill trains in every scenario and the baseline: its configuration, the pacing that
 * gives a round a fixed length on the drill's clock, and the aggregator process that serves it.
 */
import * as path from 'node:path';
import type { ShardConfig } from '../../fl-training/config';
import { startLocalProcess, type LocalProcess } from '../child-process';
import { freePort, waitForHttp } from '../net';
import { withoutAws } from './data';
import { TIME_COMPRESSION_FACTOR } from './production/time-compression';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

const DRILL_DATA = { trainExamples: 3750, testExamples: 1000 };
const DRILL_LOCAL_EPOCHS = 3;
const DRILL_BATCH_SIZE = 32;

/**
 * A drill round stands for two minutes of GPU training, so it lasts 2 s on the drill's clock whatever the load on
 * this machine: trainers pace their batches (SPOTON_MIN_BATCH_MS) to fill the round. Without it a round took
 * 0.7-2.5 s here and a fast run could end before an incident had played out.
 */
export const DRILL_ROUND_MS = 120_000 / TIME_COMPRESSION_FACTOR;

/** The shards of a drill run: the deployment's, when it lists them (residency included), else `count` movable ones. */
export function drillShards(count: number, deployed: readonly ShardConfig[] | undefined): ShardConfig[] {
  if (deployed === undefined) return Array.from({ length: count }, (_, i) => ({ id: `shard-${i}`, residency: 'any' as const }));
  if (deployed.length !== count) throw new Error(`the deployment lists ${deployed.length} shards (SPOTON_SHARDS) but the drill runs ${count} AWS trainers: one per shard`);
  return [...deployed];
}

/** The batch pacing that makes a round of `shards` trainers last DRILL_ROUND_MS. */
export function drillBatchMs(shards: number): number {
  const batches = Math.ceil(DRILL_DATA.trainExamples / shards / DRILL_BATCH_SIZE) * DRILL_LOCAL_EPOCHS;
  return Math.floor(DRILL_ROUND_MS / batches);
}

/**
 * The run's own timeouts. Not production's compressed: the job defaults (60 s, 30 s, 120 s) divided by 60 would be
 * shorter than a heartbeat or a trainer's start here. The round deadline is 30 (compressed) minutes so that a
 * failover's gap (AKS GPU nodes, trainer start) does not close a round on quorum just before Azure's updates arrive.
 * Reported under differsFromProduction (production/deployment.ts).
 */
export const DRILL_RUN_TIMEOUTS = { roundDeadlineMs: 30_000, trainerTimeoutMs: 10_000, awsSilenceTimeoutMs: 15_000 } as const;

/**
 * The deadline scenario's run config deadlineMs: 14 rounds (28 minutes of GPU work) due 90 (compressed) minutes
 * after its start. Waiting for Spot would miss it (AWS Spot comes back only after a failover's worth of Azure
 * rounds); on-demand capacity meets it. Reported under differsFromProduction (production/deployment.ts).
 */
export const DEADLINE_SCENARIO_DEADLINE_MS = 90_000;

/**
 * The federated run every scenario and the baseline train: MNIST with enough data per shard that a Spot warning
 * lands mid-round, paced to a fixed round length (DRILL_ROUND_MS).
 */
export function drillRunConfig(runId: string, seed: number, rounds: number, shards: readonly ShardConfig[], deadlineMs?: number): Record<string, unknown> {
  return {
    runId,
    ...(deadlineMs === undefined ? {} : { deadlineMs }),
    task: 'mnist',
    rounds,
    seed,
    data: DRILL_DATA,
    localEpochs: DRILL_LOCAL_EPOCHS,
    batchSize: DRILL_BATCH_SIZE,
    learningRate: 0.05,
    shards,
    ...DRILL_RUN_TIMEOUTS,
  };
}

/** The aggregator (fl-training/aggregator/main.ts) as its own process on a free port, ready when /healthz answers. */
export async function startAggregator(
  runConfig: Record<string, unknown>,
  options: { env: NodeJS.ProcessEnv; onText?: (line: string) => void; onStderr?: (text: string) => void; port?: number },
): Promise<LocalProcess<void> & { url: string }> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const started = await startLocalProcess<void>(path.join(REPO_ROOT, 'fl-training', 'aggregator', 'main.ts'), {
    env: {
      // The aggregator runs on AKS: no AWS setting reaches it.
      ...withoutAws(process.env),
      SPOTON_FL_CONFIG_JSON: JSON.stringify(runConfig),
      SPOTON_AGGREGATOR_PORT: String(port),
      SPOTON_AGGREGATOR_HOST: '127.0.0.1',
      SPOTON_TICK_MS: '250',
      ...options.env,
    },
    // The aggregator announces itself in text; readiness is its health endpoint.
    readiness: (signal) => waitForHttp(`${url}/healthz`, 60_000, signal),
    ...(options.onText ? { onText: options.onText } : {}),
    ...(options.onStderr ? { onStderr: options.onStderr } : {}),
  });
  return { ...started, url };
}
