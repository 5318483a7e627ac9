/**
 * A Spot warning mid-round on real MNIST training: the trainer gets a signed POST /checkpoint, stops at the next
 * batch boundary, contributes its partial work (weighted by the examples it processed) and exits; a
 * replacement trainer on Azure takes the shard over. Examples lost = 0 and the final accuracy stays within one
 * percentage point of an uninterrupted run with the same seed. Checkpoints go to Blob (Azurite).
 */
import { startAzurite, type Azurite } from '../../../local/azurite';
import { parseRunConfig, type RunConfig } from '../../../fl-training/config';
import { BlobCheckpointStore } from '../../../fl-training/store/blob-store';
import { readCheckpoint } from '../../../fl-training/store/checkpoint';
import { MemoryCheckpointStore } from '../../../fl-training/store/memory-store';
import type { TrainerResult } from '../../../fl-training/trainer/trainer';
import { finalState, KEYS, makeTrainer, requestFlush, startAggregator } from './support/federation';

jest.setTimeout(80_000);

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => azurite?.stop());

const ROUNDS = 5;
const config: RunConfig = parseRunConfig({ task: 'mnist', runId: 'mnist-flush', rounds: ROUNDS, quorum: { minTrainers: 3, fraction: 1 } });

async function baseline(): Promise<number> {
  const store = new MemoryCheckpointStore();
  const { aggregator, server } = await startAggregator(config, store);
  const trainers = config.shards.map((s, i) => makeTrainer(server.url, `trainer-${i}`, s.id));
  await Promise.all(trainers.map((t) => t.run()));
  const accuracy = (await finalState(store, config.runId)).manifest.metrics.accuracy!;
  await Promise.all(trainers.map((t) => t.close()));
  await server.close();
  await aggregator.close();
  return accuracy;
}

describe('flush on a Spot warning (MNIST, 3 trainers x 5 rounds)', () => {
  it('aggregates the partial work, loses no example and keeps accuracy within 1 pp of an uninterrupted run', async () => {
    const baselineAccuracy = await baseline();

    const store = await BlobCheckpointStore.fromConnectionString(azurite.connectionString).ensureContainer();
    const { aggregator, server } = await startAggregator(config, store);
    const answers: Record<string, { status: number; body: unknown }> = {};
    const trainers = config.shards.map((s, i) =>
      makeTrainer(server.url, `aws-${i}`, s.id, {
        instanceId: `i-0000000000000000${i}`,
        nodeName: `ip-10-0-0-${i}.ec2.internal`,
        onBatch: async (p) => {
          if (p.clientId !== 'aws-0' || p.round !== 2 || p.batch !== 9 || answers.first) return;
          // While this batch hook runs the trainer cannot move on, so the answers below are deterministic.
          const victimUrl = trainers[0]!.flushUrl!;
          // A genuine request for aws-1's instance, replayed at aws-0: refused, and no flush starts.
          answers.otherInstance = await requestFlush(victimUrl, { requestId: 'evt-spot-0', instanceId: 'i-00000000000000001' });
          answers.first = await requestFlush(victimUrl, { requestId: 'evt-spot-1', instanceId: 'i-00000000000000000' });
          answers.otherWhileFlushing = await requestFlush(victimUrl, { requestId: 'evt-rebalance-2', reason: 'rebalance-recommendation', instanceId: 'i-00000000000000000' });
          answers.badSignature = await requestFlush(victimUrl, { requestId: 'evt-3' }, 'wrong-secret');
          answers.badBody = await requestFlush(victimUrl, { requestId: '', instanceId: 'not-an-instance' });
        },
      }),
    );
    const victim = trainers[0]!;
    await Promise.all(trainers.map((t) => t.start()));
    const runs = trainers.map((t) => t.run());

    const flushedResult = await runs[0]!;
    answers.repeatAfterDone = await requestFlush(victim.flushUrl!, { requestId: 'evt-spot-1', instanceId: 'i-00000000000000000' });
    const victimMetrics = (await (await fetch(victim.flushUrl!.replace(/\/checkpoint$/, '/metrics'))).text()).split('\n');
    await victim.close();

    // Failover: once round 2 is committed, an Azure trainer takes shard-0 over and rejoins at the open round.
    if (aggregator.committedRound < 2) await new Promise((resolve) => aggregator.on('committed', (info: { round: number }) => info.round === 2 && resolve(undefined)));
    const replacement = makeTrainer(server.url, 'azure-0', 'shard-0', { cloud: 'azure' });
    const results: TrainerResult[] = [flushedResult, ...(await Promise.all([...runs.slice(1), replacement.run()]))];
    await aggregator.flushWrites();

    expect(answers).toStrictEqual({
      otherInstance: { status: 421, body: { error: 'wrong-instance', message: 'this trainer is not on instance i-00000000000000001' } },
      first: { status: 202, body: { requestId: 'evt-spot-1', status: 'started' } },
      otherWhileFlushing: { status: 409, body: { requestId: 'evt-rebalance-2', status: 'in-progress' } },
      badSignature: { status: 401, body: { error: 'bad-signature', message: 'signature does not match' } },
      badBody: { status: 400, body: expect.objectContaining({ error: 'malformed' }) },
      repeatAfterDone: { status: 200, body: { requestId: 'evt-spot-1', status: 'done' } },
    });
    // stopped after batch 9 (10 batches x 32 examples) of round 2
    expect(flushedResult).toStrictEqual({ exit: 'flushed', rounds: [1, 2], examplesProcessed: 1000 + 320, examplesContributed: 1320, examplesDiscarded: 0, examplesRedone: 0, examplesDuplicated: 0, partialRound: 2 });
    expect(results[3]).toMatchObject({ exit: 'complete', rounds: [3, 4, 5] });
    // GET /metrics on the flush endpoint's port: the three requests that reached the trainer, its two rounds, one flush
    expect(victimMetrics.filter((line) => /^spoton_fl_trainer_(flush_requests_total|rounds_trained_total|examples_trained_total|flush_seconds_count)\{/.test(line))).toStrictEqual([
      'spoton_fl_trainer_rounds_trained_total{outcome="accepted",cloud="aws"} 2',
      'spoton_fl_trainer_examples_trained_total{outcome="accepted",cloud="aws"} 1320',
      'spoton_fl_trainer_flush_requests_total{source="checkpoint",outcome="started",cloud="aws"} 1',
      'spoton_fl_trainer_flush_requests_total{source="checkpoint",outcome="in-progress",cloud="aws"} 1',
      'spoton_fl_trainer_flush_requests_total{source="checkpoint",outcome="done",cloud="aws"} 1',
      'spoton_fl_trainer_flush_seconds_count{cloud="aws"} 1',
    ]);

    const manifests = await Promise.all(Array.from({ length: ROUNDS }, (_, i) => readCheckpoint(store, config.runId, i + 1).then((c) => c.manifest)));
    expect(manifests[1]!.participants.map((p) => [p.clientId, p.examples, p.partial, p.cloud])).toStrictEqual([
      ['aws-0', 320, true, 'aws'],
      ['aws-1', 1000, false, 'aws'],
      ['aws-2', 1000, false, 'aws'],
    ]);
    expect(manifests[4]!.participants.map((p) => p.clientId)).toStrictEqual(['aws-1', 'aws-2', 'azure-0']);

    const processed = results.reduce((sum, r) => sum + r.examplesProcessed, 0);
    const committed = manifests.reduce((sum, m) => sum + m.metrics.examples, 0);
    const examplesLost = processed - committed;
    const accuracy = manifests[ROUNDS - 1]!.metrics.accuracy!;
    console.log(`flush: examples lost ${examplesLost}; accuracy ${(accuracy * 100).toFixed(2)}% vs baseline ${(baselineAccuracy * 100).toFixed(2)}%`);
    expect(examplesLost).toBe(0);
    expect(Math.abs(accuracy - baselineAccuracy)).toBeLessThanOrEqual(0.01);
    expect(baselineAccuracy).toBeGreaterThan(0.8);

    const status = aggregator.status();
    expect(status.trainers.find((t) => t.clientId === 'aws-0')).toMatchObject({ instanceId: 'i-00000000000000000', nodeName: 'ip-10-0-0-0.ec2.internal', lastRound: 2 });
    expect(status.reporting).toStrictEqual({ aws: 2, azure: 1 });

    await Promise.all([...trainers.slice(1), replacement].map((t) => t.close()));
    await server.close();
    await aggregator.close();
  });
});

describe('the flush endpoint of a trainer without the flush key', () => {
  it('refuses every flush request: only AWS trainers hold the flush key; serves GET /metrics', async () => {
    const azureTrainer = makeTrainer('http://127.0.0.1:9', 'azure-0', 'shard-0', { cloud: 'azure', keys: { trainer: KEYS.trainer } });
    const url = await azureTrainer.start();
    try {
      expect(await requestFlush(`${url}/checkpoint`)).toStrictEqual({ status: 403, body: { error: 'flush-disabled', message: 'this trainer takes no flush requests (it has no flush key)' } });
      // Its metrics stay open to the cluster's scraper, read-only.
      const metrics = await fetch(`${url}/metrics`);
      expect([metrics.status, metrics.headers.get('content-type')]).toStrictEqual([200, 'text/plain; version=0.0.4; charset=utf-8']);
      expect(await metrics.text()).toContain('\nspoton_fl_trainer_training_seconds_total{cloud="azure"} 0\n');
      expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(404);
    } finally {
      await azureTrainer.close();
    }
  });
});
