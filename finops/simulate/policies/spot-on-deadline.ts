/**
 * `spot-on-deadline`: the deadline-aware policy the brain will run, replayed. The decision is the pure core in
 * azure-functions/src/domain/deadline-policy.ts (no second implementation); this adapter only converts ticks to
 * the core's seconds (changeovers as the engine rounds them) and pool indexes to pool names.
 */
import {
  decidePlacement,
  initialDeadlineMemory,
  observeCapacity,
  type DeadlineMemory,
  type DeadlinePool,
  type Placement,
} from '../../../azure-functions/src/domain/deadline-policy';
import { HOME_CLOUD, IDLE, ON_DEMAND, spotIn, type Location } from '../model';
import type { Policy, PolicySetup } from './policy';

function toPlacement(location: Location, setup: PolicySetup): Placement {
  if (location.kind !== 'spot') return location;
  return { kind: 'spot', poolId: setup.pools[location.pool]?.name ?? String(location.pool) };
}

function toLocation(placement: Placement, setup: PolicySetup): Location {
  if (placement.kind === 'idle') return IDLE;
  if (placement.kind === 'on-demand') return ON_DEMAND;
  return spotIn(setup.pools.findIndex((pool) => pool.name === placement.poolId));
}

export const spotOnDeadlinePolicy: Policy<DeadlineMemory> = {
  name: 'spot-on-deadline',
  summary: 'deadline-aware: Spot in any cloud priced per hour of progress, on-demand only to keep the deadline',
  seesFuture: false,
  init: () => initialDeadlineMemory(),
  decide(view, memory, setup) {
    const { settings } = setup;
    const tick = settings.tickSeconds;
    const pools: DeadlinePool[] = setup.pools.map((pool, index) => ({
      id: pool.name,
      cloud: pool.cloud,
      available: view.pools[index]?.available === true,
      usdPerHour: view.pools[index]?.usdPerHour ?? Infinity,
    }));
    const seen = observeCapacity(memory, pools, tick);
    const { job } = view;
    const decision = decidePlacement(
      {
        elapsedSeconds: job.tick * tick,
        deadlineSeconds: settings.deadlineTicks * tick,
        workSeconds: settings.jobTicks * tick,
        doneSeconds: job.progressTicks * tick,
        at: toPlacement(job.at, setup),
        changeoverLeftSeconds: job.changeoverLeftTicks * tick,
        checkpointCloud: job.lastCloud,
        firstPlacement: job.tick === 0,
      },
      pools,
      {
        stepSeconds: tick,
        changeoverSeconds: {
          changeover: settings.changeoverTicks.changeover * tick,
          failover: settings.changeoverTicks.failover * tick,
          failback: settings.changeoverTicks.failback * tick,
        },
        onDemandUsdPerHour: settings.onDemandUsdPerHour,
        homeCloud: HOME_CLOUD,
      },
      seen,
    );
    return { target: toLocation(decision.placement, setup), memory: decision.memory };
  },
};
