/**
 * Which shard a trainer that registers without one trains. Failover scales one Azure Deployment whose pods are
 * alike, so they cannot each be configured with a shard: the aggregator, which knows who holds what, hands out the
 * shards that need a trainer. Pure; the aggregator applies it at registration.
 */
import type { Cloud, Residency } from '../../protocol/run-status';
import { mayProcess } from '../config';

export interface ShardHolder {
  readonly clientId: string;
  readonly cloud: Cloud;
  readonly shard: string;
  /** Heard from within the liveness timeout and not leaving. */
  readonly live: boolean;
}

/**
 * The shard for `clientId` on `cloud`: the one it already holds, else the first shard (in run order) that this
 * cloud may process and no live trainer holds. AWS is the primary: an AWS trainer takes back a shard that only
 * Azure covers, so that it reports, the aggregator signals aws-recovered and the brain fails back (the Azure
 * trainer is scaled in then). Undefined when every such shard is held: the trainer waits.
 */
export function assignShard(
  shards: ReadonlyMap<string, Residency>,
  cloud: Cloud,
  clientId: string,
  holders: readonly ShardHolder[],
): string | undefined {
  const own = holders.find((h) => h.clientId === clientId);
  if (own !== undefined && mayProcess(cloud, shards.get(own.shard) ?? 'any')) return own.shard;
  const others = holders.filter((h) => h.live && h.clientId !== clientId);
  const heldBy = (filter: (h: ShardHolder) => boolean) => new Set(others.filter(filter).map((h) => h.shard));
  // First a shard nobody trains; then, for AWS only, one that only Azure covers.
  const passes = cloud === 'aws' ? [heldBy(() => true), heldBy((h) => h.cloud === 'aws')] : [heldBy(() => true)];
  for (const held of passes) {
    for (const [shard, residency] of shards) if (mayProcess(cloud, residency) && !held.has(shard)) return shard;
  }
  return undefined;
}
