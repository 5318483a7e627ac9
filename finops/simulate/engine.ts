/**
 * Runs one policy over one window, tick by tick, and accounts for what it costs. The rules (docs/FINOPS.md,
 * "Simulator"):
 * - At the start of a tick, a job on a pool that has lost its Spot capacity is preempted: it becomes idle.
 * - The policy then names a target. Moving to a new place starts a changeover of the kind the move is (from the
 *   cloud holding the checkpoint); the job's first placement, at tick 0, is free. A changeover makes no progress
 *   but is paid at the target's price; Spot capacity lost during one aborts it (what was paid is lost).
 * - A tick on a place is paid whole at that place's price of the tick; idle is free.
 * - A job unfinished at the deadline has missed it; its remaining work (and a changeover to on-demand, unless it
 *   is on on-demand already) is then paid at the on-demand price, as Can't Be Late counts a miss.
 */
import { PolicyError } from './errors';
import {
  changeoverKind,
  cloudOf,
  hoursOf,
  HOME_CLOUD,
  IDLE,
  sameLocation,
  type ChangeoverKind,
  type Cloud,
  type Location,
  type Settings,
  type Window,
} from './model';
import type { JobView, Policy, PolicySetup, PoolNow } from './policies/policy';

/** What one run of a policy over one window came to. */
export interface Outcome {
  readonly costUsd: number;
  readonly missed: boolean;
  /** Hours paid (running and changing over), including the on-demand finish of a missed deadline. */
  readonly paidHours: number;
  readonly spotHours: number;
  readonly onDemandHours: number;
  /** Changeovers started, by kind (aborted ones included; the free first placement not). */
  readonly moves: Readonly<Record<ChangeoverKind, number>>;
  readonly preemptions: number;
  /** Hours from the start to the end of the last tick of work; undefined when the deadline was missed. */
  readonly finishedHours: number | undefined;
}

interface JobState {
  at: Location;
  changeoverLeft: number;
  progress: number;
  lastCloud: Cloud;
}

/** Runs `policy` over `window` with `settings`. Throws PolicyError when the policy targets Spot capacity that is not there. */
export function simulate<M>(policy: Policy<M>, window: Window, settings: Settings): Outcome {
  if (window.ticks < settings.deadlineTicks) throw new RangeError(`window ${window.name} has ${window.ticks} ticks, the deadline needs ${settings.deadlineTicks}`);
  const setup: PolicySetup = { settings, pools: window.pools, ...(policy.seesFuture ? { future: window } : {}) };
  const tickHours = hoursOf(1, settings.tickSeconds);
  const job: JobState = { at: IDLE, changeoverLeft: 0, progress: 0, lastCloud: HOME_CLOUD };
  const moves: Record<ChangeoverKind, number> = { changeover: 0, failover: 0, failback: 0 };
  let memory = policy.init(setup);
  // Spot dollars are summed per tick; on-demand is counted in ticks and priced once, so that the on-demand policy
  // costs exactly onDemandCostUsd (the same expression), not a float sum of thousands of ticks.
  let spotUsd = 0;
  let spotTicks = 0;
  let onDemandTicks = 0;
  let preemptions = 0;
  let finishedTick: number | undefined;

  for (let tick = 0; tick < settings.deadlineTicks && job.progress < settings.jobTicks; tick += 1) {
    const pools: PoolNow[] = window.pools.map((_pool, index) => ({
      available: window.available[index]?.[tick] === 1,
      usdPerHour: window.usdPerHour[index]?.[tick] ?? NaN,
    }));
    let preemptedFrom: number | undefined;
    if (job.at.kind === 'spot' && pools[job.at.pool]?.available !== true) {
      preemptedFrom = job.at.pool;
      preemptions += 1;
      job.at = IDLE;
      job.changeoverLeft = 0;
    }
    const view: JobView = {
      tick,
      progressTicks: job.progress,
      at: job.at,
      changeoverLeftTicks: job.changeoverLeft,
      lastCloud: job.lastCloud,
      ...(preemptedFrom === undefined ? {} : { preemptedFrom }),
    };
    const step = policy.decide({ job: view, pools }, memory, setup);
    memory = step.memory;
    const target = step.target;
    if (!sameLocation(target, job.at)) {
      if (target.kind === 'spot' && pools[target.pool]?.available !== true) {
        throw new PolicyError(policy.name, `targets pool ${window.pools[target.pool]?.name ?? target.pool} at tick ${tick} of window ${window.name}, which has no Spot capacity then`);
      }
      job.at = target;
      job.changeoverLeft = 0;
      if (target.kind !== 'idle' && tick > 0) {
        const kind = changeoverKind(job.lastCloud, cloudOf(target, window.pools));
        moves[kind] += 1;
        job.changeoverLeft = settings.changeoverTicks[kind];
      }
    }
    const at = job.at;
    if (at.kind === 'idle') continue;
    if (at.kind === 'spot') {
      spotUsd += (pools[at.pool]?.usdPerHour ?? NaN) * tickHours;
      spotTicks += 1;
    } else onDemandTicks += 1;
    if (job.changeoverLeft > 0) job.changeoverLeft -= 1;
    else job.progress += 1;
    if (job.changeoverLeft === 0) job.lastCloud = cloudOf(at, window.pools);
    if (job.progress >= settings.jobTicks) finishedTick = tick + 1;
  }

  const missed = job.progress < settings.jobTicks;
  if (missed) {
    const toOnDemand = job.at.kind === 'on-demand' ? job.changeoverLeft : settings.changeoverTicks[changeoverKind(job.lastCloud, HOME_CLOUD)];
    onDemandTicks += settings.jobTicks - job.progress + toOnDemand;
  }
  return {
    costUsd: spotUsd + hoursOf(onDemandTicks, settings.tickSeconds) * settings.onDemandUsdPerHour,
    missed,
    paidHours: (spotTicks + onDemandTicks) * tickHours,
    spotHours: spotTicks * tickHours,
    onDemandHours: onDemandTicks * tickHours,
    moves,
    preemptions,
    finishedHours: finishedTick === undefined ? undefined : finishedTick * tickHours,
  };
}

/** The cost of the job on on-demand alone: the denominator of every cost ratio. */
export function onDemandCostUsd(settings: Settings): number {
  return hoursOf(settings.jobTicks, settings.tickSeconds) * settings.onDemandUsdPerHour;
}
