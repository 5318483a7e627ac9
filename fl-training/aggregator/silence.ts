/**
 * The second failover trigger: the aggregator (on Azure) notices that no AWS trainer has reported for
 * `awsSilenceTimeout` and says so to the brain (`aws-silent`), and says `aws-recovered` when one reports again.
 * It also notices a partial loss no AWS event announced (a node reclaimed without a warning, whose Node object is
 * gone before the state-change event is read): AWS below its minimum of live trainers is `capacity-lost`.
 * Pure state machine here; sending lives in brain.ts and signal-outbox.ts.
 */
import type { Signal } from '../../protocol/signal';

export type SilenceTransition = 'aws-silent' | 'aws-recovered' | 'capacity-lost';

export class AwsSilenceMonitor {
  private silent = false;
  /** AWS had its minimum of trainers, then fell below it (a partial capacity loss the brain may be covering). */
  private short = false;
  private reachedMinimum = false;

  constructor(
    private readonly timeoutMs: number,
    /** Last time an AWS trainer reported (restored from status.json after a restart). */
    private lastReportMs: number | undefined = undefined,
  ) {}

  /** Last time an AWS trainer reported, if ever. */
  get lastAwsReportMs(): number | undefined {
    return this.lastReportMs;
  }

  get isSilent(): boolean {
    return this.silent;
  }

  /** An AWS trainer reported; 'aws-recovered' when AWS had been declared silent. */
  report(nowMs: number): SilenceTransition | undefined {
    this.lastReportMs = nowMs;
    if (!this.silent) return undefined;
    this.silent = false;
    return 'aws-recovered';
  }

  /**
   * 'capacity-lost' when AWS falls below `minimum` live trainers after having reached it (not during start-up, not
   * while silent: aws-silent covers everything), and 'aws-recovered' once it is back, so that a partial failover
   * is started and failed back without a silence.
   */
  capacity(liveAwsTrainers: number, minimum: number): SilenceTransition | undefined {
    if (liveAwsTrainers >= minimum) {
      this.reachedMinimum = true;
      if (!this.short) return undefined;
      this.short = false;
      return this.silent ? undefined : 'aws-recovered';
    }
    if (!this.reachedMinimum || this.short) return undefined;
    this.short = true;
    return this.silent || liveAwsTrainers === 0 ? undefined : 'capacity-lost';
  }

  /** 'aws-silent' once, when AWS trainers that had reported stop for longer than the timeout. */
  evaluate(nowMs: number): SilenceTransition | undefined {
    if (this.silent || this.lastReportMs === undefined || nowMs - this.lastReportMs < this.timeoutMs) return undefined;
    this.silent = true;
    return 'aws-silent';
  }
}

/**
 * The signal for a transition. Its id is derived from the run and the last AWS report, so a resend (or a
 * restarted aggregator seeing the same silence) is deduplicated by the brain.
 */
export function silenceSignal(type: SilenceTransition, runId: string, lastAwsReportMs: number, nowMs: number, instanceIds: readonly string[] = []): Signal {
  const id = `${type}-${runId}-${type === 'capacity-lost' ? nowMs : lastAwsReportMs}`;
  const time = new Date(type === 'aws-silent' ? lastAwsReportMs : nowMs).toISOString();
  return {
    version: 1,
    id,
    type,
    runId,
    issuedAt: new Date(nowMs).toISOString(),
    source: { eventId: id, source: 'spot-on.aggregator', detailType: DETAIL_TYPES[type], time },
    ...(instanceIds.length > 0 ? { instanceIds: [...instanceIds] } : {}),
  };
}

/**
 * `run-complete`, sent once when the last round is committed: whatever Azure capacity covers AWS is now idle, and
 * nothing else would release it (no AWS trainer will report again to trigger a failback).
 */
export function runCompleteSignal(runId: string, nowMs: number): Signal {
  const id = `run-complete-${runId}`;
  const time = new Date(nowMs).toISOString();
  return { version: 1, id, type: 'run-complete', runId, issuedAt: time, source: { eventId: id, source: 'spot-on.aggregator', detailType: 'Run Complete', time } };
}

const DETAIL_TYPES: Readonly<Record<SilenceTransition, string>> = {
  'aws-silent': 'AWS Trainers Silent',
  'aws-recovered': 'AWS Trainers Recovered',
  'capacity-lost': 'AWS Trainers Below Minimum',
};
