/**
 * Staging: puts each part of a run's data where it may be processed, and nowhere else. A shard goes to the store
 * of every cloud its residency allows (`aws`: S3 only, `azure`: Blob only, `any`: both); the test set goes to
 * the aggregator's cloud, Azure. Trainers then read their own shard from their own cloud (fl-training/data/), so
 * the images carry no data and a shard pinned to AWS never reaches Azure storage.
 */
import { createHash } from 'node:crypto';
import { mayProcess, type RunConfig } from '../fl-training/config';
import { dataId, dataObjectName, encodeDataPart, TEST_PART } from '../fl-training/data/data-part';
import type { DataStore } from '../fl-training/data/data-store';
import type { Cloud } from '../protocol/run-status';
import { sourceTaskData } from './source';

/** The store of each cloud; a cloud that some shard may run in must have one. */
export type StageTargets = Partial<Record<Cloud, DataStore>>;

export interface StagedObject {
  readonly part: string;
  readonly cloud: Cloud;
  readonly url: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** The cloud the aggregator runs in, which holds the test set. */
export const AGGREGATOR_CLOUD: Cloud = 'azure';

const CLOUDS: readonly Cloud[] = ['aws', 'azure'];

/** Where each part goes: its clouds, by residency (and the test set to the aggregator's). */
export function stagingPlan(config: Pick<RunConfig, 'shards'>): { part: string; clouds: Cloud[] }[] {
  return [
    ...config.shards.map((shard) => ({ part: shard.id, clouds: CLOUDS.filter((cloud) => mayProcess(cloud, shard.residency)) })),
    { part: TEST_PART, clouds: [AGGREGATOR_CLOUD] },
  ];
}

/** Writes every part to its stores; checks first that each store it needs is given and is in the right cloud. */
export async function stageData(config: RunConfig, targets: StageTargets): Promise<StagedObject[]> {
  const plan = stagingPlan(config);
  for (const cloud of new Set(plan.flatMap((p) => p.clouds))) {
    const store = targets[cloud];
    if (!store) throw new Error(`the run has data for ${cloud} (${plan.filter((p) => p.clouds.includes(cloud)).map((p) => p.part).join(', ')}) but no ${cloud} data store was given`);
    if (store.cloud !== undefined && store.cloud !== cloud) throw new Error(`${store.url} is ${store.cloud} storage, given as ${cloud}'s`);
  }
  const source = sourceTaskData(config);
  const id = dataId(config);
  const staged: StagedObject[] = [];
  for (const { part, clouds } of plan) {
    const bytes = encodeDataPart(id, part, part === TEST_PART ? source.test : source.shards.get(part)!);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    for (const cloud of clouds) {
      const store = targets[cloud]!;
      const name = dataObjectName(part);
      await store.write(name, bytes);
      staged.push({ part, cloud, url: `${store.url}/${name}`, bytes: bytes.length, sha256 });
    }
  }
  return staged;
}
