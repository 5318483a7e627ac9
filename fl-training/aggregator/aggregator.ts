/**
 * The FL aggregator (Flower's server): rounds with a quorum and a deadline, partial participation, FedAvg via
 * a Strategy, one immutable checkpoint per committed round, status.json every round, exact resume from
 * LATEST, per-shard epoch fencing, and the `aws-silent` / `aws-recovered` trigger. Transport-free: http.ts maps
 * HTTP onto these methods, so tests can drive it either way. Its parts: trainer-registry.ts keeps the trainers,
 * round.ts the open round (its fold, updates being stored, who holds which shard), resume.ts picks a run up from
 * its checkpoints, brain-link.ts reads the brain's state and sends it signals, views.ts builds what it shows of
 * itself (status.json, /metrics).
 */
import { EventEmitter } from 'node:events';
import type { Participant, WeightSpec } from '../../protocol/checkpoint';
import type { Residency, RunStatus } from '../../protocol/run-status';
import { configHash as hashConfig, mayProcess, type RunConfig } from '../config';
import { CheckpointConflictError, describeError } from '../errors';
import { writeCheckpoint, type Checkpoint } from '../store/checkpoint';
import type { CheckpointStore } from '../store/checkpoint-store';
import { listStoredUpdates, loadStoredUpdate, storeUpdate } from '../store/updates';
import { createStrategy, type Strategy } from '../strategy/strategy';
import { shardExampleCounts } from '../task/shards';
import { modelShape, topologyHash as hashTopology, weightSpecs } from '../task/topology';
import type { ModelHeader, RegisterReply, RegisterRequest, StoredUpdateMeta, UpdateMeta } from '../wire/messages';
import type { SignalSender } from './brain';
import { BrainLink } from './brain-link';
import { ModelServer } from './model-server';
import { decideCommit } from './quorum';
import { readRunStatus, resumeRun, type Base } from './resume';
import { OpenRound } from './round';
import { assignShard } from './shard-assignment';
import type { SignalOutboxOptions } from './signal-outbox';
import { StatusWriter } from './status-writer';
import { TrainerRegistry, type TrainerRecord } from './trainer-registry';
import { runStatus, type AggregatorSnapshot } from './views';
import { AggregatorMetrics } from './metrics';
import { checkPayload, checkUpdateMeta, isRejection, type PayloadBounds, type Rejection, type UpdateContext } from './validate';
import { UsageMeter } from './usage-meter';

export type Logger = (line: string) => void;

/** Evaluates global weights on held-out data (the aggregator does not depend on tfjs itself). */
export type Evaluator = (weights: readonly Float32Array[]) => { loss: number; accuracy: number } | undefined;

export interface AggregatorOptions {
  readonly config: RunConfig;
  readonly store: CheckpointStore;
  readonly log?: Logger;
  readonly evaluator?: Evaluator;
  /** Where `aws-silent` / `aws-recovered` go; no signals when absent. */
  readonly signals?: SignalSender;
  /** Resend timing of an undelivered signal (signal-outbox.ts). */
  readonly signalRetry?: Pick<SignalOutboxOptions, 'retryMs' | 'maxRetryMs'>;
  /** Period of the round/liveness/silence checks. @default 1000 */
  readonly tickMs?: number;
  /** Live AWS trainers the brain keeps covered (SPOTON_MIN_AWS_TRAINERS); back at it, the aggregator signals aws-recovered. */
  readonly minAwsTrainers?: number;
  /** How often to read state/<runId>.json for the brain's epoch; 0 turns it off. @default 10000 */
  readonly statePollMs?: number;
  /** How often to look for updates trainers wrote to Blob themselves. @default 5000 */
  readonly scanMs?: number;
  /** Store every accepted update before answering 202 (no accepted work is lost on a crash). @default true */
  readonly persistUpdates?: boolean;
  readonly now?: () => number;
}

export interface CommitInfo {
  readonly round: number;
  readonly reason: 'all-reported' | 'deadline';
  readonly participants: readonly Participant[];
  readonly examples: number;
  readonly loss?: number | undefined;
  readonly accuracy?: number | undefined;
  readonly checkpointMs: number;
  readonly manifestSha256: string;
  /** When the round opened (the aggregator's clock, epoch ms). */
  readonly openedMs: number;
}

export type ModelAnswer = { readonly kind: 'model'; readonly frame: Buffer; readonly header: ModelHeader } | { readonly kind: 'none' } | { readonly kind: 'done' };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export class Aggregator extends EventEmitter {
  readonly config: RunConfig;
  readonly configHash: string;
  readonly topologyHash: string;
  readonly specs: WeightSpec[];
  private readonly strategy: Strategy;
  private readonly store: CheckpointStore;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly shards: Map<string, Residency>;
  private readonly fullExamples: Map<string, number>;
  private readonly trainers: TrainerRegistry;
  /** LATEST's ETag after this aggregator's last commit: the next commit replaces it without reading it first. */
  private latestEtag: string | undefined;
  private readonly metrics = new AggregatorMetrics(() => this.snapshot());
  private readonly models = new ModelServer();
  private base!: Base;
  private round!: OpenRound;
  private epochValue = 0;
  /** When the run started (status.json keeps it across restarts). */
  private startedAtMs = 0;
  private committing: Promise<void> | undefined;
  private lastCommit: CommitInfo | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastScanMs = 0;
  private readonly statusWriter: StatusWriter;
  /** GPU node time trainers were heard on: status.json's usage, the cost so far. */
  private readonly usage = new UsageMeter();
  private readonly brain: BrainLink;
  private closed = false;
  /** Set when another writer committed a round this aggregator was committing: it must stop. */
  fatal: Error | undefined;

  private constructor(private readonly options: AggregatorOptions) {
    super();
    this.config = options.config;
    this.store = options.store;
    this.log = options.log ?? (() => undefined);
    this.now = options.now ?? Date.now;
    this.configHash = hashConfig(this.config);
    const shape = modelShape(this.config);
    this.topologyHash = hashTopology(shape);
    this.specs = weightSpecs(shape);
    this.strategy = createStrategy(this.config);
    this.shards = new Map(this.config.shards.map((s) => [s.id, s.residency]));
    const perShard = shardExampleCounts(this.config);
    this.fullExamples = new Map([...perShard].map(([id, n]) => [id, n * this.config.localEpochs]));
    this.trainers = new TrainerRegistry(this.config.trainerTimeoutMs);
    this.statusWriter = new StatusWriter(this.store, this.config.runId, this.log);
    this.brain = new BrainLink({
      runId: this.config.runId,
      store: this.store,
      now: this.now,
      log: this.log,
      silenceTimeoutMs: this.config.awsSilenceTimeoutMs,
      minAwsTrainers: options.minAwsTrainers,
      statePollMs: options.statePollMs ?? 10_000,
      signals: options.signals,
      signalRetry: options.signalRetry,
      onSignal: (signal) => {
        this.metrics.signalled(signal.type);
        this.emit('signal', signal);
      },
      currentEpoch: () => this.epochValue,
      onEpoch: (epoch) => this.applyEpoch(epoch, 'state blob'),
    });
  }

  /**
   * Opens the run: resumes from LATEST (falling back a round if it is corrupt) or writes round 0, restores
   * trainers and the AWS report clock from status.json, the epoch from the manifest, status.json and
   * state/<runId>.json, and the open round's stored updates. Then starts the round clock.
   */
  static async open(options: AggregatorOptions): Promise<Aggregator> {
    const aggregator = new Aggregator(options);
    await aggregator.resume();
    aggregator.timer = setInterval(() => void aggregator.tick(), options.tickMs ?? 1000);
    aggregator.timer.unref();
    return aggregator;
  }

  get runId(): string {
    return this.config.runId;
  }

  /** The round trainers train now. */
  get openRound(): number {
    return this.round.number;
  }

  /** The brain's open incident's trace, as last read from its state (incident-trace.ts). */
  get incidentTraceparent(): string | undefined {
    return this.brain.incidentTraceparent;
  }

  /** The last committed round. */
  get committedRound(): number {
    return this.base.round;
  }

  get epoch(): number {
    return this.epochValue;
  }

  /** True once the configured number of rounds is committed. */
  get done(): boolean {
    return this.base.round >= this.config.rounds;
  }

  /** Copies of the global weights of the last committed round. */
  globalWeights(): Float32Array[] {
    return this.base.weights.map((w) => w.slice());
  }

  private async resume(): Promise<void> {
    const { config, store, configHash, topologyHash, specs, strategy, log } = this;
    const resumed = await resumeRun({ config, store, configHash, topologyHash, specs, strategy, log, evaluate: (weights) => this.evaluate(weights) });
    this.base = resumed.base;
    this.epochValue = resumed.epoch;
    this.round = this.openRoundAt(resumed.openRound);
    const status = await readRunStatus(store, this.runId, log);
    this.startedAtMs = status?.schedule ? Date.parse(status.schedule.startedAt) : this.now();
    if (status) {
      this.epochValue = Math.max(this.epochValue, status.epoch);
      this.trainers.restore(status);
      this.usage.restore(status.usage);
      if (status.awsLastReportAt) this.brain.awsReported(Date.parse(status.awsLastReportAt));
    }
    await this.brain.poll(true);
    await this.reloadStoredUpdates();
    if (!this.done) this.log(`round ${this.round.number} open (from round ${this.base.round}, epoch ${this.epochValue})`);
  }

  /**
   * The round `number`, open from now on. Its fold is the strategy's, from the committed base: each accepted update
   * is folded in as it is accepted and its weights let go, so memory does not grow with the number of trainers.
   * Every accepted update is also in Blob, so a restarted aggregator folds them in again (reloadStoredUpdates); the
   * fold does not depend on their order.
   */
  private openRoundAt(number: number): OpenRound {
    const base = this.base;
    return new OpenRound(number, this.now(), () =>
      this.strategy.begin({
        round: number,
        current: base.weights,
        state: base.state,
        // One update per shard and round, of at most a full shard's local epochs, each weight within the bounds.
        bounds: { examples: this.config.data.trainExamples * this.config.localEpochs, maxAbsValue: this.config.updateBounds.maxAbsValue },
      }),
    );
  }

  /**
   * Reloads updates stored for the open round (accepted before a crash, or written by flushing trainers).
   * Rounds between the base and the open round whose number was burnt (data written, never committed) may
   * hold updates from the same base: they are carried into the open round.
   */
  private async reloadStoredUpdates(): Promise<void> {
    for (let round = this.base.round + 1; round <= this.round.number; round++) {
      for (const clientId of await listStoredUpdates(this.store, this.runId, round)) await this.adoptStoredUpdate(round, clientId);
    }
  }

  private async adoptStoredUpdate(round: number, clientId: string): Promise<void> {
    if (this.round.hasUpdate(clientId)) return;
    let stored: Awaited<ReturnType<typeof loadStoredUpdate>>;
    try {
      stored = await loadStoredUpdate(this.store, this.runId, round, clientId);
    } catch (error) {
      return this.log(`ignoring stored update ${clientId} of round ${round}: ${describeError(error)}`);
    }
    if (!stored || this.round.hasAccepted(clientId)) return;
    const meta: UpdateMeta = { ...withoutAccepted(stored.meta), round: this.round.number };
    const registration = this.trainers.get(clientId) ?? { cloud: meta.cloud, shard: meta.shard };
    const rejection = checkUpdateMeta(meta, { ...this.updateContext(clientId), registration, alreadySubmitted: false, acceptedBefore: stored.meta.accepted !== undefined });
    const checked = rejection ?? checkPayload(meta, stored.payload, this.specs, this.payloadBounds());
    if (isRejection(checked)) return this.log(`ignoring stored update ${clientId} of round ${round}: ${checked.code}: ${checked.message}`);
    if (round !== this.round.number) await storeUpdate(this.store, { ...stored.meta, round: this.round.number }, stored.payload);
    this.round.accept(meta, checked.values);
    const trainer = this.trainers.get(clientId);
    if (trainer && meta.partial) trainer.leaving = true;
    this.log(`round ${this.round.number}: picked up stored update from ${clientId} (${meta.examples} examples${meta.partial ? ', partial' : ''})`);
  }

  private evaluate(weights: readonly Float32Array[]): { loss?: number; accuracy?: number } {
    if (!this.config.evaluate || !this.options.evaluator) return {};
    const result = this.options.evaluator(weights);
    return result ? { loss: result.loss, accuracy: result.accuracy } : {};
  }

  private updateContext(clientId: string): UpdateContext {
    const trainer = this.trainers.get(clientId);
    return {
      runId: this.runId,
      openRound: this.round.number,
      baseRound: this.base.round,
      epoch: this.epochValue,
      committing: this.committing !== undefined,
      specs: this.specs,
      shards: this.shards,
      fullExamples: this.fullExamples,
      registration: trainer && { cloud: trainer.cloud, shard: trainer.shard },
      alreadySubmitted: this.round.hasUpdate(clientId),
      shardCoveredBy: (shard) => this.round.holder(shard, clientId),
      assignedEpoch: (shard) => this.trainers.assignedEpoch(shard),
    };
  }

  private payloadBounds(): PayloadBounds {
    return { ...this.config.updateBounds, current: this.base.weights };
  }

  private reject(rejection: Rejection, clientId?: string): Rejection {
    this.metrics.rejected(rejection.code);
    this.log(`rejected${clientId ? ` ${clientId}` : ''}: ${rejection.code}: ${rejection.message}`);
    this.emit('rejected', { clientId, ...rejection });
    return rejection;
  }

  /** Notes that a trainer was heard from (liveness, AWS silence clock). */
  private touch(trainer: TrainerRecord): void {
    trainer.lastSeenMs = this.now();
    if (trainer.cloud === 'aws') this.brain.awsReported(trainer.lastSeenMs);
  }

  /** POST /register: a trainer joins with its shard, or without one and is assigned a shard that needs a trainer. */
  register(request: RegisterRequest): RegisterReply | Rejection {
    const nowMs = this.now();
    const shard = request.shard ?? this.assignShard(request, nowMs);
    if (shard === undefined) return this.reject({ status: 409, code: 'no-free-shard', message: `every shard ${request.cloud} may process has a live trainer; waiting for one to need a trainer` }, request.clientId);
    const residency = this.shards.get(shard);
    if (!residency) return this.reject({ status: 422, code: 'unknown-shard', message: `shard ${shard} is not in this run (shards: ${[...this.shards.keys()].join(', ')})` }, request.clientId);
    if (request.residency !== undefined && request.residency !== residency) return this.reject({ status: 409, code: 'wrong-shard', message: `shard ${shard} has residency ${residency}, the trainer says ${request.residency}` }, request.clientId);
    if (!mayProcess(request.cloud, residency)) return this.reject({ status: 403, code: 'residency', message: `shard ${shard} is pinned to ${residency}; a trainer on ${request.cloud} may not process it` }, request.clientId);
    if (this.trainers.takesOver(request, nowMs)) {
      // A live trainer's id from another machine: a takeover would make its updates fail as from the wrong shard.
      return this.reject({ status: 409, code: 'identity-taken', message: `client ${request.clientId} is a live trainer on another node; a trainer keeps its id, a new one picks its own` }, request.clientId);
    }
    const { trainer, known } = this.trainers.register(request, shard, residency, this.epochValue, nowMs);
    this.touch(trainer);
    const changed = !known || known.shard !== trainer.shard || known.cloud !== trainer.cloud || known.leaving || known.instanceId !== trainer.instanceId || known.nodeName !== trainer.nodeName;
    if (changed) {
      this.log(`registered ${request.clientId} (${request.cloud}, shard ${shard}${request.shard === undefined ? ' assigned' : ''}${request.nodeName ? `, node ${request.nodeName}` : ''})`);
      this.writeStatus();
    }
    return { runId: this.runId, shard, round: this.round.number, epoch: this.epochValue, configHash: this.configHash, submitted: this.round.hasAccepted(request.clientId) };
  }

  private assignShard(request: RegisterRequest, nowMs: number): string | undefined {
    const holders = this.trainers.all().map((t) => ({ clientId: t.clientId, cloud: t.cloud, shard: t.shard, live: this.trainers.live(t, nowMs) }));
    return assignShard(this.shards, request.cloud, request.clientId, holders);
  }

  /** POST /heartbeat */
  heartbeat(clientId: string): Rejection | undefined {
    const trainer = this.trainers.get(clientId);
    if (!trainer) return this.reject({ status: 403, code: 'unregistered', message: `client ${clientId} has not registered` }, clientId);
    this.touch(trainer);
    return undefined;
  }

  /** POST /leave: the trainer stops; the round stops waiting for it. */
  leave(clientId: string, reason: string): Rejection | undefined {
    const trainer = this.trainers.get(clientId);
    if (!trainer) return this.reject({ status: 403, code: 'unregistered', message: `client ${clientId} has not registered` }, clientId);
    this.touch(trainer);
    trainer.leaving = true;
    this.log(`${clientId} left: ${reason}`);
    this.writeStatus();
    this.maybeCommit();
    return undefined;
  }

  /** GET /model: the global model for the open round once it is >= minRound (long-poll up to waitMs). */
  async model(clientId: string, minRound: number, waitMs: number, abort?: AbortSignal): Promise<ModelAnswer | Rejection> {
    const trainer = this.trainers.get(clientId);
    if (!trainer) return this.reject({ status: 403, code: 'unregistered', message: `client ${clientId} has not registered` }, clientId);
    this.touch(trainer);
    const until = Date.now() + waitMs; // wall time: the wait is a transport concern, not the run's clock
    for (;;) {
      if (this.done) return { kind: 'done' };
      // A shard another client already contributed to, or is training, in this round waits for the next one: its work
      // would be refused (work trained twice, counted once).
      const covered = this.round.coveredFor(trainer, this.trainers, this.now());
      if (this.round.number >= minRound && !covered && !this.committing && !this.closed) {
        this.round.serve(clientId);
        return { kind: 'model', ...this.currentModelFrame() };
      }
      const remaining = until - Date.now();
      if (remaining <= 0 || this.closed || abort?.aborted) return { kind: 'none' };
      await this.models.wait(remaining, abort);
      this.touch(trainer);
    }
  }

  private currentModelFrame(): { frame: Buffer; header: ModelHeader } {
    const { number } = this.round;
    const header = (): ModelHeader => ({
      version: 1,
      runId: this.runId,
      round: number,
      baseRound: this.base.round,
      epoch: this.epochValue,
      configHash: this.configHash,
      fit: this.strategy.configureFit(number),
      weights: this.specs,
    });
    return this.models.frame(`${number}/${this.base.round}/${this.epochValue}`, header, () => this.base.weights);
  }

  /** POST /update: validates, stores (durably, before answering) and adds the update to the open round. */
  async submit(meta: UpdateMeta, payload: Uint8Array): Promise<{ round: number; pending: number } | Rejection> {
    const trainer = this.trainers.get(meta.clientId);
    if (trainer) this.touch(trainer);
    if (meta.round === this.base.round && this.base.participants.get(meta.clientId) === meta.sha256) {
      // A retry whose first attempt was stored just before a crash and committed after the restart.
      return this.reject({ status: 409, code: 'duplicate', message: `update of ${meta.clientId} is already in committed round ${meta.round}` }, meta.clientId);
    }
    const rejection = checkUpdateMeta(meta, this.updateContext(meta.clientId));
    if (rejection?.code === 'shard-covered') {
      // Its round is answered for: stop waiting for this trainer, which may let the round commit.
      this.round.unserve(meta.clientId);
      const refused = this.reject(rejection, meta.clientId);
      this.maybeCommit();
      return refused;
    }
    if (rejection) return this.reject(rejection, meta.clientId);
    const checked = checkPayload(meta, payload, this.specs, this.payloadBounds());
    if (isRejection(checked)) return this.reject(checked, meta.clientId);
    const round = this.round;
    const work = (async () => {
      if (this.options.persistUpdates ?? true) {
        const stored: StoredUpdateMeta = { ...meta, accepted: { at: new Date(this.now()).toISOString(), epoch: this.epochValue } };
        if ((await storeUpdate(this.store, stored, payload)) === 'exists') {
          // The trainer wrote it to Blob itself (aggregator unreachable) and then reached us too: same work, once.
          this.log(`${meta.clientId}: update for round ${meta.round} was already stored`);
        }
      }
      // Added in the same continuation as the write, so a commit waiting on in-flight updates sees it.
      round.accept(meta, checked.values);
    })();
    await round.storeWhile(meta, work);
    this.metrics.updateAccepted(meta);
    if (trainer) {
      trainer.lastRound = meta.round;
      if (meta.partial) trainer.leaving = true;
    }
    this.log(`round ${meta.round}: update from ${meta.clientId} (${meta.cloud}, shard ${meta.shard}, ${meta.examples} examples${meta.partial ? ', partial' : ''}${meta.loss !== undefined ? `, loss ${meta.loss.toFixed(4)}` : ''})`);
    this.emit('accepted', meta);
    this.maybeCommit();
    return { round: meta.round, pending: round.size };
  }

  /**
   * Reads the brain's epoch now (tick() does every statePollMs). The brain's state blob is the only source: no
   * request can move the epoch, so a caller with a trainer's key cannot fence every legitimate update out.
   */
  async refreshEpoch(): Promise<number> {
    await this.brain.poll(true);
    return this.epochValue;
  }

  private applyEpoch(epoch: number, source: string): void {
    const previous = this.epochValue;
    this.epochValue = epoch;
    this.models.invalidate();
    this.log(`epoch ${previous} -> ${epoch} (${source}); updates from epoch ${previous} are now stale`);
    this.emit('epoch', epoch);
    this.writeStatus();
  }

  /**
   * Periodic work (the clock runs it every tickMs): AWS silence, brain epoch, stored updates, deadline commits.
   * Resolves once the work it started is done (tests advance their clock and await it instead of sleeping).
   */
  async tick(): Promise<void> {
    if (this.closed) return;
    const nowMs = this.now();
    this.usage.observe(this.trainers.all().filter((trainer) => this.trainers.live(trainer, nowMs)), nowMs);
    const reporting = this.trainers.reporting(nowMs);
    // A finished run has no trainers by design: its silence is not an outage.
    const work = this.brain.tick(nowMs, { done: this.done, reportingAws: reporting.aws, reportingAzure: reporting.azure, lostAwsInstances: () => this.trainers.lostAwsInstances(nowMs) });
    // The brain sizes failovers from status.json: keep it current when trainers go quiet, not only at commits.
    if (this.statusWriter.isStale(this.trainers.liveSignature(nowMs))) this.writeStatus();
    if (!this.done && !this.committing && nowMs - this.lastScanMs >= (this.options.scanMs ?? 5000)) {
      this.lastScanMs = nowMs;
      work.push(this.scanStoredUpdates().then(() => this.maybeCommit()));
    }
    this.maybeCommit();
    if (this.committing) work.push(this.committing);
    await Promise.allSettled(work);
  }

  private async scanStoredUpdates(): Promise<void> {
    try {
      const { number } = this.round;
      for (const clientId of await listStoredUpdates(this.store, this.runId, number)) await this.adoptStoredUpdate(number, clientId);
    } catch (error) {
      this.log(`could not list stored updates: ${describeError(error)}`);
    }
  }

  private maybeCommit(): void {
    if (this.closed || this.committing || this.done || this.fatal) return;
    const nowMs = this.now();
    const progress = this.round.progress(this.trainers, nowMs, this.config.roundDeadlineMs);
    const decision = decideCommit(progress, this.config.quorum);
    if (!decision.commit) {
      if (progress.deadlinePassed && !this.round.deadlineLogged) {
        this.round.deadlineLogged = true;
        this.log(`round ${this.round.number}: deadline passed with ${progress.submitted} update(s), ${progress.outstanding} outstanding; need ${decision.need}`);
      }
      return;
    }
    const commit: Promise<void> = this.commit(decision.reason).finally(() => {
      if (this.committing === commit) this.committing = undefined;
      this.models.wakeAll();
    });
    this.committing = commit;
  }

  private async commit(reason: 'all-reported' | 'deadline'): Promise<void> {
    const started = this.now();
    const open = this.round;
    await open.stored(); // updates being stored join this round
    await this.scanStoredUpdates();
    const round = open.number;
    if (open.size === 0) return;
    const { weights, state } = open.finish();
    const metrics = this.evaluate(weights);
    const participants: Participant[] = open.participants();
    const examples = participants.reduce((sum, p) => sum + p.examples, 0);
    const writeStarted = this.now();
    let checkpoint: Checkpoint;
    try {
      checkpoint = await writeCheckpoint(this.store, {
        runId: this.runId,
        round,
        epoch: this.epochValue,
        configHash: this.configHash,
        topologyHash: this.topologyHash,
        specs: this.specs,
        weights,
        strategyState: state,
        participants,
        metrics: { examples, ...metrics },
        latestEtag: this.latestEtag,
      });
    } catch (error) {
      if (error instanceof CheckpointConflictError) {
        this.fatal = error;
        this.log(`FATAL: ${error.message}; another aggregator owns this run. Stopping.`);
        this.emit('fatal', error);
        return;
      }
      this.log(`round ${round}: checkpoint write failed (${describeError(error)}); retrying`);
      await sleep(500);
      return;
    }
    const checkpointMs = this.now() - writeStarted;
    this.latestEtag = checkpoint.latestEtag;
    this.base = { round, participants: new Map(participants.map((p) => [p.clientId, p.updateDigest])), weights, state, metrics };
    this.round = this.openRoundAt(round + 1);
    this.models.invalidate();
    this.committing = undefined; // the next round is open from here on
    this.models.wakeAll();
    const info: CommitInfo = { round, reason, participants, examples, loss: metrics.loss, accuracy: metrics.accuracy, checkpointMs, manifestSha256: checkpoint.manifestSha256, openedMs: open.openedMs };
    this.lastCommit = info;
    this.writeStatus();
    const partial = participants.filter((p) => p.partial).length;
    this.log(
      `round ${round}/${this.config.rounds} committed (${reason}): ${participants.length} trainer(s)${partial ? `, ${partial} partial` : ''}, ${examples} examples` +
        `${metrics.loss !== undefined ? `, loss ${metrics.loss.toFixed(4)}` : ''}${metrics.accuracy !== undefined ? `, accuracy ${(metrics.accuracy * 100).toFixed(2)}%` : ''}` +
        `, checkpoint ${checkpointMs} ms, round ${this.now() - started} ms`,
    );
    this.emit('committed', info);
    if (this.done) {
      this.emit('done', info);
      this.brain.runComplete(round);
    }
  }

  /** The run as status.json describes it. */
  status(): RunStatus {
    return runStatus(this.snapshot());
  }

  /** The aggregator's state now, for the views (views.ts). */
  private snapshot(): AggregatorSnapshot {
    const nowMs = this.now();
    return {
      runId: this.runId,
      config: this.config,
      nowMs,
      round: this.base.round,
      metrics: this.base.metrics,
      openRound: this.round.number,
      openRoundSinceMs: this.round.openedMs,
      epoch: this.epochValue,
      trainers: this.trainers.all(),
      reporting: this.trainers.reporting(nowMs),
      awsLastReportMs: this.brain.lastAwsReportMs,
      awsSilent: this.brain.awsSilent,
      progress: this.round.progress(this.trainers, nowMs, this.config.roundDeadlineMs),
      lastCheckpointMs: this.lastCommit?.checkpointMs,
      startedAtMs: this.startedAtMs,
      usage: this.usage.snapshot(),
    };
  }

  /** Rewrites status.json (serialised; a failure is logged, the next write catches up). */
  private writeStatus(): void {
    this.statusWriter.write(this.trainers.liveSignature(this.now()), () => this.status(), () => this.closed);
  }

  /** Resolves once pending background writes (status.json) are done. */
  async flushWrites(): Promise<void> {
    await this.committing;
    await this.statusWriter.flushed();
  }

  /** Prometheus text for GET /metrics. */
  metricsText(): Promise<string> {
    return this.metrics.text();
  }

  /** The registry behind GET /metrics (its metric names are what dashboards may query). */
  get metricsRegistry(): AggregatorMetrics['registry'] {
    return this.metrics.registry;
  }

  /** Stops the clock and wakes long-polls. Pending work stays in Blob; a new instance resumes it. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.statusWriter.flushed();
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.models.wakeAll();
    await this.brain.drain();
  }

  /** Simulates a crash: stops at once, without waiting for anything. */
  kill(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.models.wakeAll();
  }
}

function withoutAccepted(meta: StoredUpdateMeta): UpdateMeta {
  const { accepted: _accepted, ...rest } = meta;
  return rest;
}

