/**
 * The one interface every policy implements. At each tick the engine shows a policy the job's state and the
 * current tick's capacity and prices of every pool, and the policy answers where the job runs next. A policy is a
 * pure function of (view, memory): whatever it wants to remember between ticks it returns as its next memory, so
 * a run is deterministic and replayable. Only a policy that declares `seesFuture` (omniscient) is given the window.
 */
import {
  changeoverKind,
  cloudOf,
  HOME_CLOUD,
  spotIn,
  type ChangeoverKind,
  type Cloud,
  type Location,
  type PoolSpec,
  type Settings,
  type Window,
} from '../model';

/** The job as the policy sees it at the start of a tick. */
export interface JobView {
  readonly tick: number;
  /** Ticks of work done. */
  readonly progressTicks: number;
  /** Where the job is (a changeover under way counts as being at its target). */
  readonly at: Location;
  /** Ticks of changeover still to pay before the job makes progress at `at`. */
  readonly changeoverLeftTicks: number;
  /** The cloud holding the latest checkpoint: where the job last ran or finished a changeover. */
  readonly lastCloud: Cloud;
  /** The pool whose Spot capacity was taken from the job at the start of this tick, if any. */
  readonly preemptedFrom?: number;
}

/** One pool at the current tick. */
export interface PoolNow {
  readonly available: boolean;
  readonly usdPerHour: number;
}

export interface TickView {
  readonly job: JobView;
  /** Indexed like `PolicySetup.pools`. */
  readonly pools: readonly PoolNow[];
}

/** What a policy is given once, before the first tick. */
export interface PolicySetup {
  readonly settings: Settings;
  readonly pools: readonly PoolSpec[];
  /** The whole window: only for a policy that declares `seesFuture`. */
  readonly future?: Window;
}

export interface PolicyStep<M> {
  readonly target: Location;
  readonly memory: M;
}

export interface Policy<M> {
  readonly name: string;
  /** One line for `--help` and the docs. */
  readonly summary: string;
  readonly seesFuture: boolean;
  init(setup: PolicySetup): M;
  decide(view: TickView, memory: M, setup: PolicySetup): PolicyStep<M>;
}

/** Ticks of work left. */
export function workLeft(setup: PolicySetup, job: JobView): number {
  return setup.settings.jobTicks - job.progressTicks;
}

/** Ticks left before the deadline. */
export function timeLeft(setup: PolicySetup, job: JobView): number {
  return setup.settings.deadlineTicks - job.tick;
}

/** Ticks the job may still spend without progress and meet the deadline: R(t) - C(t) in Can't Be Late's terms. */
export function slack(setup: PolicySetup, job: JobView): number {
  return timeLeft(setup, job) - workLeft(setup, job);
}

/** Ticks a changeover of `kind` takes. */
export function ticksOf(setup: PolicySetup, kind: ChangeoverKind): number {
  return setup.settings.changeoverTicks[kind];
}

/** Ticks a move from the checkpoint's cloud to `target` takes (nothing for the first placement, at tick 0). */
export function moveTicks(setup: PolicySetup, job: JobView, target: Exclude<Location, { kind: 'idle' }>): number {
  if (job.tick === 0) return 0;
  return ticksOf(setup, changeoverKind(job.lastCloud, cloudOf(target, setup.pools)));
}

/** Ticks the job needs to reach on-demand from where its checkpoint is (0 when it is on on-demand already). */
export function ticksToOnDemand(setup: PolicySetup, job: JobView): number {
  if (job.at.kind === 'on-demand') return job.changeoverLeftTicks;
  if (job.tick === 0) return 0;
  return ticksOf(setup, changeoverKind(job.lastCloud, HOME_CLOUD));
}

/** True when the job is on pool `pool`'s Spot capacity (running or changing over into it). */
export function isOnPool(job: JobView, pool: number): boolean {
  return job.at.kind === 'spot' && job.at.pool === pool;
}

/**
 * The Spot pool to use among those `allowed`: the current pool if it has capacity (no changeover), else the
 * cheapest with capacity (ties: the pool given first). Undefined when none has capacity.
 */
export function preferCurrentThenCheapest(view: TickView, allowed: (pool: number) => boolean): number | undefined {
  const { job, pools } = view;
  if (job.at.kind === 'spot' && pools[job.at.pool]?.available === true && allowed(job.at.pool)) return job.at.pool;
  let best: number | undefined;
  pools.forEach((pool, index) => {
    if (!pool.available || !allowed(index)) return;
    if (best === undefined || pool.usdPerHour < (pools[best]?.usdPerHour ?? Infinity)) best = index;
  });
  return best;
}

/** A policy without memory. */
export function stateless(name: string, summary: string, decide: (view: TickView, setup: PolicySetup) => Location): Policy<null> {
  return { name, summary, seesFuture: false, init: () => null, decide: (view, _memory, setup) => ({ target: decide(view, setup), memory: null }) };
}

/**
 * True when moving to pool `pool` now still leaves time to reach on-demand and meet the deadline, whether its
 * capacity is lost during the changeover (the checkpoint stays where it is) or after it (the checkpoint is then in
 * the pool's cloud). Can't Be Late's `R(t) >= C(t) + 2d`, with each d the changeover the move really needs.
 */
export function spotIsSafe(setup: PolicySetup, job: JobView, pool: number): boolean {
  if (isOnPool(job, pool)) return true;
  const spot = spotIn(pool);
  const back = ticksOf(setup, changeoverKind(cloudOf(spot, setup.pools), HOME_CLOUD));
  return slack(setup, job) - moveTicks(setup, job, spot) >= Math.max(back, ticksToOnDemand(setup, job));
}
