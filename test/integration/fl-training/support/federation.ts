/** In-process federation for integration tests: a real aggregator over HTTP and real tfjs trainers. */
import { Aggregator, type AggregatorOptions } from '../../../../fl-training/aggregator/aggregator';
import { startAggregatorServer, type AggregatorServer } from '../../../../fl-training/aggregator/http';
import type { RunConfig } from '../../../../fl-training/config';
import { resolveLatest } from '../../../../fl-training/store/checkpoint';
import type { CheckpointStore } from '../../../../fl-training/store/checkpoint-store';
import { initBackend } from '../../../../fl-training/task/backend';
import { createEvaluator } from '../../../../fl-training/task/evaluator';
import { loadTestSet } from '../../../../fl-training/data/load';
import { memoryDataStores, stageInMemory } from '../../../../datasets/in-memory';
import { Trainer, type TrainerOptions } from '../../../../fl-training/trainer/trainer';
import { parseKeyRing } from '../../../../protocol/keys';
import { sign } from '../../../../protocol/signing';
import type { FlushRequest } from '../../../../protocol/flush-request';

/** The flush key ring the tests' "Lambda" signs with, and the trainer ring trainers sign with: distinct, as deployed. */
export const SECRET = 'integration-test-flush-key-of-32-chars';
export const TRAINER_KEY = 'integration-test-trainer-key-of-32-chars';
export const KEYS = { flush: parseKeyRing('flush', SECRET), trainer: parseKeyRing('trainer', TRAINER_KEY) };
const verbose = Boolean(process.env.DEBUG_FL);
export const logger = (name: string) => (verbose ? (line: string) => console.log(`[${name}] ${line}`) : () => undefined);

export interface RunningAggregator {
  readonly aggregator: Aggregator;
  readonly server: AggregatorServer;
}

/**
 * Each cloud's training data for this test file's federations, staged by startAggregator for its run. A trainer
 * reads its cloud's store; one configuration's data at a time (another's is refused as staged for another run).
 */
export const DATA = memoryDataStores();

/** Opens (or resumes) an aggregator on the store and serves it; `port` reuses a previous instance's port. */
export async function startAggregator(config: RunConfig, store: CheckpointStore, options: { port?: number; extra?: Partial<AggregatorOptions> } = {}): Promise<RunningAggregator> {
  await initBackend(() => undefined);
  await stageInMemory(config, DATA);
  const evaluator = createEvaluator(config, await loadTestSet(DATA.azure, config));
  const aggregator = await Aggregator.open({ config, store, tickMs: 50, scanMs: 200, statePollMs: 0, log: logger('aggregator'), evaluator, ...options.extra });
  const server = await startAggregatorServer(aggregator, { trainerKeys: KEYS.trainer, log: logger('http'), ...(options.port ? { port: options.port } : {}) });
  return { aggregator, server };
}

/** A trainer with test-friendly timings. */
export function makeTrainer(aggregatorUrl: string, clientId: string, shard: string, extra: Partial<TrainerOptions> = {}): Trainer {
  const cloud = extra.cloud ?? 'aws';
  return new Trainer({ aggregatorUrl, clientId, cloud, shard, data: DATA[cloud], keys: KEYS, retryMs: 50, waitMs: 5_000, heartbeatMs: 1_000, log: logger(clientId), ...extra });
}

/** The final global weights and every committed manifest of a run. */
export async function finalState(store: CheckpointStore, runId: string) {
  const resolved = await resolveLatest(store, runId);
  return resolved.checkpoint!;
}

/** Sends a signed flush request as the interruption Lambda does. */
export async function requestFlush(url: string, request: Partial<FlushRequest> = {}, secret = SECRET): Promise<{ status: number; body: unknown }> {
  const body = JSON.stringify({
    version: 1,
    requestId: 'evt-1',
    reason: 'spot-interruption',
    deadline: new Date(Date.now() + 120_000).toISOString(),
    instanceId: 'i-0123456789abcdef0',
    ...request,
  });
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...sign(secret, body) }, body });
  return { status: response.status, body: await response.json() };
}

/** Largest absolute difference between two weight lists. */
export function maxAbsDiff(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let max = 0;
  a.forEach((w, i) => w.forEach((v, j) => (max = Math.max(max, Math.abs(v - b[i]![j]!)))));
  return max;
}
