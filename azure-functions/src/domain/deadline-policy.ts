/**
 * The deadline-aware placement policy: where a job with W seconds of work and a deadline should run now, given
 * each Spot pool's capacity and price and what has been seen of it so far. Pure and deterministic (no clock, no
 * I/O): `spot-on simulate` replays it over traces (finops/simulate/policies/spot-on-deadline.ts) and the brain is
 * meant to import it as is. Durations are seconds; C is the work left, R the time left, slack = R - C.
 *
 * Rules, in order:
 * 1. Done: idle.
 * 2. Safety net (Can't Be Late): once on-demand to the end, stay. An idle job whose slack, one step from now,
 *    would no longer cover the changeover to on-demand goes there now, to the end. Every move to Spot must leave
 *    enough slack to reach on-demand afterwards, whether the pool is lost during the changeover or after it; so a
 *    deadline that on-demand alone could meet is never missed.
 * 3. Spot in any cloud, priced per hour of progress: a pool with expected spell E (its mean spell so far, shrunk
 *    towards a prior), reached by a move of d and left, when lost, by the move home h, costs
 *    (price * E + k * d) / (E - d) + k * h / E, k the on-demand price: time without progress is slack, and slack
 *    is what on-demand hours buy back. A pool whose spell is likely short is not chased, and a cross-cloud pool
 *    must be worth its failover and failback.
 * 4. Stay put on Spot while it has capacity (exploitation); move to another pool only when it costs at least
 *    VOLUNTARY_MOVE_GAIN less per hour of progress, the move included.
 * 5. Idle: take the best Spot when its price per hour of progress beats on-demand; else, when behind the uniform
 *    progress line W * t / deadline (counting the changeover to on-demand), go on-demand; else wait.
 * 6. On-demand: back to Spot as soon as the best pool's price per hour of progress beats on-demand (Can't Be
 *    Late's Next Spot Lifetime rule, with the expected spell in place of the oracle); leave for idle only when ahead
 *    of the line by two changeovers (hysteresis).
 */
import type { Cloud } from '../../../protocol/run-status';

export type ChangeoverKind = 'changeover' | 'failover' | 'failback';

export interface DeadlineSettings {
  /** Seconds between two decisions: every deadline check keeps one step in hand. */
  readonly stepSeconds: number;
  readonly changeoverSeconds: Readonly<Record<ChangeoverKind, number>>;
  readonly onDemandUsdPerHour: number;
  /** Where on-demand capacity is (the job's home cloud). */
  readonly homeCloud: Cloud;
}

export type Placement = { readonly kind: 'idle' } | { readonly kind: 'on-demand' } | { readonly kind: 'spot'; readonly poolId: string };

export interface DeadlineJob {
  readonly elapsedSeconds: number;
  readonly deadlineSeconds: number;
  readonly workSeconds: number;
  readonly doneSeconds: number;
  /** Where the job is (a changeover under way counts as being at its target). */
  readonly at: Placement;
  readonly changeoverLeftSeconds: number;
  /** Where the latest checkpoint is: moves are priced from there. */
  readonly checkpointCloud: Cloud;
  /** The job has never been placed: its first placement needs no changeover. */
  readonly firstPlacement: boolean;
}

export interface DeadlinePool {
  readonly id: string;
  readonly cloud: Cloud;
  readonly available: boolean;
  readonly usdPerHour: number;
}

/** What has been seen of one pool's capacity. */
export interface PoolHistory {
  readonly available: boolean;
  /** Seconds of capacity seen, all spells together (the current one included). */
  readonly upSeconds: number;
  /** Spells of capacity seen (the current one included). */
  readonly upSpells: number;
}

export interface DeadlineMemory {
  readonly onDemandToEnd: boolean;
  readonly pools: Readonly<Record<string, PoolHistory>>;
}

export interface DeadlineDecision {
  readonly placement: Placement;
  readonly memory: DeadlineMemory;
  readonly reason: string;
}

/** A pool never seen is expected to keep capacity this long; it weighs as one spell (a weak prior). */
export const PRIOR_SPELL_SECONDS = 6 * 3600;

/** Memory before the first decision. */
export function initialDeadlineMemory(): DeadlineMemory {
  return { onDemandToEnd: false, pools: {} };
}

/** Adds one step of observed capacity (call once per step, before `decidePlacement`). */
export function observeCapacity(memory: DeadlineMemory, pools: readonly DeadlinePool[], stepSeconds: number): DeadlineMemory {
  const next: Record<string, PoolHistory> = { ...memory.pools };
  for (const pool of pools) {
    const seen = memory.pools[pool.id];
    if (!pool.available) next[pool.id] = { available: false, upSeconds: seen?.upSeconds ?? 0, upSpells: seen?.upSpells ?? 0 };
    else next[pool.id] = { available: true, upSeconds: (seen?.upSeconds ?? 0) + stepSeconds, upSpells: (seen?.upSpells ?? 0) + (seen?.available === true ? 0 : 1) };
  }
  return { ...memory, pools: next };
}

/** Expected seconds of capacity of a pool's spell: the mean spell seen so far, shrunk towards the prior. */
export function expectedSpellSeconds(history: PoolHistory | undefined): number {
  return ((history?.upSeconds ?? 0) + PRIOR_SPELL_SECONDS) / ((history?.upSpells ?? 0) + 1);
}

function moveSeconds(settings: DeadlineSettings, from: Cloud, to: Cloud): number {
  if (from === to) return settings.changeoverSeconds.changeover;
  return to === settings.homeCloud ? settings.changeoverSeconds.failback : settings.changeoverSeconds.failover;
}

const isOn = (job: DeadlineJob, pool: DeadlinePool) => job.at.kind === 'spot' && job.at.poolId === pool.id;

/** A move to another pool while the current one still has capacity must promise at least this much (estimates are noisy). */
export const VOLUNTARY_MOVE_GAIN = 0.2;

/** Decides where the job runs next (see the rules above). */
export function decidePlacement(job: DeadlineJob, pools: readonly DeadlinePool[], settings: DeadlineSettings, memory: DeadlineMemory): DeadlineDecision {
  const workLeft = job.workSeconds - job.doneSeconds;
  const slack = job.deadlineSeconds - job.elapsedSeconds - workLeft;
  const step = settings.stepSeconds;
  const onDemand = settings.onDemandUsdPerHour;
  const home = settings.homeCloud;
  const move = (to: Cloud) => (job.firstPlacement ? 0 : moveSeconds(settings, job.checkpointCloud, to));
  const decision = (placement: Placement, reason: string, onDemandToEnd = memory.onDemandToEnd): DeadlineDecision => ({
    placement,
    memory: { ...memory, onDemandToEnd },
    reason,
  });
  const ON_DEMAND: Placement = { kind: 'on-demand' };
  const spot = (pool: DeadlinePool): Placement => ({ kind: 'spot', poolId: pool.id });

  if (workLeft <= 0) return decision({ kind: 'idle' }, 'the work is done');
  if (memory.onDemandToEnd) return decision(ON_DEMAND, 'safety net: on-demand to the end');

  // Rule 2: after the move, the slack must still cover the way to on-demand, from wherever the checkpoint then is.
  const safe = (pool: DeadlinePool) => isOn(job, pool) || slack - move(pool.cloud) >= Math.max(moveSeconds(settings, pool.cloud, home), move(home)) + step;
  // Rule 3: dollars per hour of progress over the pool's expected spell; every second without progress (the move
  // now, the move home after the spell) is slack, priced like an on-demand second, which is what slack buys back.
  const perProgress = (pool: DeadlinePool) => {
    const spell = expectedSpellSeconds(memory.pools[pool.id]);
    const now = isOn(job, pool) ? job.changeoverLeftSeconds : move(pool.cloud);
    if (spell <= now) return Infinity;
    return (pool.usdPerHour * spell + onDemand * now) / (spell - now) + (onDemand * moveSeconds(settings, pool.cloud, home)) / spell;
  };
  const best = pools
    .filter((pool) => pool.available && !isOn(job, pool) && safe(pool))
    .reduce<DeadlinePool | undefined>((found, pool) => (found === undefined || perProgress(pool) < perProgress(found) ? pool : found), undefined);

  // Rule 4: stay put.
  const current = pools.find((pool) => pool.available && isOn(job, pool));
  if (current !== undefined) {
    if (best !== undefined && job.changeoverLeftSeconds === 0 && perProgress(best) < perProgress(current) * (1 - VOLUNTARY_MOVE_GAIN)) {
      return decision(spot(best), `${best.id} costs less per hour of progress than ${current.id}, the move included`);
    }
    return decision(spot(current), `stay on ${current.id} while it has capacity`);
  }

  const aheadOfLine = (marginSeconds: number) => job.doneSeconds * job.deadlineSeconds >= job.workSeconds * (job.elapsedSeconds + marginSeconds);
  // Rule 6: on on-demand.
  if (job.at.kind === 'on-demand') {
    if (best !== undefined && perProgress(best) < onDemand) return decision(spot(best), `back to Spot on ${best.id}: cheaper per hour of progress than on-demand`);
    const hysteresis = 2 * settings.changeoverSeconds.changeover;
    if (best === undefined && job.changeoverLeftSeconds === 0 && aheadOfLine(hysteresis) && slack - step >= moveSeconds(settings, home, home) + hysteresis) {
      return decision({ kind: 'idle' }, 'ahead of the uniform progress line: wait for Spot');
    }
    return decision(ON_DEMAND, 'on-demand: no Spot worth its changeover');
  }

  // Rules 2 and 5: idle (or preempted). Waiting a step makes the next move a real one, even before the first placement.
  if (slack - step < moveSeconds(settings, job.checkpointCloud, home)) return decision(ON_DEMAND, 'safety net: no slack left to wait, on-demand to the end', true);
  if (best !== undefined && perProgress(best) < onDemand) return decision(spot(best), `Spot on ${best.id}: cheapest per hour of progress`);
  if (!aheadOfLine(move(home))) return decision(ON_DEMAND, 'no Spot worth it and behind the uniform progress line: on-demand');
  return decision({ kind: 'idle' }, 'no Spot worth it, ahead of the uniform progress line: wait');
}
