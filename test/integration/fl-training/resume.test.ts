/**
 * Exact resume: 3 trainers x 5 rounds on Azurite; the aggregator is killed after round 3 (just as the first
 * round-4 update is accepted) and restarted; it resumes at round 4 from Blob and ends with the same weights as
 * an uninterrupted run (SGD + FedAvg bit-identical; Adam + FedAdam within 1e-6). Also: a trainer flushing
 * while the aggregator is down stores its partial update in Blob and the restarted aggregator aggregates it.
 */
import { startAzurite, type Azurite } from '../../../local/azurite';
import { parseRunConfig, type RunConfig } from '../../../fl-training/config';
import { BlobCheckpointStore } from '../../../fl-training/store/blob-store';
import { readCheckpoint } from '../../../fl-training/store/checkpoint';
import { MemoryCheckpointStore } from '../../../fl-training/store/memory-store';
import type { CheckpointStore } from '../../../fl-training/store/checkpoint-store';
import type { TrainerResult } from '../../../fl-training/trainer/trainer';
import { finalState, makeTrainer, maxAbsDiff, requestFlush, startAggregator } from './support/federation';

jest.setTimeout(60_000);

let azurite: Azurite;
let blob: BlobCheckpointStore;
beforeAll(async () => {
  azurite = await startAzurite();
  blob = await BlobCheckpointStore.fromConnectionString(azurite.connectionString).ensureContainer();
});
afterAll(async () => azurite?.stop());

const configFor = (runId: string, extra: Record<string, unknown> = {}): RunConfig =>
  parseRunConfig({ task: 'blobs', runId, rounds: 5, localEpochs: 2, quorum: { minTrainers: 3, fraction: 1 }, ...extra });

interface Outcome {
  final: Float32Array[];
  results: TrainerResult[];
  atKill?: { round: number; weights: Float32Array[] };
  resumed?: { committedRound: number; openRound: number; weights: Float32Array[] };
}

/** Runs 3 trainers to the end; with killAfterRound, crashes and restarts the aggregator once. */
async function run(config: RunConfig, store: CheckpointStore, killAfterRound?: number): Promise<Outcome> {
  let { aggregator, server } = await startAggregator(config, store);
  const trainers = config.shards.map((s, i) => makeTrainer(server.url, `trainer-${i}`, s.id));
  const outcome: Partial<Outcome> = {};
  let crashed: Promise<void> | undefined;
  if (killAfterRound !== undefined) {
    crashed = new Promise<void>((resolve) => {
      aggregator.on('committed', (info: { round: number }) => {
        if (info.round === killAfterRound) outcome.atKill = { round: info.round, weights: aggregator.globalWeights() };
      });
      aggregator.on('accepted', (meta: { round: number }) => {
        if (outcome.atKill && meta.round === killAfterRound + 1 && !crashedOnce) {
          crashedOnce = true;
          aggregator.kill(); // crash: no goodbye, connections dropped mid-request
          void server.kill().then(resolve);
        }
      });
    });
  }
  let crashedOnce = false;
  const runs = Promise.all(trainers.map((t) => t.run()));
  if (crashed) {
    await crashed;
    const port = server.port;
    ({ aggregator, server } = await startAggregator(config, store, { port }));
    outcome.resumed = { committedRound: aggregator.committedRound, openRound: aggregator.openRound, weights: aggregator.globalWeights() };
  }
  outcome.results = await runs;
  await aggregator.flushWrites();
  outcome.final = (await finalState(store, config.runId)).weights;
  await Promise.all(trainers.map((t) => t.close()));
  await server.close();
  await aggregator.close();
  return outcome as Outcome;
}

describe('aggregator crash and resume from Blob', () => {
  it('SGD + FedAvg: resumes at round 4 with bit-identical weights and finishes identical to an uninterrupted run', async () => {
    const reference = await run(configFor('ref-sgd'), new MemoryCheckpointStore());
    const interrupted = await run(configFor('crash-sgd'), blob, 3);
    expect(interrupted.atKill?.round).toBe(3);
    expect(interrupted.resumed?.committedRound).toBe(3);
    expect(interrupted.resumed?.openRound).toBe(4);
    expect(interrupted.resumed?.weights).toStrictEqual(interrupted.atKill?.weights);
    expect(interrupted.final).toStrictEqual(reference.final);
    expect(maxAbsDiff(interrupted.final, reference.final)).toBe(0);
    expect(interrupted.results.map((r) => r.rounds)).toStrictEqual(Array(3).fill([1, 2, 3, 4, 5]));
    expect(interrupted.results.map((r) => r.examplesDiscarded)).toStrictEqual([0, 0, 0]);
  });

  it('Adam + FedAdam: resumes with the server optimizer state and finishes within 1e-6 of an uninterrupted run', async () => {
    const adam = { optimizer: 'adam', learningRate: 0.01, strategy: { name: 'fedadam', eta: 0.05 } };
    const reference = await run(configFor('ref-adam', adam), new MemoryCheckpointStore());
    const interrupted = await run(configFor('crash-adam', adam), blob, 3);
    expect(interrupted.resumed?.openRound).toBe(4);
    expect(interrupted.resumed?.weights).toStrictEqual(interrupted.atKill?.weights);
    const diff = maxAbsDiff(interrupted.final, reference.final);
    console.log(`resume (Adam + FedAdam): max |final weight difference| = ${diff}`);
    expect(diff).toBeLessThanOrEqual(1e-6);
    const manifest = (await readCheckpoint(blob, 'crash-adam', 5)).manifest;
    expect(manifest.optimizer?.name).toBe('fedadam');
  });
});

describe('flush while the aggregator is unreachable', () => {
  it('stores the partial update create-only in Blob; the restarted aggregator aggregates it; nothing is lost', async () => {
    const config = configFor('blob-flush', { quorum: { minTrainers: 2, fraction: 1 } });
    let { aggregator, server } = await startAggregator(config, blob);
    const port = server.port;
    let flushed: Promise<{ status: number }> | undefined;
    const trainers = config.shards.map((s, i) =>
      makeTrainer(server.url, `trainer-${i}`, s.id, {
        store: blob,
        blobReserveMs: 2_000,
        onBatch: async (p) => {
          if (p.clientId === 'trainer-0' && p.round === 2 && p.batch === 3 && !flushed) {
            aggregator.kill();
            await server.kill();
            flushed = requestFlush(trainers[0]!.flushUrl!, { requestId: 'evt-blob', deadline: new Date(Date.now() + 3_000).toISOString() });
            await flushed;
          }
        },
      }),
    );
    await Promise.all(trainers.map((t) => t.start()));
    const runs = trainers.map((t) => t.run());
    const first = await runs[0]!;
    expect((await flushed!).status).toBe(202);
    expect(first).toMatchObject({ exit: 'flushed', partialRound: 2, examplesContributed: 200 * 2 + 4 * 16 }); // round 1 (2 epochs) + 4 batches
    ({ aggregator, server } = await startAggregator(config, blob, { port }));
    const rest = await Promise.all(runs.slice(1));
    await aggregator.flushWrites();
    const round2 = (await readCheckpoint(blob, 'blob-flush', 2)).manifest;
    expect(round2.participants.map((p) => [p.clientId, p.examples, p.partial])).toStrictEqual([
      ['trainer-0', 64, true],
      ['trainer-1', 400, false],
      ['trainer-2', 400, false],
    ]);
    let committed = 0;
    for (let round = 1; round <= 5; round++) committed += (await readCheckpoint(blob, 'blob-flush', round)).manifest.metrics.examples;
    const processed = [first, ...rest].reduce((sum, r) => sum + r.examplesProcessed, 0);
    expect(processed - committed).toBe(0); // examples lost
    await Promise.all(trainers.map((t) => t.close()));
    await server.close();
    await aggregator.close();
  });
});
