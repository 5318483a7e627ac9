/**
 * `uniform-progress`: Can't Be Late's Uniform Progress (Wu et al., NSDI'24, section 5.2), with cp(t) the progress
 * made, ep(t) = C(0) * t / R(0) the uniform progress line, d the changeover:
 * 1. Uniform Progress: when the job is idle and cp(t) < ep(t), switch to on-demand and stay on it to catch up.
 * 2. Taking Risks (Exploitation): switch to Spot whenever it is available, even when cp(t) < ep(t), and stay on it
 *    until it is preempted.
 * 3. Hysteresis: when the job is on on-demand, stay on it until cp(t) >= ep(t + 2d). Past that line nothing keeps
 *    it there (the paper's rules name no other reason to pay for on-demand): to Spot if there is some, else idle.
 * 4. Safety Net (section 3.3): when the job is idle and R(t) < C(t) + 2d, switch to on-demand and stay on it to the
 *    end.
 * "Spot" is any pool with capacity (the current pool first, else the cheapest) whose move is safe (`spotIsSafe`);
 * on one pool this is the paper's policy exactly. d in the hysteresis is the within-cloud changeover.
 */
import { IDLE, ON_DEMAND, spotIn, type Location } from '../model';
import { safetyNetFires } from './greedy';
import { preferCurrentThenCheapest, spotIsSafe, ticksOf, type JobView, type Policy, type PolicySetup } from './policy';

interface Memory {
  readonly onDemandToEnd: boolean;
}

/** cp(t) < ep(t + aheadTicks), in integers: progress * R(0) < C(0) * (t + ahead). */
export function behindLine(setup: PolicySetup, job: JobView, aheadTicks = 0): boolean {
  const { jobTicks, deadlineTicks } = setup.settings;
  return job.progressTicks * deadlineTicks < jobTicks * (job.tick + aheadTicks);
}

const step = (target: Location, onDemandToEnd = false) => ({ target, memory: { onDemandToEnd } });

export const uniformProgressPolicy: Policy<Memory> = {
  name: 'uniform-progress',
  summary: "Can't Be Late's Uniform Progress: uniform progress, taking risks, hysteresis, safety net",
  seesFuture: false,
  init: () => ({ onDemandToEnd: false }),
  decide(view, memory, setup) {
    if (memory.onDemandToEnd) return step(ON_DEMAND, true);
    const job = view.job;
    if (job.at.kind === 'spot') return step(job.at); // rule 2: stay until preempted (the engine preempts)
    if (safetyNetFires(setup, job)) return step(ON_DEMAND, true); // rule 4
    const hysteresisTicks = 2 * ticksOf(setup, 'changeover');
    if (job.at.kind === 'on-demand' && behindLine(setup, job, hysteresisTicks)) return step(ON_DEMAND); // rule 3
    const pool = preferCurrentThenCheapest(view, (index) => spotIsSafe(setup, job, index));
    if (pool !== undefined) return step(spotIn(pool)); // rule 2
    if (behindLine(setup, job)) return step(ON_DEMAND); // rule 1
    return step(IDLE);
  },
};
