/**
 * The greedy baselines of the literature.
 *
 * `greedy` (multi-region): Spot whenever some pool has capacity (the current pool first, else the cheapest), else
 * on-demand, moving back to Spot as soon as it returns. Safety net: a move to Spot is made only when it leaves time
 * to reach on-demand afterwards (`spotIsSafe`), and once the job is off Spot with slack under two changeovers to
 * on-demand it stays on on-demand to the end.
 *
 * `greedy-single` is Can't Be Late's greedy (NSDI'24, section 3.4) on one pool, the first AWS pool given:
 * - Exploitation Rule: stay on Spot until it is preempted;
 * - otherwise wait (idle) for Spot to return; never on-demand while waiting;
 * - Safety Net Rule: when the job is idle and R(t) < C(t) + 2d, move to on-demand and stay there to the end.
 */
import { changeoverKind, HOME_CLOUD, IDLE, ON_DEMAND, spotIn, type Location } from '../model';
import { isOnPool, preferCurrentThenCheapest, slack, spotIsSafe, ticksOf, type JobView, type Policy, type PolicySetup } from './policy';

interface Latch {
  /** The safety net fired: on-demand to the end. */
  readonly onDemandToEnd: boolean;
}

/**
 * Can't Be Late's Safety Net condition for a job that is not on Spot: R(t) - C(t) < 2d, with d the changeover from
 * the checkpoint's cloud to on-demand (a job already on on-demand counts the changeover it would need to come back;
 * a job not yet placed counts the changeover it will need once it has waited).
 */
export function safetyNetFires(setup: PolicySetup, job: JobView): boolean {
  if (job.at.kind === 'spot') return false;
  return slack(setup, job) < 2 * ticksOf(setup, changeoverKind(job.lastCloud, HOME_CLOUD));
}

function latched(target: Location, onDemandToEnd: boolean) {
  return { target, memory: { onDemandToEnd } };
}

export const greedyPolicy: Policy<Latch> = {
  name: 'greedy',
  summary: 'multi-region greedy: Spot anywhere (current pool, else cheapest), else on-demand; safety net',
  seesFuture: false,
  init: () => ({ onDemandToEnd: false }),
  decide(view, memory, setup) {
    if (memory.onDemandToEnd) return latched(ON_DEMAND, true);
    const job = view.job;
    const pool = preferCurrentThenCheapest(view, (index) => spotIsSafe(setup, job, index));
    if (pool !== undefined) return latched(spotIn(pool), false);
    return latched(ON_DEMAND, safetyNetFires(setup, job));
  },
};

/** The pool `greedy-single` and `uniform-progress` use when they run on one pool: the first AWS pool, else the first. */
export function homePool(setup: PolicySetup): number {
  const index = setup.pools.findIndex((pool) => pool.cloud === 'aws');
  return index === -1 ? 0 : index;
}

export const greedySinglePolicy: Policy<Latch> = {
  name: 'greedy-single',
  summary: "Can't Be Late's greedy on the first AWS pool: Spot when available, else wait; safety net to on-demand",
  seesFuture: false,
  init: () => ({ onDemandToEnd: false }),
  decide(view, memory, setup) {
    if (memory.onDemandToEnd) return latched(ON_DEMAND, true);
    const job = view.job;
    const home = homePool(setup);
    if (isOnPool(job, home)) return latched(spotIn(home), false); // Exploitation Rule
    if (safetyNetFires(setup, job)) return latched(ON_DEMAND, true); // Safety Net Rule
    if (view.pools[home]?.available === true) return latched(spotIn(home), false);
    return latched(IDLE, false);
  },
};
