/**
 * The deadline safety net, in the brain. A failover first asks the Azure Spot pool (Spot in any cloud is the
 * cheapest capacity); when that pool refuses for capacity or quota, or its nodes never come, a run with a deadline
 * asks the deadline policy (deadline-policy.ts: the same module `spot-on simulate` replays as `spot-on-deadline`)
 * where it should run now, with no Spot capacity in either cloud:
 * - on-demand: the run is behind its uniform progress line, or has no slack left to wait: the failover moves to the
 *   on-demand pool at once, in the same phase (no new epoch: no work is redone for it);
 * - idle: the run is ahead of the line and may wait for Spot: the failover aborts as without a deadline, and the
 *   signal is re-evaluated when the run would fall behind, so the safety net acts without any new event.
 * A run without a deadline (or a deployment without an on-demand pool) always waits for Spot.
 *
 * Work is measured in rounds at the pace so far: (now - start) / rounds committed. The pace counts time lost to
 * earlier incidents as work, so it overestimates the work left and errs towards on-demand, the side that keeps the
 * deadline.
 */
import type { RunStatus } from '../../../protocol/run-status';
import { decidePlacement, initialDeadlineMemory, type DeadlineJob, type DeadlinePool, type DeadlineSettings } from './deadline-policy';
import type { FailoverPolicy } from './policy';

/** What the safety net says about a failover the Spot pool refused. */
export type FallbackVerdict =
  | { readonly placement: 'on-demand'; readonly reason: string }
  /** Wait for Spot; `recheckAt`: when the run would fall behind its line (none without a deadline). */
  | { readonly placement: 'wait'; readonly reason: string; readonly recheckAt?: Date };

/** No Spot capacity anywhere: AWS lost it (the failover's cause), the Azure Spot pool just refused. */
const NO_SPOT: readonly DeadlinePool[] = [
  { id: 'aws-spot', cloud: 'aws', available: false, usdPerHour: 0 },
  { id: 'azure-spot', cloud: 'azure', available: false, usdPerHour: 0 },
];

/** The policy's settings as the brain sees them: its on-demand capacity is on Azure, every move costs the same. */
function deadlineSettings(policy: FailoverPolicy): DeadlineSettings {
  const move = policy.expectedMoveSeconds;
  return {
    stepSeconds: policy.recheckSeconds,
    changeoverSeconds: { changeover: move, failover: move, failback: move },
    // Only relative prices matter, and no Spot pool is available to compare with.
    onDemandUsdPerHour: 1,
    homeCloud: 'azure',
  };
}

/** The run as the deadline policy sees it: elapsed, deadline and work in seconds, idle, no Spot. */
interface RunJob {
  readonly job: DeadlineJob;
  readonly startedAt: number;
  readonly progress: string;
  readonly finished: boolean;
}

/** The run's job at `now` (elapsed shifted by `laterSeconds`), or why there is none. */
function runJob(status: RunStatus | undefined, now: Date, laterSeconds = 0): RunJob | { readonly none: string } {
  const schedule = status?.schedule;
  if (status === undefined || schedule?.deadlineAt === undefined) return { none: 'the run has no deadline: wait for Spot' };
  const startedAt = Date.parse(schedule.startedAt);
  const sinceStart = Math.max(0, (now.getTime() - startedAt) / 1000);
  const deadlineSeconds = (Date.parse(schedule.deadlineAt) - startedAt) / 1000;
  const secondsPerRound = status.round > 0 ? Math.max(sinceStart, 1) / status.round : deadlineSeconds / schedule.rounds;
  const elapsedSeconds = sinceStart + laterSeconds;
  return {
    job: {
      elapsedSeconds,
      deadlineSeconds,
      workSeconds: schedule.rounds * secondsPerRound,
      doneSeconds: Math.min(status.round, schedule.rounds) * secondsPerRound,
      at: { kind: 'idle' },
      changeoverLeftSeconds: 0,
      checkpointCloud: 'azure',
      firstPlacement: false,
    },
    startedAt,
    progress: `round ${status.round} of ${schedule.rounds}, ${Math.round(elapsedSeconds)} s of ${Math.round(deadlineSeconds)} s to the deadline`,
    finished: status.round >= schedule.rounds,
  };
}

/** Where a run whose Spot failover was refused should train now (see the header). */
export function deadlineFallback(status: RunStatus | undefined, now: Date, policy: FailoverPolicy): FallbackVerdict {
  if (!policy.onDemandSafetyNet) return { placement: 'wait', reason: 'no on-demand pool is deployed (SPOTON_ON_DEMAND_POOL_NAME): wait for Spot' };
  const run = runJob(status, now);
  if ('none' in run) return { placement: 'wait', reason: run.none };
  const settings = deadlineSettings(policy);
  const decision = decidePlacement(run.job, NO_SPOT, settings, initialDeadlineMemory());
  const reason = `${decision.reason} (${run.progress})`;
  if (decision.placement.kind === 'on-demand') return { placement: 'on-demand', reason };
  if (run.finished) return { placement: 'wait', reason };
  return { placement: 'wait', reason, recheckAt: fallsBehindAt(run.job, settings, run.startedAt, now) };
}

/**
 * Whether the run can afford to wait `seconds` with nothing training (Karpenter's replacement grace): true without
 * a deadline; with one, when the deadline policy, looking at the run that much later with no Spot anywhere, would
 * still not need on-demand capacity.
 */
export function affordsWait(status: RunStatus | undefined, now: Date, policy: FailoverPolicy, seconds: number): { readonly affords: boolean; readonly reason: string } {
  const run = runJob(status, now, seconds);
  if ('none' in run) return { affords: true, reason: run.none };
  const decision = decidePlacement(run.job, NO_SPOT, deadlineSettings(policy), initialDeadlineMemory());
  return decision.placement.kind === 'on-demand'
    ? { affords: false, reason: `${seconds} s from now the deadline would need on-demand capacity (${run.progress})` }
    : { affords: true, reason: `${seconds} s from now the run is still ahead of its deadline line (${run.progress})` };
}

/**
 * When an idle job stops being safe to leave waiting (rules 2 and 5 of deadline-policy.ts): its slack no longer
 * covers a step and the move, or it falls behind the uniform progress line counting the move. At least one step away.
 */
function fallsBehindAt(job: DeadlineJob, settings: DeadlineSettings, startedAt: number, now: Date): Date {
  const move = settings.changeoverSeconds.failover;
  const workLeft = job.workSeconds - job.doneSeconds;
  const slackRunsOut = job.deadlineSeconds - workLeft - settings.stepSeconds - move;
  const lineCrossed = (job.doneSeconds * job.deadlineSeconds) / job.workSeconds - move;
  const at = startedAt + Math.min(slackRunsOut, lineCrossed) * 1000;
  return new Date(Math.max(at, now.getTime() + settings.stepSeconds * 1000));
}
