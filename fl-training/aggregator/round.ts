/**
 * The open round: the updates accepted into it (folded in as they arrive, their weights let go), the updates being
 * stored, which trainer was given the round's model, and how far it has got. One object per round: a commit
 * replaces it, so nothing of a round can leak into the next.
 */
import type { Participant } from '../../protocol/checkpoint';
import type { RoundFold } from '../strategy/strategy';
import type { UpdateMeta } from '../wire/messages';
import type { RoundProgress } from './quorum';
import type { TrainerRecord, TrainerRegistry } from './trainer-registry';

export class OpenRound {
  /** Accepted updates, by client: their weights are already in the fold. */
  private readonly accepted = new Map<string, UpdateMeta>();
  /** Updates being stored, by client: the shard they are for and the write. */
  private readonly storing = new Map<string, { shard: string; work: Promise<unknown> }>();
  /** Trainers given this round's model (GET /model). */
  private readonly served = new Set<string>();
  private fold: RoundFold | undefined;
  /** Whether the deadline-passed-without-quorum line was logged (once per round). */
  deadlineLogged = false;

  /** `begin`: starts the round's fold (the strategy's, from the committed base), on the first accepted update. */
  constructor(
    readonly number: number,
    readonly openedMs: number,
    private readonly begin: () => RoundFold,
  ) {}

  /** Accepted updates. */
  get size(): number {
    return this.accepted.size;
  }

  /** True once an update of this client is accepted. */
  hasAccepted(clientId: string): boolean {
    return this.accepted.has(clientId);
  }

  /** True while an update of this client is accepted or being stored. */
  hasUpdate(clientId: string): boolean {
    return this.accepted.has(clientId) || this.storing.has(clientId);
  }

  /** Folds an update into the round. */
  accept(meta: UpdateMeta, values: Float32Array[]): void {
    this.fold ??= this.begin();
    this.fold.add({ clientId: meta.clientId, examples: meta.examples, values });
    this.accepted.set(meta.clientId, meta);
  }

  /** Tracks an update while it is stored: it holds its shard, and a commit waits for it. */
  async storeWhile(meta: UpdateMeta, work: Promise<unknown>): Promise<void> {
    this.storing.set(meta.clientId, { shard: meta.shard, work });
    try {
      await work;
    } finally {
      this.storing.delete(meta.clientId);
    }
  }

  /** Resolves when every update being stored now is stored (or failed). */
  async stored(): Promise<void> {
    await Promise.allSettled([...this.storing.values()].map(({ work }) => work));
  }

  /** Another client whose update for `shard` is in the round (accepted or being stored), if any. */
  holder(shard: string, except: string): string | undefined {
    for (const [clientId, meta] of this.accepted) if (meta.shard === shard && clientId !== except) return clientId;
    for (const [clientId, update] of this.storing) if (update.shard === shard && clientId !== except) return clientId;
    return undefined;
  }

  serve(clientId: string): void {
    this.served.add(clientId);
  }

  /** Whether this client was given the round's model. */
  wasServed(clientId: string): boolean {
    return this.served.has(clientId);
  }

  /** The round no longer waits for this client (its shard was answered for by another). */
  unserve(clientId: string): void {
    this.served.delete(clientId);
  }

  /**
   * Another live trainer of this trainer's shard that took the round and has not reported yet (the previous holder,
   * at a handover): its update is what the round waits for, and a second copy would be refused as shard-covered, so
   * the newcomer starts with the next round.
   */
  inProgressBy(trainer: TrainerRecord, trainers: TrainerRegistry, nowMs: number): string | undefined {
    for (const other of trainers.all()) {
      if (other.clientId === trainer.clientId || other.shard !== trainer.shard || this.accepted.has(other.clientId)) continue;
      if (this.served.has(other.clientId) && trainers.live(other, nowMs)) return other.clientId;
    }
    return undefined;
  }

  /** Whether this trainer's shard is covered for the round by another client (it would be given the next one). */
  coveredFor(trainer: TrainerRecord, trainers: TrainerRegistry, nowMs: number): boolean {
    return this.holder(trainer.shard, trainer.clientId) !== undefined || (!this.served.has(trainer.clientId) && this.inProgressBy(trainer, trainers, nowMs) !== undefined);
  }

  /** Submitted and outstanding updates, and whether the deadline passed: what the quorum decides on. */
  progress(trainers: TrainerRegistry, nowMs: number, deadlineMs: number): RoundProgress {
    let outstanding = 0;
    // A trainer whose shard another client covered, or is training, before it was given the round has nothing to add:
    // the round does not wait for it. One already training the round is waited for: its work is then refused as
    // shard-covered and counted as duplicated, not dropped as if the round had closed without it.
    const waitedFor = (t: TrainerRecord) => this.served.has(t.clientId) || (this.holder(t.shard, t.clientId) === undefined && this.inProgressBy(t, trainers, nowMs) === undefined);
    for (const t of trainers.all()) if (trainers.live(t, nowMs) && !this.accepted.has(t.clientId) && waitedFor(t)) outstanding++;
    return { submitted: this.accepted.size, outstanding, deadlinePassed: nowMs - this.openedMs >= deadlineMs };
  }

  /** The accepted updates as the checkpoint's participants, by client id. */
  participants(): Participant[] {
    return [...this.accepted.values()]
      .map((m) => ({ clientId: m.clientId, examples: m.examples, updateDigest: m.sha256, baseRound: m.baseRound, partial: m.partial, cloud: m.cloud }))
      .sort((a, b) => (a.clientId < b.clientId ? -1 : 1));
  }

  /** The round's aggregate (at least one update must have been accepted). */
  finish(): ReturnType<RoundFold['finish']> {
    this.fold ??= this.begin();
    return this.fold.finish();
  }
}
