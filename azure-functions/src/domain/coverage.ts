/**
 * How many Azure GPU nodes (one trainer each) a signal calls for, read from the aggregator's run status
 * (runs/<runId>/status.json). Pure; a missing status is allowed (the aggregator may not have written one yet).
 */
import type { RunStatus } from '../../../protocol/run-status';
import type { FailoverPolicy } from './policy';

/**
 * AWS trainers still training after losing `lostInstanceIds`: the reporting count, less the listed AWS trainers
 * on the lost instances (a Spot warning comes two minutes before the node goes, so they may still report).
 */
export function remainingAwsTrainers(status: RunStatus, lostInstanceIds: readonly string[]): number {
  const lost = new Set(lostInstanceIds);
  const listed = status.trainers.filter((trainer) => trainer.cloud === 'aws');
  if (listed.length === 0) return status.reporting.aws;
  const survivors = listed.filter((trainer) => trainer.instanceId === undefined || !lost.has(trainer.instanceId)).length;
  return Math.min(status.reporting.aws, survivors);
}

/**
 * Nodes that cover the AWS trainers missing below `minAwsTrainers` (capacity-lost), capped by `maxAzureNodes`.
 * Without a status, each lost instance counts as one missing trainer (at least one), still within the minimum.
 */
export function capacityNeed(status: RunStatus | undefined, lostInstanceIds: readonly string[], policy: FailoverPolicy): number {
  const missing =
    status === undefined
      ? Math.min(policy.minAwsTrainers, Math.max(1, lostInstanceIds.length))
      : Math.max(0, policy.minAwsTrainers - remainingAwsTrainers(status, lostInstanceIds));
  return Math.min(policy.maxAzureNodes, missing);
}

/** What a full failover moves: nodes for every AWS trainer whose shard may train on Azure, and the shards that pause. */
export interface FullCoverPlan {
  readonly nodes: number;
  readonly pausedShards: string[];
}

/**
 * Plans a full failover (aws-unhealthy, aws-silent): one node per AWS trainer whose shard is movable to Azure;
 * shards pinned to AWS pause. Without a status (or with no AWS trainer listed) it plans `minAwsTrainers` nodes
 * (at least one). Capped by `maxAzureNodes`.
 */
export function fullCoverPlan(status: RunStatus | undefined, policy: FailoverPolicy): FullCoverPlan {
  const fallback = Math.min(policy.maxAzureNodes, Math.max(1, policy.minAwsTrainers));
  if (status === undefined) return { nodes: fallback, pausedShards: [] };
  const movable = new Map(status.shards.map((shard) => [shard.shard, shard.movableToAzure]));
  const isMovable = (shard: string, residency: string) => movable.get(shard) ?? residency !== 'aws';
  const awsTrainers = status.trainers.filter((trainer) => trainer.cloud === 'aws');
  const pausedShards = [
    ...new Set([
      ...status.shards.filter((shard) => !shard.movableToAzure).map((shard) => shard.shard),
      ...awsTrainers.filter((trainer) => !isMovable(trainer.shard, trainer.residency)).map((trainer) => trainer.shard),
    ]),
  ].sort();
  if (awsTrainers.length === 0) return { nodes: fallback, pausedShards };
  const nodes = awsTrainers.filter((trainer) => isMovable(trainer.shard, trainer.residency)).length;
  return { nodes: Math.min(policy.maxAzureNodes, nodes), pausedShards };
}
