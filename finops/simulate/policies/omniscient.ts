/**
 * `omniscient`: replays the optimal schedule of omniscient-dp.ts through the engine, so its reported cost is the
 * engine's own accounting of the lower bound (and any disagreement between the DP and the engine is a PolicyError,
 * not a silently wrong bound). The only policy that sees the future.
 */
import { PolicyError } from '../errors';
import { planOmniscient, type OmniscientPlan } from '../omniscient-dp';
import type { Policy } from './policy';

export const omniscientPolicy: Policy<OmniscientPlan> = {
  name: 'omniscient',
  summary: 'the exact lower bound: dynamic programming over the whole window (sees the future)',
  seesFuture: true,
  init(setup) {
    if (setup.future === undefined) throw new PolicyError('omniscient', 'needs the whole window');
    return planOmniscient(setup.future, setup.settings);
  },
  decide(view, plan) {
    const job = view.job;
    if (job.tick === 0) return { target: plan.first, memory: plan };
    if (job.changeoverLeftTicks > 0) return { target: job.at, memory: plan };
    const target = plan.next(job.tick, job.progressTicks, job.at, job.lastCloud);
    if (target === undefined) throw new PolicyError('omniscient', `the plan has no move for tick ${job.tick} at progress ${job.progressTicks}`);
    return { target, memory: plan };
  },
};
