/** When a round commits: a pure decision over the round's progress. */

export interface Quorum {
  readonly minTrainers: number;
  /** Share of the live trainers that must have reported once the deadline has passed. */
  readonly fraction: number;
}

export interface RoundProgress {
  /** Updates accepted in the open round. */
  readonly submitted: number;
  /** Live trainers (registered, heard within the liveness window, not leaving) without an update yet. */
  readonly outstanding: number;
  readonly deadlinePassed: boolean;
}

export type CommitDecision =
  | { readonly commit: true; readonly reason: 'all-reported' | 'deadline' }
  | { readonly commit: false; readonly reason: 'waiting' | 'no-quorum'; readonly need: number };

/** Trainers needed once the deadline has passed: max(minTrainers, ceil(fraction x live)). */
export function quorumNeed(progress: Pick<RoundProgress, 'submitted' | 'outstanding'>, quorum: Quorum): number {
  return Math.max(quorum.minTrainers, Math.ceil(quorum.fraction * (progress.submitted + progress.outstanding) - 1e-9));
}

/**
 * Commit when every live trainer has reported (and at least minTrainers did), or, after the deadline, when
 * the quorum has. Otherwise keep waiting: a round never commits below the quorum.
 */
export function decideCommit(progress: RoundProgress, quorum: Quorum): CommitDecision {
  const need = quorumNeed(progress, quorum);
  if (progress.outstanding === 0 && progress.submitted >= quorum.minTrainers) return { commit: true, reason: 'all-reported' };
  if (progress.deadlinePassed && progress.submitted >= need) return { commit: true, reason: 'deadline' };
  return { commit: false, reason: progress.deadlinePassed ? 'no-quorum' : 'waiting', need };
}
