/**
 * An FL trainer (Flower's client): registers with its cloud, node and shard; per round pulls the global
 * model, trains its shard batch by batch and pushes its update. On `POST /checkpoint` (a Spot warning) or
 * SIGTERM it stops at the next batch boundary, pushes a partial update weighted by the examples it actually
 * processed (or stores it create-only in Blob when the aggregator is unreachable), and exits cleanly.
 * Stateless between rounds: after a restart it rejoins at the open round.
 */
import type * as tf from '@tensorflow/tfjs';
import type { FlushRequest } from '../../protocol/flush-request';
import type { Residency } from '../../protocol/run-status';
import { mayProcess, type RunConfig } from '../config';
import { describeError, ShardResidencyError } from '../errors';
import { storeUpdate } from '../store/updates';
import type { Dataset } from '../task/dataset';
import { shardConfig } from '../task/shards';
import { dataObjectName } from '../data/data-part';
import { loadShard } from '../data/load';
import { buildModel, modelSpecs } from '../task/model';
import { modelShape } from '../task/topology';
import { trainLocal, type LocalTrainingResult } from '../task/train';
import type { ModelHeader, UpdateMeta } from '../wire/messages';
import { encodeWeights, sha256Hex } from '../wire/weights';
import { AggregatorClient, AggregatorRejectedError, AggregatorUnavailableError } from './aggregator-client';
import { startFlushServer, type FlushAcceptance, type FlushServer } from './flush-server';
import { TrainerMetrics } from './metrics';
import type { TrainerExit, TrainerOptions, TrainerResult } from './options';

export type { FlushDurable, TrainerExit, TrainerOptions, TrainerResult } from './options';

type PushOutcome = 'accepted' | 'duplicate' | 'stored' | 'stale-epoch' | 'stale-round' | 'shard-covered' | 'lost';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Trainer {
  private readonly client: AggregatorClient;
  private readonly log: (line: string) => void;
  private server: FlushServer | undefined;
  private phase: 'starting' | 'waiting' | 'training' | 'pushing' | 'flushing' | 'done' = 'starting';
  private currentRound: number | undefined;
  private processedThisRound = 0;
  private flush: { requestId: string; deadlineMs: number; reason: string; atMs: number; traceparent?: string | undefined } | undefined;
  private flushDone = false;
  private assignedShard: string | undefined;
  private readonly flushedRequests = new Set<string>();
  private readonly waitAbort = new AbortController();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** Examples refused for a stale epoch in `round`, counted as redone once that round is contributed again. */
  private awaitingRedo: { round: number; examples: number } | undefined;
  private readonly stats = { processed: 0, contributed: 0, discarded: 0, redone: 0, duplicated: 0, rounds: [] as number[], partialRound: undefined as number | undefined };
  /** Served at GET /metrics on the flush endpoint's port. */
  readonly metrics: TrainerMetrics;

  constructor(private readonly options: TrainerOptions) {
    this.client = new AggregatorClient(options.aggregatorUrl, options.keys.trainer.signing, options.requestTimeoutMs ?? 30_000);
    this.log = options.log ?? (() => undefined);
    this.metrics = new TrainerMetrics(options.cloud);
  }

  /** Starts the flush endpoint (before training, so a warning during start-up is not missed). */
  async start(): Promise<string> {
    this.server = await startFlushServer(
      { requestFlush: (request, traceparent) => this.onFlushRequest(request, traceparent), health: () => ({ phase: this.phase, round: this.currentRound }) },
      { port: this.options.port ?? 0, host: this.options.host ?? '0.0.0.0', flushKeys: this.options.keys.flush, instanceId: this.options.instanceId, metrics: this.metrics.registry },
    );
    return this.server.url;
  }

  /** URL of the flush endpoint (after start()). */
  get flushUrl(): string | undefined {
    return this.server && `${this.server.url}/checkpoint`;
  }

  private activeFlush(): Trainer['flush'] {
    return this.flush;
  }

  private get stopRequested(): boolean {
    return this.flush !== undefined;
  }

  private onFlushRequest(request: FlushRequest, traceparent?: string): FlushAcceptance {
    const outcome = this.flushDone || this.flushedRequests.has(request.requestId) ? 'done' : this.flush ? 'in-progress' : 'started';
    this.metrics.flushRequested('checkpoint', outcome);
    if (outcome === 'started') this.beginFlush(request.requestId, Date.parse(request.deadline), request.reason, traceparent);
    return outcome;
  }

  /** SIGTERM: the same flush as a Spot warning, with the pod's grace period as deadline. */
  terminate(signal = 'SIGTERM'): void {
    this.metrics.flushRequested('signal', this.flushDone ? 'done' : this.flush ? 'in-progress' : 'started');
    if (this.flush || this.flushDone) return;
    this.beginFlush(`${signal}-${Date.now()}`, Date.now() + (this.options.sigtermGraceMs ?? 25_000), signal);
  }

  private beginFlush(requestId: string, deadlineMs: number, reason: string, traceparent?: string): void {
    this.flush = { requestId, deadlineMs, reason, atMs: Date.now(), traceparent };
    this.log(`flush requested (${reason}, request ${requestId}); stopping at the next batch boundary (phase ${this.phase}${this.currentRound !== undefined ? `, round ${this.currentRound}, ${this.processedThisRound} examples done` : ''})`);
    this.waitAbort.abort();
  }

  /** Runs until the run completes or a flush finishes. Throws ShardResidencyError / ConfigError at start. */
  async run(): Promise<TrainerResult> {
    if (!this.server) await this.start();
    try {
      const { config, data, model } = await this.prepare();
      await this.loop(config, data, model);
      return this.result(this.flush ? 'flushed' : 'complete');
    } catch (error) {
      // A flush while the aggregator is unreachable and nothing was trained yet: nothing to save.
      if (this.stopRequested && error instanceof AggregatorUnavailableError) return this.result('flushed');
      throw error;
    } finally {
      this.stopHeartbeat();
      this.phase = 'done';
      if (this.flush) {
        this.flushDone = true;
        this.flushedRequests.add(this.flush.requestId);
      }
    }
  }

  /** Stops the flush endpoint. */
  async close(): Promise<void> {
    this.stopHeartbeat();
    await this.server?.close();
  }

  private result(exit: TrainerExit): TrainerResult {
    return {
      exit,
      rounds: [...this.stats.rounds],
      examplesProcessed: this.stats.processed,
      examplesContributed: this.stats.contributed,
      examplesDiscarded: this.stats.discarded,
      examplesRedone: this.stats.redone,
      examplesDuplicated: this.stats.duplicated,
      ...(this.stats.partialRound !== undefined ? { partialRound: this.stats.partialRound } : {}),
    };
  }

  /** Retries an aggregator call while it is unreachable (bounded by the start timeout, or the flush deadline). */
  private async retrying<T>(what: string, call: () => Promise<T>, deadlineMs = Date.now() + (this.options.startTimeoutMs ?? 600_000)): Promise<T> {
    let logged = false;
    for (;;) {
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof AggregatorUnavailableError) || Date.now() >= deadlineMs || this.stopRequested) throw error;
        if (!logged) this.log(`${what}: aggregator unavailable (${describeError(error)}); retrying`);
        logged = true;
        await sleep(this.options.retryMs ?? 500);
      }
    }
  }

  private async prepare(): Promise<{ config: RunConfig; data: Dataset; model: tf.LayersModel }> {
    const { config } = await this.retrying('GET /config', () => this.client.config());
    if (this.options.shard !== undefined) this.checkResidency(shardConfig(config, this.options.shard));
    await this.register(config);
    const shard = shardConfig(config, this.shard);
    this.checkResidency(shard);
    const data = await loadShard(this.options.data, config, shard.id);
    this.options.onDataLoaded?.({ shard: shard.id, url: `${this.options.data.url}/${dataObjectName(shard.id)}`, examples: data.size });
    const model = buildModel(modelShape(config));
    this.log(`shard ${shard.id} (${shard.residency}): ${data.size} examples from ${this.options.data.url}; model ${modelSpecs(model).map((s) => s.name).join(', ')}`);
    return { config, data, model };
  }

  private checkResidency(shard: { id: string; residency: Residency }): void {
    if (!mayProcess(this.options.cloud, shard.residency)) {
      throw new ShardResidencyError(`shard ${shard.id} is pinned to ${shard.residency}; a trainer on ${this.options.cloud} refuses to process it`);
    }
  }

  /** The shard this trainer trains: configured, or assigned by the aggregator at the first registration. */
  private get shard(): string {
    const shard = this.assignedShard ?? this.options.shard;
    if (shard === undefined) throw new Error('the shard is known only after registration');
    return shard;
  }

  /** Registers (again), keeping the shard once known; waits while every shard has a trainer. */
  private async register(config: RunConfig): Promise<void> {
    const known = this.assignedShard ?? this.options.shard;
    const residency = known === undefined ? undefined : shardConfig(config, known).residency;
    let waiting = false;
    for (;;) {
      try {
        const reply = await this.retrying('POST /register', () =>
          this.client.register({
            clientId: this.options.clientId,
            cloud: this.options.cloud,
            ...(known === undefined ? {} : { shard: known, residency }),
            ...(this.options.instanceId ? { instanceId: this.options.instanceId } : {}),
            ...(this.options.nodeName ? { nodeName: this.options.nodeName } : {}),
          }),
        );
        this.assignedShard = reply.shard;
        this.options.onRegistered?.({ shard: reply.shard });
        this.log(`registered with ${this.options.aggregatorUrl} as ${this.options.clientId} (${this.options.cloud}, shard ${reply.shard}${known === undefined ? ', assigned' : ''}); open round ${reply.round}, epoch ${reply.epoch}${reply.submitted ? ' (already contributed to it)' : ''}`);
        return;
      } catch (error) {
        if (!(error instanceof AggregatorRejectedError && error.code === 'no-free-shard') || this.stopRequested) throw error;
        if (!waiting) this.log(`no shard needs a trainer yet: ${error.message}; asking again every ${this.options.shardWaitMs ?? 5000} ms`);
        waiting = true;
        await sleep(this.options.shardWaitMs ?? 5000);
      }
    }
  }

  private async loop(config: RunConfig, data: Dataset, model: tf.LayersModel): Promise<void> {
    let minRound = 0;
    for (;;) {
      if (this.flush) {
        await this.leaveQuietly(`flushed while ${this.phase}: no work in progress`);
        this.log(`flush durable: request ${this.flush.requestId} (${this.flush.reason}), nothing in progress, 0 examples, ${Date.now() - this.flush.atMs} ms after the request`);
        this.metrics.flushDurable(Date.now() - this.flush.atMs);
        this.options.onFlushDurable?.({ requestId: this.flush.requestId, reason: this.flush.reason, examples: 0, outcome: 'nothing in progress', ms: Date.now() - this.flush.atMs, traceparent: this.flush.traceparent });
        return;
      }
      this.phase = 'waiting';
      let fetched;
      try {
        fetched = await this.retrying('GET /model', () => this.client.fetchModel(this.options.clientId, minRound, this.options.waitMs ?? 20_000, this.waitAbort.signal));
      } catch (error) {
        if (this.stopRequested) continue;
        if (error instanceof AggregatorRejectedError && error.code === 'unregistered') {
          await this.register(config);
          continue;
        }
        throw error;
      }
      if (fetched.kind === 'done') {
        this.log('run complete');
        return;
      }
      if (fetched.kind === 'none') continue;
      const { header, weights } = fetched;
      this.phase = 'training';
      this.currentRound = header.round;
      this.processedThisRound = 0;
      this.startHeartbeat();
      const started = Date.now();
      let batchStarted = started;
      const result = await trainLocal({
        model,
        data,
        weights,
        fit: header.fit,
        seed: config.seed,
        shard: this.shard,
        round: header.round,
        shouldStop: () => this.stopRequested,
        onBatch: async (progress) => {
          this.processedThisRound = progress.processed;
          await this.options.onBatch?.({ ...progress, clientId: this.options.clientId });
          const rest = batchStarted + (this.options.minBatchMs ?? 0) - Date.now();
          if (rest > 0) await sleep(rest);
          batchStarted = Date.now();
        },
      });
      this.stopHeartbeat();
      this.stats.processed += result.examples;
      if (result.examples === 0) continue; // stopped before the first batch: nothing to contribute
      this.log(`round ${header.round}: trained ${result.examples} examples in ${Date.now() - started} ms${result.partial ? ' (partial: flushing)' : ''}, loss ${result.loss.toFixed(4)}`);
      this.phase = this.stopRequested ? 'flushing' : 'pushing';
      const trainedMs = Date.now() - started;
      const outcome = await this.push(config, header, result);
      this.metrics.trained(outcome, result.examples, trainedMs);
      this.log(`round ${header.round}: update ${outcome}`);
      const flush = this.activeFlush(); // set by the flush endpoint while we awaited
      if (flush) {
        // One line the local drill can parse for warningToDurableMs.
        this.log(`flush durable: request ${flush.requestId} (${flush.reason}), round ${header.round}, ${result.examples} examples${result.partial ? ' (partial)' : ''}, ${outcome}, ${Date.now() - flush.atMs} ms after the request`);
        this.metrics.flushDurable(Date.now() - flush.atMs);
        this.options.onFlushDurable?.({ requestId: flush.requestId, reason: flush.reason, round: header.round, examples: result.examples, outcome, ms: Date.now() - flush.atMs, traceparent: flush.traceparent });
      }
      switch (outcome) {
        case 'accepted':
        case 'duplicate':
        case 'stored':
          this.stats.contributed += result.examples;
          if (this.awaitingRedo?.round === header.round) {
            this.stats.redone += this.awaitingRedo.examples;
            this.metrics.redoneWork('stale-epoch', this.awaitingRedo.examples);
          }
          this.awaitingRedo = undefined;
          this.stats.rounds.push(header.round);
          if (result.partial) this.stats.partialRound = header.round;
          minRound = header.round + 1;
          break;
        case 'stale-epoch':
          this.stats.discarded += result.examples;
          this.awaitingRedo = { round: header.round, examples: (this.awaitingRedo?.round === header.round ? this.awaitingRedo.examples : 0) + result.examples };
          minRound = header.round; // the same round again, in the new epoch
          break;
        case 'shard-covered':
          this.stats.discarded += result.examples;
          this.stats.duplicated += result.examples;
          this.metrics.redoneWork('shard-covered', result.examples);
          minRound = header.round + 1;
          break;
        case 'stale-round':
        case 'lost':
          this.stats.discarded += result.examples;
          minRound = header.round + 1;
          break;
      }
      if (result.partial) return;
    }
  }

  private async push(config: RunConfig, header: ModelHeader, result: LocalTrainingResult): Promise<PushOutcome> {
    const payload = encodeWeights(result.weights);
    const meta: UpdateMeta = {
      version: 1,
      runId: header.runId,
      clientId: this.options.clientId,
      round: header.round,
      baseRound: header.baseRound,
      epoch: header.epoch,
      examples: result.examples,
      partial: result.partial,
      cloud: this.options.cloud,
      shard: this.shard,
      weights: header.weights,
      sha256: sha256Hex(payload),
      ...(Number.isFinite(result.loss) ? { loss: result.loss } : {}),
      createdAt: new Date().toISOString(),
    };
    let logged = false;
    for (;;) {
      try {
        await this.client.pushUpdate(meta, payload);
        return 'accepted';
      } catch (error) {
        if (error instanceof AggregatorRejectedError) {
          switch (error.code) {
            case 'duplicate':
              return 'duplicate';
            case 'unregistered':
              await this.register(config);
              continue;
            case 'stale-epoch':
            case 'future-epoch':
              this.log(`round ${header.round}: ${error.message}`);
              return 'stale-epoch';
            case 'shard-covered':
              this.log(`round ${header.round}: ${error.message}`);
              return 'shard-covered';
            case 'stale-round':
            case 'future-round':
            case 'round-closed':
            case 'wrong-base':
            case 'run-complete':
              this.log(`round ${header.round}: ${error.message}`);
              return 'stale-round';
            default:
              throw error; // a malformed update is a bug: fail loudly
          }
        }
        if (!(error instanceof AggregatorUnavailableError)) throw error;
        if (!logged) this.log(`round ${header.round}: push failed (${describeError(error)}); retrying`);
        logged = true;
        const flush = this.flush;
        if (flush) {
          const remaining = flush.deadlineMs - Date.now();
          const reserve = this.options.blobReserveMs ?? 15_000;
          if (this.options.store && remaining <= reserve) return this.storeInBlob(meta, payload);
          if (remaining <= 0) {
            this.log(`round ${header.round}: flush deadline passed with the aggregator unreachable and no Blob store: ${result.examples} examples lost`);
            return 'lost';
          }
        }
        await sleep(this.options.retryMs ?? 500);
      }
    }
  }

  private async storeInBlob(meta: UpdateMeta, payload: Buffer): Promise<PushOutcome> {
    const store = this.options.store!;
    try {
      const outcome = await storeUpdate(store, meta, payload);
      this.log(`round ${meta.round}: aggregator unreachable; update ${outcome === 'stored' ? 'stored' : 'was already'} in ${store.description} for the aggregator to pick up`);
      return 'stored';
    } catch (error) {
      this.log(`round ${meta.round}: could not store the update in Blob either (${describeError(error)}): ${meta.examples} examples lost`);
      return 'lost';
    }
  }

  private async leaveQuietly(reason: string): Promise<void> {
    try {
      await this.client.leave(this.options.clientId, reason);
    } catch (error) {
      this.log(`leave: ${describeError(error)}`);
    }
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeatTimer = setInterval(() => {
      this.client.heartbeat(this.options.clientId, this.currentRound, this.processedThisRound).catch(() => undefined);
    }, this.options.heartbeatMs ?? 5000);
    this.heartbeatTimer.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }
}
