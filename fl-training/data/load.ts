/** Reads a process's own part of the run's data from its data store: a trainer its shard, the aggregator the test set. */
import type { RunConfig } from '../config';
import type { Dataset } from '../task/dataset';
import { TASK_SHAPES } from '../task/tasks';
import { dataId, dataObjectName, decodeDataPart, TEST_PART } from './data-part';
import type { DataStore } from './data-store';

async function loadPart(store: DataStore, config: RunConfig, part: string): Promise<Dataset> {
  const name = dataObjectName(part);
  const bytes = await store.read(name);
  return decodeDataPart(bytes, { location: `${store.url}/${name}`, dataId: dataId(config), part, ...TASK_SHAPES[config.task] });
}

/** One shard's training examples, and nothing else. */
export function loadShard(store: DataStore, config: RunConfig, shardId: string): Promise<Dataset> {
  return loadPart(store, config, shardId);
}

/** The test set the aggregator evaluates the global model on. */
export function loadTestSet(store: DataStore, config: RunConfig): Promise<Dataset> {
  return loadPart(store, config, TEST_PART);
}
