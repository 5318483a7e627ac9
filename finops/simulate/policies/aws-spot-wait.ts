/**
 * `aws-spot-wait`: AWS Spot only, as a Karpenter node pool over the AWS pools would run it. Stays on its pool while
 * it has capacity, else moves to the cheapest AWS pool with capacity, else waits. Never uses on-demand or Azure, so
 * it may miss the deadline; the engine then finishes the work on on-demand and counts the miss.
 */
import { IDLE, spotIn } from '../model';
import { preferCurrentThenCheapest, stateless } from './policy';

export const awsSpotWaitPolicy = stateless('aws-spot-wait', 'AWS Spot only, waiting when no AWS pool has capacity (may miss the deadline)', (view, setup) => {
  const pool = preferCurrentThenCheapest(view, (index) => setup.pools[index]?.cloud === 'aws');
  return pool === undefined ? IDLE : spotIn(pool);
});
