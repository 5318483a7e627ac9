/**
 * A task's examples at their source: the training set split into the run's shards, and the test set. Only the
 * staging step (stage.ts) reads them; trainers and the aggregator read what was staged, from their own cloud.
 */
import type { RunConfig } from '../fl-training/config';
import { splitShards, type Dataset } from '../fl-training/task/dataset';
import { loadBlobs } from './blobs';
import { loadMnist } from './mnist';

export interface TaskData {
  readonly shards: ReadonlyMap<string, Dataset>;
  readonly test: Dataset;
}

export type DataConfig = Pick<RunConfig, 'task' | 'data' | 'seed' | 'shards'>;

const cache = new Map<string, TaskData>();

/** Reads (once per process and configuration) the task's shards and test set from the source. */
export function sourceTaskData(config: DataConfig): TaskData {
  const key = JSON.stringify([config.task, config.data, config.seed, config.shards.map((s) => s.id)]);
  const cached = cache.get(key);
  if (cached) return cached;
  const { trainExamples, testExamples } = config.data;
  const { train, test } = config.task === 'mnist' ? loadMnist(trainExamples, testExamples) : loadBlobs(trainExamples, testExamples, config.seed);
  const data = { shards: splitShards(train, config.shards.map((s) => s.id), config.seed), test };
  cache.set(key, data);
  return data;
}
