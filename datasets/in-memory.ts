/** A run's data staged into in-memory stores, one per cloud: the in-process federations of tests and `spot-on chaos`. */
import type { RunConfig } from '../fl-training/config';
import { MemoryDataStore } from '../fl-training/data/data-store';
import { stageData } from './stage';

export interface InMemoryData {
  readonly aws: MemoryDataStore;
  readonly azure: MemoryDataStore;
}

/** Fresh stores per cloud. */
export function memoryDataStores(): InMemoryData {
  return { aws: new MemoryDataStore('memory://aws-data', 'aws'), azure: new MemoryDataStore('memory://azure-data', 'azure') };
}

/** Stages the run's data into `stores` (fresh ones by default) as a deployment's staging step would. */
export async function stageInMemory(config: RunConfig, stores: InMemoryData = memoryDataStores()): Promise<InMemoryData> {
  await stageData(config, stores);
  return stores;
}
