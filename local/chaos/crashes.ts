/**
 * Crashes at the steps of a round and of a flush, each in a federation of its own (one aggregator process, two
 * trainer processes, the tiny `blobs` task): the aggregator killed mid-run and restarted; killed at each write of a
 * commit (model.bin, manifest.json, LATEST) and while storing an accepted update, stopped there by a relay that
 * holds that one request; a trainer killed mid-round, told to stop mid-round (SIGTERM: it flushes), killed during
 * its flush. The run must complete with every round committed exactly once, and the checkpoints must read back.
 */
import type { IncomingMessage } from 'node:http';
import { startLostAnswerProxy, type LostAnswerProxy } from '../lost-answer-proxy';
import { freePort } from '../net';
import { TrainerProcess, type TrainerEnd } from '../cluster/trainer-process';
import { startAggregator } from '../drill/run';
import { readCheckpoint, resolveLatest } from '../../fl-training/store/checkpoint';
import { BlobCheckpointStore } from '../../fl-training/store/blob-store';
import { blobPaths, roundOf } from '../../protocol/blob-layout';
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
  /** Between the aggregator and Blob: holds the request a case names, to kill the aggregator at that step. */
  readonly storageRelay: LostAnswerProxy;
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
  const storageRelay = await startLostAnswerProxy(h.blobUrl);
  const env = { SPOTON_BLOB_CONNECTION_STRING: h.storage.replace(h.blobUrl, storageRelay.url), SPOTON_TRAINER_KEYS: h.keys.trainer };
  const dataUrls = await h.stageRunData(config);
  const port = await freePort();
  let aggregator = await startAggregator(config, { env, port });
  const trainerPort = await freePort();
  const trainers = ['shard-0', 'shard-1'].map(
    (shard, i) =>
      new TrainerProcess(
        { clientId: `trainer-${i}`, cloud: 'aws', shard, nodeName: `chaos-node-${i}`, instanceId: `i-0c4a5c4a5c4a5c4a${i}`, podIP: `127.0.4.${i + 1}` },
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
    storageRelay,
    restartAggregator: async () => {
      aggregator = await startAggregator(config, { env, port });
    },
    stop: async () => {
      for (const trainer of trainers) trainer.kill();
      await aggregator.stop();
      await storageRelay.stop();
    },
  };
}

/**
 * `rounds 1-4 committed once each` when LATEST is the last round and every round up to it reads back verified. A
 * round number whose data landed but whose manifest never did is skipped by design (never reused, its updates carried
 * into the next round): such rounds are counted, `... but 1 skipped (written, never committed)`.
 */
async function committedRounds(h: Harness, runId: string): Promise<string> {
  const store = BlobCheckpointStore.fromConnectionString(h.storage);
  const latest = await resolveLatest(store, runId);
  const last = latest.checkpoint?.manifest.round ?? 0;
  const withManifest = new Set((await store.list(blobPaths.rounds(runId))).filter((p) => p.endsWith('/manifest.json')).map((p) => roundOf(p)));
  const rounds = Array.from({ length: last }, (_, i) => i + 1);
  const committed = await Promise.all(rounds.filter((r) => withManifest.has(r)).map((r) => readCheckpoint(store, runId, r).then((c) => c.manifest.round === r)));
  const skipped = rounds.length - committed.length;
  if (!committed.every(Boolean)) return `rounds 1-${last}: a checkpoint reads back as another round`;
  return `rounds 1-${last} committed once each${skipped > 0 ? ` but ${skipped} skipped (written, never committed)` : ''}`;
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
      if ((await waitFor(() => federation.committedRound(), (round) => round >= 1, 60_000, 100)) < 1) throw new Error('the federation did not commit round 1 within 60 s');
      return await run(h, federation);
    } finally {
      await federation.stop();
    }
  },
});

/** A PUT to a blob whose path matches: one write of the commit protocol or of an update. */
const put = (path: RegExp) => (req: IncomingMessage) => req.method === 'PUT' && path.test(new URL(req.url ?? '/', 'http://relay').pathname);

/** `PUT rounds/N/manifest.json` from a held `PUT /devstoreaccount1/spot-on/runs/<run>/rounds/3/manifest.json?...`. */
function heldStep(request: string): string {
  const [method, url] = request.split(' ');
  const path = new URL(url ?? '/', 'http://relay').pathname
    .replace(/^.*\/runs\/[^/]+\//, '')
    .replace(/rounds\/\d+\//, 'rounds/N/')
    .replace(/updates\/[^/]+\.bin$/, 'updates/<id>.bin');
  return `${method} ${path}`;
}

/** The aggregator killed while its write of `what` is in flight (held by the relay, never landing), then restarted. */
const killedWriting = (name: string, what: string, path: RegExp, skipped = ''): ChaosCase =>
  crashCase(`aggregator-killed-writing-${name}`, `killed at PUT ${what}; trainers complete, rounds 1-${ROUNDS} committed once each${skipped}`, async (h, f) => {
    const held = await Promise.race([f.storageRelay.holdNext(put(path)), new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no PUT ${what} within 60 s`)), 60_000).unref())]);
    await f.killAggregator();
    f.storageRelay.releaseHeld();
    await f.restartAggregator();
    const ends = await Promise.all(f.trainers.map((t) => ended(t)));
    return `killed at ${heldStep(held)}; trainers ${ends.every((e) => e === 'complete') ? 'complete' : ends.join('/')}, ${await committedRounds(h, f.runId)}`;
  });

export const CRASH_CASES: readonly ChaosCase[] = [
  crashCase('aggregator-killed-mid-run', `trainers complete, rounds 1-${ROUNDS} committed once each`, async (h, f) => {
    await f.killAggregator();
    await f.restartAggregator();
    const ends = await Promise.all(f.trainers.map((t) => ended(t)));
    return `trainers ${ends.every((e) => e === 'complete') ? 'complete' : ends.join('/')}, ${await committedRounds(h, f.runId)}`;
  }),
  killedWriting('model', 'rounds/N/model.bin', /\/rounds\/\d+\/model\.bin$/),
  // model.bin landed and its manifest did not: that round number is never reused, its updates go into the next.
  killedWriting('manifest', 'rounds/N/manifest.json', /\/rounds\/\d+\/manifest\.json$/, ' but 1 skipped (written, never committed)'),
  killedWriting('latest', 'LATEST', /\/LATEST$/),
  killedWriting('an-update', 'rounds/N/updates/<id>.bin', /\/rounds\/\d+\/updates\/[^/]+\.bin$/),
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
