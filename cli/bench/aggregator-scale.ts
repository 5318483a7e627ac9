/**
 * The aggregator at scale: the production entry point in its own process (its store in Azurite, on disk: stored
 * updates must not count in the aggregator's memory; no evaluation) and 8, 32 or 64 simulated trainers that register and push a real update frame each over signed HTTP, as trainers finishing a
 * round together do. Per row: the aggregator's peak RSS (Linux VmHWM), the time from the last update accepted to
 * the round committed, and updates accepted per second.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Gate } from '../../fl-training/gate';
import { parseRunConfig, type RunConfig } from '../../fl-training/config';
import { modelShape, weightSpecs } from '../../fl-training/task/topology';
import { AggregatorClient } from '../../fl-training/trainer/aggregator-client';
import type { UpdateMeta } from '../../fl-training/wire/messages';
import { encodeWeights, sha256Hex } from '../../fl-training/wire/weights';
import { startAzurite } from '../../local/azurite';
import { startAggregator } from '../../local/drill/run';

export interface AggregatorScaleRow {
  readonly trainers: number;
  /** The model's float32 bytes, in MB. */
  readonly modelMB: number;
  readonly peakRssMB: number | null;
  readonly lastUpdateToCommitMs: number;
  readonly updatesPerSec: number;
}

const MB = 1024 * 1024;
/** Hidden layers of the MNIST MLP that make a model of about 10 and 100 MB (784 inputs, 10 classes). */
const HIDDEN: Readonly<Record<number, readonly number[]>> = { 10: [3300], 100: [8192, 2400] };
/** Updates the simulated trainers have in flight at once (the bench's own memory). */
const SENDERS = 8;

function runConfig(trainers: number, modelMB: number): RunConfig {
  return parseRunConfig({
    // One run per row: a row that found another row's checkpoints would resume them, or refuse another model.
    runId: `bench-scale-${trainers}x${modelMB}mb`,
    task: 'mnist',
    rounds: 1,
    evaluate: false,
    model: { hidden: HIDDEN[modelMB] },
    data: { trainExamples: trainers * 10, testExamples: 10 },
    localEpochs: 1,
    quorum: { minTrainers: trainers, fraction: 1 },
    roundDeadlineMs: 3_600_000,
    trainerTimeoutMs: 3_600_000,
    shards: Array.from({ length: trainers }, (_, i) => ({ id: `shard-${i}`, residency: 'any' })),
  });
}

/** Peak resident set of a process, from /proc (Linux); null elsewhere. */
function peakRssMB(pid: number | undefined): number | null {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Math.round(Number(kb) / 1024);
  } catch {
    return null;
  }
}

async function committedRound(url: string): Promise<number> {
  const answer = await fetch(`${url}/healthz`).then((r) => r.json() as Promise<{ round: number }>);
  return answer.round;
}

async function row(storage: string, trainers: number, modelMB: number): Promise<AggregatorScaleRow> {
  const config = runConfig(trainers, modelMB);
  const key = randomBytes(32).toString('hex');
  const aggregator = await startAggregator(config, { env: { SPOTON_BLOB_CONNECTION_STRING: storage, SPOTON_TRAINER_KEYS: key, SPOTON_TICK_MS: '50' } });
  try {
    const specs = weightSpecs(modelShape(config));
    const values = specs.map((s) => new Float32Array(s.shape.reduce((a, b) => a * b, 1)).fill(0.01));
    const payload = encodeWeights(values);
    const sha256 = sha256Hex(payload);
    const client = new AggregatorClient(aggregator.url, key, 600_000);
    const perShard = config.data.trainExamples / trainers;
    for (let i = 0; i < trainers; i++) await client.register({ clientId: `sim-${i}`, cloud: 'aws', shard: `shard-${i}`, residency: 'any' });
    const senders = new Gate(SENDERS);
    const started = performance.now();
    let lastAccepted = started;
    await Promise.all(
      Array.from({ length: trainers }, (_, i) =>
        senders.run(async () => {
          const meta: UpdateMeta = { version: 1, runId: config.runId, clientId: `sim-${i}`, round: 1, baseRound: 0, epoch: 0, examples: perShard, partial: false, cloud: 'aws', shard: `shard-${i}`, weights: specs, sha256, createdAt: new Date().toISOString() };
          await client.pushUpdate(meta, payload);
          lastAccepted = Math.max(lastAccepted, performance.now());
        }),
      ),
    );
    while ((await committedRound(aggregator.url)) < 1) await new Promise((resolve) => setTimeout(resolve, 20));
    const committed = performance.now();
    const bytes = specs.reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
    return {
      trainers,
      modelMB: Math.round(bytes / MB),
      peakRssMB: peakRssMB(aggregator.child.pid),
      lastUpdateToCommitMs: Math.round(committed - lastAccepted),
      updatesPerSec: Number((trainers / ((lastAccepted - started) / 1000)).toFixed(2)),
    };
  } finally {
    await aggregator.stop();
  }
}

/** Every combination, smallest first; the 100 MB rows move 6.4 GB over loopback at 64 trainers. */
export async function benchAggregatorScale(options: { trainers?: readonly number[]; modelsMB?: readonly number[] } = {}): Promise<AggregatorScaleRow[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'spot-on-bench-'));
  const azurite = await startAzurite({ location: dir });
  try {
    const rows: AggregatorScaleRow[] = [];
    for (const modelMB of options.modelsMB ?? [10, 100]) for (const trainers of options.trainers ?? [8, 32, 64]) rows.push(await row(azurite.connectionString, trainers, modelMB));
    return rows;
  } finally {
    await azurite.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
