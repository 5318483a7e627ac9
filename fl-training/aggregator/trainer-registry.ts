/**
 * The trainers an aggregator knows: who holds which shard, since which epoch, and who is live. Registration rules
 * that are about identity live here (a live trainer keeps its id); the rules about rounds stay in the aggregator.
 */
import type { Cloud, Residency, RunStatus } from '../../protocol/run-status';
import type { RegisterRequest } from '../wire/messages';

export interface TrainerRecord {
  clientId: string;
  cloud: Cloud;
  shard: string;
  residency: Residency;
  instanceId?: string | undefined;
  nodeName?: string | undefined;
  lastSeenMs: number;
  lastRound?: number | undefined;
  /** Flushed or left: not waited for until it registers again. */
  leaving: boolean;
}

/** Whether a registration comes from where the known trainer runs (its re-registration after a restart does). */
function sameMachine(known: Pick<RegisterRequest, 'cloud' | 'instanceId' | 'nodeName'>, request: RegisterRequest): boolean {
  return known.cloud === request.cloud && known.instanceId === request.instanceId && known.nodeName === request.nodeName;
}

export class TrainerRegistry {
  private readonly trainers = new Map<string, TrainerRecord>();
  /**
   * The epoch of each shard's latest assignment to a trainer. Not persisted: after a restart a shard nobody
   * registered again counts as assigned in the epoch of the restored status.json (`assignmentFloor`), when the
   * trainers it lists held their shards.
   */
  private readonly shardAssignedEpoch = new Map<string, number>();
  private assignmentFloor = 0;

  /** @param timeoutMs a trainer silent this long no longer counts as live (RunConfig.trainerTimeoutMs) */
  constructor(private readonly timeoutMs: number) {}

  get(clientId: string): TrainerRecord | undefined {
    return this.trainers.get(clientId);
  }

  /** Every known trainer, by client id. */
  all(): TrainerRecord[] {
    return [...this.trainers.values()].sort((a, b) => (a.clientId < b.clientId ? -1 : 1));
  }

  live(trainer: TrainerRecord, nowMs: number): boolean {
    return !trainer.leaving && nowMs - trainer.lastSeenMs <= this.timeoutMs;
  }

  /** True when `request` would take over the id of a live trainer on another machine. */
  takesOver(request: RegisterRequest, nowMs: number): boolean {
    const known = this.trainers.get(request.clientId);
    return known !== undefined && this.live(known, nowMs) && !sameMachine(known, request);
  }

  /** Records a registration; returns the record and what it was before. */
  register(request: RegisterRequest, shard: string, residency: Residency, epoch: number, nowMs: number): { trainer: TrainerRecord; known: TrainerRecord | undefined } {
    const known = this.trainers.get(request.clientId);
    // A shard handed to a trainer that did not hold it makes earlier-epoch work for it stale (validate.ts epochAllows).
    if (known?.shard !== shard || known.leaving) this.shardAssignedEpoch.set(shard, epoch);
    const trainer: TrainerRecord = { ...request, shard, residency, lastSeenMs: nowMs, lastRound: known?.lastRound, leaving: false };
    this.trainers.set(request.clientId, trainer);
    return { trainer, known };
  }

  /** The epoch of `shard`'s latest assignment. */
  assignedEpoch(shard: string): number {
    return this.shardAssignedEpoch.get(shard) ?? this.assignmentFloor;
  }

  /** Restores the trainers of a status.json written before a restart. */
  restore(status: RunStatus): void {
    this.assignmentFloor = status.epoch;
    for (const t of status.trainers) {
      this.trainers.set(t.clientId, { clientId: t.clientId, cloud: t.cloud, shard: t.shard, residency: t.residency, instanceId: t.instanceId, nodeName: t.nodeName, lastSeenMs: Date.parse(t.lastSeenAt), lastRound: t.lastRound, leaving: false });
    }
  }

  /** Live trainers per cloud. */
  reporting(nowMs: number): { aws: number; azure: number } {
    const reporting = { aws: 0, azure: 0 };
    for (const t of this.trainers.values()) if (this.live(t, nowMs)) reporting[t.cloud]++;
    return reporting;
  }

  /** Which trainers are live, as one comparable string (a change rewrites status.json). */
  liveSignature(nowMs: number): string {
    return [...this.trainers.values()].flatMap((t) => (this.live(t, nowMs) ? [t.clientId] : [])).sort().join(',');
  }

  /** Instances of AWS trainers that went quiet without leaving: the ones a sudden reclaim took. */
  lostAwsInstances(nowMs: number): string[] {
    return [...this.trainers.values()].flatMap((t) => (t.cloud === 'aws' && !t.leaving && !this.live(t, nowMs) && t.instanceId ? [t.instanceId] : []));
  }
}
