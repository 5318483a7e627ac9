/**
 * The simulator's vocabulary. Time is discretised in ticks of `tickSeconds`: a policy decides once per tick, and
 * a tick is spent wholly in one place (idle, on-demand, or one pool's Spot). The job, the deadline and the
 * changeovers are whole numbers of ticks (see `discretise`).
 */
import type { Cloud } from '../../protocol/run-status';

export type { Cloud };

/** The job's home cloud: where it starts, where its checkpoint lives at first, and where on-demand runs. */
export const HOME_CLOUD: Cloud = 'aws';

/** One capacity pool, named `CLOUD/NAME` on the command line (e.g. `aws/us-east-1a`). */
export interface PoolSpec {
  readonly name: string;
  readonly cloud: Cloud;
}

/** Where the job is: nowhere (idle), on on-demand capacity, or on one pool's Spot capacity (by index). */
export type SpotLocation = { readonly kind: 'spot'; readonly pool: number };
export type Location = { readonly kind: 'idle' } | { readonly kind: 'on-demand' } | SpotLocation;

export const IDLE: Location = { kind: 'idle' };
export const ON_DEMAND: Location = { kind: 'on-demand' };

/** The Spot capacity of pool `pool`. */
export function spotIn(pool: number): SpotLocation {
  return { kind: 'spot', pool };
}

/** True when both name the same place. */
export function sameLocation(a: Location, b: Location): boolean {
  if (a.kind === 'spot' && b.kind === 'spot') return a.pool === b.pool;
  return a.kind === b.kind;
}

/** The cloud a (non-idle) location is in: on-demand runs in the home cloud. */
export function cloudOf(location: Exclude<Location, { kind: 'idle' }>, pools: readonly PoolSpec[]): Cloud {
  if (location.kind === 'on-demand') return HOME_CLOUD;
  const pool = pools[location.pool];
  if (pool === undefined) throw new RangeError(`no pool ${location.pool}`);
  return pool.cloud;
}

/**
 * The three kinds of move, each with its own overhead: `changeover` within a cloud, `failover` away from AWS
 * (the checkpoint crosses the VPN), `failback` back to AWS.
 */
export type ChangeoverKind = 'changeover' | 'failover' | 'failback';
export const CHANGEOVER_KINDS: readonly ChangeoverKind[] = ['changeover', 'failover', 'failback'];

/** The kind of a move from where the checkpoint is (`from`) to `to`. */
export function changeoverKind(from: Cloud, to: Cloud): ChangeoverKind {
  if (from === to) return 'changeover';
  return to === HOME_CLOUD ? 'failback' : 'failover';
}

/** The run's settings as the user gave them, in hours and dollars. */
export interface SettingsInHours {
  readonly jobHours: number;
  readonly deadlineHours: number;
  readonly changeoverHours: number;
  readonly failoverHours: number;
  readonly failbackHours: number;
  readonly onDemandUsdPerHour: number;
  readonly tickSeconds: number;
}

/** The run's settings in ticks: what the engine and the policies work with. */
export interface Settings {
  readonly tickSeconds: number;
  /** Ticks of work the job needs (job hours, rounded up to whole ticks). */
  readonly jobTicks: number;
  /** Ticks from the start to the deadline (rounded down: a deadline is never stretched). */
  readonly deadlineTicks: number;
  /** Ticks of each changeover kind (rounded up, at least one: a move is never free, except the job's first placement). */
  readonly changeoverTicks: Readonly<Record<ChangeoverKind, number>>;
  readonly onDemandUsdPerHour: number;
  /** The same settings in hours, for reports. */
  readonly hours: SettingsInHours;
}

/** Hours of `ticks` ticks. */
export function hoursOf(ticks: number, tickSeconds: number): number {
  return (ticks * tickSeconds) / 3600;
}

// Hours are decimal (0.2 h = 720 s); the epsilon keeps 48 h / 60 s at exactly 2,880 ticks despite float error.
const EPSILON = 1e-9;
const ticksUp = (hours: number, tickSeconds: number) => Math.ceil((hours * 3600) / tickSeconds - EPSILON);
const ticksDown = (hours: number, tickSeconds: number) => Math.floor((hours * 3600) / tickSeconds + EPSILON);

/** Turns hours into ticks (see Settings for the rounding). Throws RangeError when the deadline is before the job can end. */
export function discretise(hours: SettingsInHours): Settings {
  const { tickSeconds } = hours;
  const jobTicks = Math.max(1, ticksUp(hours.jobHours, tickSeconds));
  const deadlineTicks = ticksDown(hours.deadlineHours, tickSeconds);
  if (deadlineTicks < jobTicks) {
    throw new RangeError(`the deadline (${hours.deadlineHours} h = ${deadlineTicks} ticks) is shorter than the job (${hours.jobHours} h = ${jobTicks} ticks)`);
  }
  const over = (h: number) => Math.max(1, ticksUp(h, tickSeconds));
  return {
    tickSeconds,
    jobTicks,
    deadlineTicks,
    changeoverTicks: { changeover: over(hours.changeoverHours), failover: over(hours.failoverHours), failback: over(hours.failbackHours) },
    onDemandUsdPerHour: hours.onDemandUsdPerHour,
    hours,
  };
}

/** The same settings with another deadline (the chart's sweep). */
export function withDeadline(settings: Settings, deadlineHours: number): Settings {
  return discretise({ ...settings.hours, deadlineHours });
}

/**
 * One time window over every pool, resampled to ticks: `available[p][t]` is 1 when pool p has Spot capacity for
 * the whole of tick t, `usdPerHour[p][t]` its Spot price then. Windows are at least as long as the deadline.
 */
export interface Window {
  readonly name: string;
  readonly pools: readonly PoolSpec[];
  readonly ticks: number;
  readonly available: readonly Uint8Array[];
  readonly usdPerHour: readonly Float64Array[];
}
