/**
 * What "the GPU pool has N nodes" means for an AKS agent pool, as pure functions. AKS has no scale API: the whole
 * pool is PUT. With the cluster autoscaler off, `count` is the node count (0 allowed for user pools). With it on,
 * `count` must lie in [minCount, maxCount] and raising `minCount` makes AKS scale up; to go back to 0 the brain sets
 * `minCount` 0 and the autoscaler removes the idle nodes once the trainers are gone.
 */

/** The fields of an agent pool the brain reads. */
export interface PoolView {
  readonly provisioningState: string;
  readonly count: number;
  readonly enableAutoScaling: boolean;
  readonly minCount?: number;
  readonly maxCount?: number;
}

/** Provisioning states after which no operation runs on the pool. */
const SETTLED_STATES = new Set(['succeeded', 'failed', 'canceled']);

/** True while an operation runs on the pool (Creating, Scaling, Updating, Upgrading, ...). */
export function isPoolBusy(pool: PoolView): boolean {
  return !SETTLED_STATES.has(pool.provisioningState.toLowerCase());
}

/** The target the pool can take: with the autoscaler on, no more than its maxCount. */
export function reachableTarget(pool: PoolView, target: number): number {
  return pool.enableAutoScaling && pool.maxCount !== undefined ? Math.min(target, pool.maxCount) : target;
}

/** True when the pool settled successfully at the target (with the autoscaler: minCount is the target). */
export function poolMeetsTarget(pool: PoolView, target: number): boolean {
  if (pool.provisioningState.toLowerCase() !== 'succeeded') return false;
  const wanted = reachableTarget(pool, target);
  if (!pool.enableAutoScaling) return pool.count === wanted;
  return (pool.minCount ?? 0) === wanted && pool.count >= wanted;
}

/** The scaling fields of the PUT that brings the pool to the target. */
export function scalingFields(pool: PoolView, target: number): { count: number; minCount?: number } {
  if (!pool.enableAutoScaling) return { count: target };
  const wanted = reachableTarget(pool, target);
  const max = pool.maxCount ?? Math.max(wanted, pool.count);
  // count must stay inside [minCount, maxCount]; on the way down the autoscaler removes idle nodes itself.
  return { minCount: wanted, count: Math.min(max, Math.max(wanted, pool.count)) };
}

/** A one-line description of the pool for notes and logs. */
export function describePool(pool: PoolView): string {
  const range = pool.enableAutoScaling ? ` (autoscaler ${pool.minCount ?? '?'}-${pool.maxCount ?? '?'})` : '';
  return `${pool.provisioningState}, count ${pool.count}${range}`;
}
