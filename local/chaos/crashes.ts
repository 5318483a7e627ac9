/**
 * Crashes at the steps of a round and of a flush, each in a federation of its own (one aggregator process, two
 * trainer processes, the tiny `blobs` task): the aggregator killed mid-run and restarted, a trainer killed mid-round,
 * a trainer told to stop mid-round (SIGTERM: it flushes). The run must complete with every round committed exactly
 * once, and the checkpoints must read back.
 */
import { freePort } from '../net';
import { TrainerProcess, type TrainerEnd } from '../cluster/trainer-process';
import { startAggregator } from '../drill/run';
import { readCheckpoint, resolveLatest } from '../../fl-training/store/checkpoint';
import { BlobCheckpointStore } from '../../fl-training/store/blob-store';
import { send, waitFor, type ChaosCase } from './case';
import type { Harness } from './harness';

const ROUNDS = 4;

interface Federation {
  readonly runId: string;
  readonly trainers: readonly TrainerProcess[];
  /** The committed round, as the aggregator's health endpoint says (-1 while it is down). */
  committedRound(): Promise<number>;
  killAggregator(): Promise<void>;
  restartAggregator(): Promise<void>;
  stop(): Promise<void>;
}

async function startFederation(h: Harness, name: string): Promise<Federation> {
  const runId = `chaos-crash-${name}-${process.pid}`;
  const config = {
    runId,
    task: 'blobs',
    rounds: ROUNDS,
    evaluate: false,
    quorum: { minTrainers: 1, fraction: 1 },
    trainerTimeoutMs: 2_000,
    roundDeadlineMs: 4_000,
    shards: [
      { id: 'shard-0', residency: 'any' },
      { id: 'shard-1', residency: 'any' },
    ],
  };
  const env = { SPOTON_BLOB_CONNECTION_STRING: h.storage, SPOTON_TRAINER_KEYS: h.keys.trainer };
  const dataUrls = await h.stageRunData(config);
  const port = await freePort();
  let aggregator = await startAggregator(config, { env, port });
  const trainerPort = await freePort();
  const trainers = ['shard-0', 'shard-1'].map(
    (shard, i) =>
      new TrainerProcess(
        { clientId: `${runId}-t${i}`, cloud: 'aws', shard, nodeName: `chaos-node-${i}`, instanceId: `i-0c4a5c4a5c4a5c4a${i}`, podIP: `127.0.4.${i + 1}` },
        { ...process.env, SPOTON_AGGREGATOR_URL: aggregator.url, SPOTON_TRAINER_KEYS: h.keys.trainer, SPOTON_FLUSH_KEYS: h.keys.flush, SPOTON_BLOB_CONNECTION_STRING: h.storage, TRAINER_PORT: String(trainerPort), SPOTON_MIN_BATCH_MS: '40', SPOTON_SIGTERM_GRACE_MS: '5000', SPOTON_DATA_URL: dataUrls.aws, ...h.s3Env },
        () => undefined,
      ),
  );
  return {
    runId,
    trainers,
    committedRound: async () => {
      const answer = await send(`${aggregator.url}/healthz`).catch(() => undefined);
      return typeof answer?.json?.round === 'number' ? answer.json.round : -1;
    },
    killAggregator: () => aggregator.kill(),
    restartAggregator: async () => {
      aggregator = await startAggregator(config, { env, port });
    },
    stop: async () => {
      for (const trainer of trainers) trainer.kill();
      await aggregator.stop();
    },
  };
}

/** `rounds 1-4 committed once each` when LATEST is the last round and every round's checkpoint reads back. */
async function committedRounds(h: Harness, runId: string): Promise<string> {
  const store = BlobCheckpointStore.fromConnectionString(h.storage);
  const latest = await resolveLatest(store, runId);
  const round = latest.checkpoint?.manifest.round ?? 0;
  const rounds = await Promise.all(Array.from({ length: round }, (_, i) => readCheckpoint(store, runId, i + 1).then((c) => c.manifest.round)));
  const contiguous = rounds.every((r, i) => r === i + 1);
  return `rounds 1-${round} committed ${contiguous ? 'once each' : `as ${rounds.join(',')}`}`;
}

const ended = (trainer: TrainerProcess | undefined): Promise<TrainerEnd | 'timeout'> =>
  trainer === undefined ? Promise.resolve('timeout') : Promise.race([trainer.ended, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 90_000).unref())]);

const crashCase = (id: string, expected: string, run: (h: Harness, f: Federation) => Promise<string>): ChaosCase => ({
  id: `crashes/${id}`,
  target: 'federation (aggregator and trainer processes)',
  expected,
  run: async (h) => {
    const federation = await startFederation(h, id);
    try {
      await waitFor(() => federation.committedRound(), (round) => round >= 1, 60_000, 100);
      return await run(h, federation);
    } finally {
      await federation.stop();
    }
  },
});

export const CRASH_CASES: readonly ChaosCase[] = [
  crashCase('aggregator-killed-mid-run', `trainers complete, rounds 1-${ROUNDS} committed once each`, async (h, f) => {
    await f.killAggregator();
    await f.restartAggregator();
    const ends = await Promise.all(f.trainers.map((t) => ended(t)));
    return `trainers ${ends.every((e) => e === 'complete') ? 'complete' : ends.join('/')}, ${await committedRounds(h, f.runId)}`;
  }),
  crashCase('trainer-killed-mid-round', `the other trainer completes, rounds 1-${ROUNDS} committed once each`, async (h, f) => {
    f.trainers[1]?.kill();
    const end = await ended(f.trainers[0]);
    return `the other trainer ${end === 'complete' ? 'completes' : `ends ${end}`}, ${await committedRounds(h, f.runId)}`;
  }),
  crashCase('trainer-stopped-mid-round-flushes', `flushed, the other trainer completes, rounds 1-${ROUNDS} committed once each`, async (h, f) => {
    f.trainers[1]?.terminate();
    const [stopped, other] = await Promise.all([ended(f.trainers[1]), ended(f.trainers[0])]);
    return `${stopped}, the other trainer ${other === 'complete' ? 'completes' : `ends ${other}`}, ${await committedRounds(h, f.runId)}`;
  }),
  crashCase('trainer-killed-during-its-flush', `the other trainer completes, rounds 1-${ROUNDS} committed once each`, async (h, f) => {
    // SIGTERM starts the flush; the kill lands before the partial update can be durable (a Spot reclaim cutting it).
    f.trainers[1]?.terminate();
    await new Promise((resolve) => setTimeout(resolve, 30));
    f.trainers[1]?.kill();
    const end = await ended(f.trainers[0]);
    return `the other trainer ${end === 'complete' ? 'completes' : `ends ${end}`}, ${await committedRounds(h, f.runId)}`;
  }),
];
