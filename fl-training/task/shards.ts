/** A run's shards by configuration: which one a trainer trains and how many examples each holds. */
import type { RunConfig, ShardConfig } from '../config';
import { ConfigError } from '../errors';
import { shardSizes } from './dataset';

/** The configuration of a shard; ConfigError when the run has no such shard. */
export function shardConfig(config: Pick<RunConfig, 'shards'>, shardId: string): ShardConfig {
  const shard = config.shards.find((s) => s.id === shardId);
  if (!shard) throw new ConfigError(`shard ${shardId} is not in the run configuration (shards: ${config.shards.map((s) => s.id).join(', ')})`);
  return shard;
}

/** Number of training examples in each shard, by id (from the split rule, without reading any data). */
export function shardExampleCounts(config: Pick<RunConfig, 'data' | 'shards'>): Map<string, number> {
  const sizes = shardSizes(config.data.trainExamples, config.shards.length);
  return new Map(config.shards.map((s, i) => [s.id, sizes[i]!]));
}
