/**
 * The exact lower bound: the cheapest schedule that meets the deadline, by dynamic programming over the whole
 * window (Can't Be Late's Omniscient policy, section 5.3, solved here by DP instead of an ILP).
 *
 * Discretisation: the same ticks as the engine. Progress is a whole number of ticks, so a state is
 * (tick t, waste w, place l) with progress p = t - w: waste is the ticks spent idle or changing over, and a
 * schedule meets the deadline exactly when w <= D - J (D deadline, J job, in ticks), which bounds the table to
 * (D + 1) x (D - J + 1) x (pools + 3) states. Places: idle with the checkpoint in AWS, idle with it in Azure,
 * on-demand, and each pool's Spot. Actions, with the engine's semantics:
 * - stay: run one tick where the job is (Spot only while the pool has capacity);
 * - idle: free, one tick of waste, the checkpoint stays in the place's cloud;
 * - move to on-demand or another pool's Spot: c ticks of the move's changeover kind, paid at the target's price,
 *   only if the target has capacity for all of them (a move the window would abort is never cheaper than idling).
 * The first placement, at tick 0, is free, as in the engine. Every policy is a schedule of this model, so none can
 * cost less and meet the deadline (checked by test/unit/finops/simulate/omniscient.test.ts).
 */
import { changeoverKind, hoursOf, type Cloud, type Location, type Settings, type Window } from './model';

const IDLE_AWS = 0;
const IDLE_AZURE = 1;
const ON_DEMAND_INDEX = 2;
const FIRST_POOL = 3;

/** Action codes in the choice table. */
const NONE = 0;
const STAY = 1;
const GO_IDLE = 2;
const MOVE = 3; // MOVE + place index

/** The optimal schedule, read tick by tick. */
export interface OmniscientPlan {
  /** The cheapest cost of meeting the deadline. */
  readonly costUsd: number;
  /** Where to be at tick 0 (the free first placement). */
  readonly first: Location;
  /** Where to go at tick t >= 1 for a job with `progressTicks` done, ready (no changeover left) at `at`. */
  next(tick: number, progressTicks: number, at: Location, lastCloud: Cloud): Location | undefined;
}

/** Index of a place in the table. */
function placeIndex(at: Location, lastCloud: Cloud): number {
  if (at.kind === 'idle') return lastCloud === 'aws' ? IDLE_AWS : IDLE_AZURE;
  if (at.kind === 'on-demand') return ON_DEMAND_INDEX;
  return FIRST_POOL + at.pool;
}

function placeAt(index: number): Location {
  if (index === IDLE_AWS || index === IDLE_AZURE) return { kind: 'idle' };
  if (index === ON_DEMAND_INDEX) return { kind: 'on-demand' };
  return { kind: 'spot', pool: index - FIRST_POOL };
}

/** Ticks of capacity from each tick on: runs[p][t] = how many ticks from t pool p keeps its capacity. */
function capacityRuns(window: Window, ticks: number): Int32Array[] {
  return window.available.map((available) => {
    const runs = new Int32Array(ticks + 1);
    for (let t = ticks - 1; t >= 0; t -= 1) runs[t] = available[t] === 1 ? (runs[t + 1] ?? 0) + 1 : 0;
    return runs;
  });
}

/** Cumulative Spot cost in dollars per pool: sums[p][t] = cost of ticks 0..t-1. */
function costSums(window: Window, ticks: number, tickHours: number): Float64Array[] {
  return window.usdPerHour.map((prices) => {
    const sums = new Float64Array(ticks + 1);
    for (let t = 0; t < ticks; t += 1) sums[t + 1] = (sums[t] ?? 0) + (prices[t] ?? 0) * tickHours;
    return sums;
  });
}

/** Solves the window. Memory: 2 bytes per state; time: states x places. */
export function planOmniscient(window: Window, settings: Settings): OmniscientPlan {
  const D = settings.deadlineTicks;
  const J = settings.jobTicks;
  const S = D - J;
  const places = FIRST_POOL + window.pools.length;
  const cloudOfPlace: Cloud[] = ['aws', 'azure', 'aws', ...window.pools.map((pool) => pool.cloud)];
  const tickHours = hoursOf(1, settings.tickSeconds);
  const onDemandTick = settings.onDemandUsdPerHour * tickHours;
  const runs = capacityRuns(window, D);
  const sums = costSums(window, D, tickHours);
  const moveTicks = new Int32Array(places * places);
  for (let from = 0; from < places; from += 1) {
    for (let to = 0; to < places; to += 1) moveTicks[from * places + to] = settings.changeoverTicks[changeoverKind(cloudOfPlace[from] ?? 'aws', cloudOfPlace[to] ?? 'aws')];
  }
  const idleOf = Int32Array.from(cloudOfPlace, (cloud) => (cloud === 'aws' ? IDLE_AWS : IDLE_AZURE));
  const longest = Math.max(...Object.values(settings.changeoverTicks));
  const ringSize = longest + 1;
  const slice = (S + 1) * places;
  const values = new Float64Array(ringSize * slice); // values at ticks t..t+longest; the slice of tick D stays all zero
  const choices = new Uint16Array(D * slice);
  const value = (t: number, w: number, l: number) => values[(t % ringSize) * slice + w * places + l] ?? Infinity;

  for (let t = D - 1; t >= 1; t -= 1) {
    const base = (t % ringSize) * slice;
    for (let w = 0; w <= S; w += 1) {
      const progress = t - w;
      for (let l = 0; l < places; l += 1) {
        const at = base + w * places + l;
        if (progress < 0 || progress >= J) {
          values[at] = progress < 0 ? Infinity : 0;
          choices[t * slice + w * places + l] = NONE;
          continue;
        }
        let best = Infinity;
        let action = NONE;
        if (l === ON_DEMAND_INDEX || (l >= FIRST_POOL && (runs[l - FIRST_POOL]?.[t] ?? 0) > 0)) {
          const price = l === ON_DEMAND_INDEX ? onDemandTick : (sums[l - FIRST_POOL]?.[t + 1] ?? 0) - (sums[l - FIRST_POOL]?.[t] ?? 0);
          best = price + value(t + 1, w, l);
          action = STAY;
        }
        if (w < S) {
          const idle = value(t + 1, w + 1, idleOf[l] ?? IDLE_AWS);
          if (idle < best) [best, action] = [idle, GO_IDLE];
        }
        for (let to = ON_DEMAND_INDEX; to < places; to += 1) {
          if (to === l) continue;
          const c = moveTicks[l * places + to] ?? 0;
          if (w + c > S || t + c > D) continue;
          let paid: number;
          if (to === ON_DEMAND_INDEX) paid = c * onDemandTick;
          else {
            const pool = to - FIRST_POOL;
            if ((runs[pool]?.[t] ?? 0) < c) continue;
            paid = (sums[pool]?.[t + c] ?? 0) - (sums[pool]?.[t] ?? 0);
          }
          const total = paid + value(t + c, w + c, to);
          if (total < best) [best, action] = [total, MOVE + to];
        }
        values[at] = best;
        choices[t * slice + w * places + l] = action;
      }
    }
  }

  // Tick 0: the free first placement, then one tick there (or one idle tick with the checkpoint at home).
  let costUsd = S >= 1 ? value(1, 1, IDLE_AWS) : Infinity;
  let first = IDLE_AWS;
  for (let l = ON_DEMAND_INDEX; l < places; l += 1) {
    if (l >= FIRST_POOL && (runs[l - FIRST_POOL]?.[0] ?? 0) === 0) continue;
    const price = l === ON_DEMAND_INDEX ? onDemandTick : (sums[l - FIRST_POOL]?.[1] ?? 0);
    const total = price + (J <= 1 ? 0 : value(1, 0, l));
    if (total < costUsd) [costUsd, first] = [total, l];
  }

  return {
    costUsd,
    first: placeAt(first),
    next(tick, progressTicks, at, lastCloud) {
      const w = tick - progressTicks;
      if (tick < 1 || tick >= D || w < 0 || w > S) return undefined;
      const l = placeIndex(at, lastCloud);
      const action = choices[tick * slice + w * places + l] ?? NONE;
      if (action === NONE) return undefined;
      if (action === STAY) return at;
      if (action === GO_IDLE) return { kind: 'idle' };
      return placeAt(action - MOVE);
    },
  };
}
