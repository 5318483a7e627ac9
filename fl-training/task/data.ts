/** Task data by configuration: the training set split into the configured shards, and the test set. */
import type { RunConfig, ShardConfig } from '../config';
import { ConfigError } from '../errors';
import { loadBlobs } from './blobs';
import { splitShards, type Dataset } from './dataset';
import { loadMnist } from './mnist';

export interface TaskData {
  readonly shards: ReadonlyMap<string, Dataset>;
  readonly test: Dataset;
}

type DataConfig = Pick<RunConfig, 'task' | 'data' | 'seed' | 'shards'>;

const cache = new Map<string, TaskData>();

/** Loads (once per process and configuration) the task's shards and test set. */
export function loadTaskData(config: DataConfig): TaskData {
  const key = JSON.stringify([config.task, config.data, config.seed, config.shards.map((s) => s.id)]);
  const cached = cache.get(key);
  if (cached) return cached;
  const { trainExamples, testExamples } = config.data;
  const { train, test } = config.task === 'mnist' ? loadMnist(trainExamples, testExamples) : loadBlobs(trainExamples, testExamples, config.seed);
  const data = { shards: splitShards(train, config.shards.map((s) => s.id), config.seed), test };
  cache.set(key, data);
  return data;
}

/** The configuration of a shard; ConfigError when the run has no such shard. */
export function shardConfig(config: Pick<RunConfig, 'shards'>, shardId: string): ShardConfig {
  const shard = config.shards.find((s) => s.id === shardId);
  if (!shard) throw new ConfigError(`shard ${shardId} is not in the run configuration (shards: ${config.shards.map((s) => s.id).join(', ')})`);
  return shard;
}

/** Number of training examples in each shard, by id (from the split rule, without loading data). */
export function shardExampleCounts(config: Pick<RunConfig, 'data' | 'shards'>): Map<string, number> {
  const total = config.data.trainExamples;
  const count = config.shards.length;
  return new Map(config.shards.map((s, i) => [s.id, Math.floor(total / count) + (i < total % count ? 1 : 0)]));
}
