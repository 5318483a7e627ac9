/**
 * The aggregator's link to the failover brain, both ways:
 * - what it reads of the brain's state/<runId>.json: the epoch it fences updates by, Azure's cover, and the open
 *   incident's trace (resume.ts `readBrainView`);
 * - what it tells the brain: AWS silence and capacity (silence.ts), Azure silence (azure-silence.ts) and the run's
 *   completion, each queued in the outbox (signal-outbox.ts), which resends until the brain has it.
 * The aggregator keeps the rounds and the trainers; each tick it hands this link the trainers as they are now.
 */
import { blobPaths } from '../../protocol/blob-layout';
import type { Signal } from '../../protocol/signal';
import { describeError } from '../errors';
import type { CheckpointStore } from '../store/checkpoint-store';
import { AzureSilenceMonitor, azureSilentSignal, type AzureCover } from './azure-silence';
import type { SignalSender } from './brain';
import { readBrainView } from './resume';
import { SignalOutbox, type SignalOutboxOptions } from './signal-outbox';
import { AwsSilenceMonitor, runCompleteSignal, silenceSignal, type SilenceTransition } from './silence';

export interface BrainLinkOptions {
  readonly runId: string;
  readonly store: CheckpointStore;
  readonly now: () => number;
  readonly log: (line: string) => void;
  /** How long AWS (or, under Azure's cover, Azure) may go unheard before it counts as silent. */
  readonly silenceTimeoutMs: number;
  /** Live AWS trainers the brain keeps covered; below it after reaching it, `capacity-lost`. */
  readonly minAwsTrainers?: number | undefined;
  /** How often tick() reads the brain's state; 0 turns the periodic read off. */
  readonly statePollMs: number;
  /** Where signals go; none are sent without one. */
  readonly signals?: SignalSender | undefined;
  readonly signalRetry?: Pick<SignalOutboxOptions, 'retryMs' | 'maxRetryMs'> | undefined;
  /** A signal was queued (the aggregator counts and announces it). */
  readonly onSignal: (signal: Signal) => void;
  /** The aggregator's epoch now, and what to do when the brain's is newer. */
  readonly currentEpoch: () => number;
  readonly onEpoch: (epoch: number) => void;
}

/** The trainers as one tick sees them. */
export interface TrainersNow {
  /** The run is complete: nobody reporting is no outage. */
  readonly done: boolean;
  readonly reportingAws: number;
  readonly reportingAzure: number;
  /** Instances of the AWS trainers gone quiet (a `capacity-lost` names them). */
  lostAwsInstances(): readonly string[];
}


export class BrainLink {
  private readonly awsSilence: AwsSilenceMonitor;
  private readonly azureSilence: AzureSilenceMonitor;
  private readonly outbox: SignalOutbox | undefined;
  /** Azure's cover as the brain's state last said. */
  private azureCover: AzureCover = { phase: undefined, desiredAzureNodes: 0 };
  private incidentTrace: string | undefined;
  private lastPollMs = 0;

  constructor(private readonly options: BrainLinkOptions) {
    this.awsSilence = new AwsSilenceMonitor(options.silenceTimeoutMs);
    this.azureSilence = new AzureSilenceMonitor(options.silenceTimeoutMs);
    if (options.signals) this.outbox = new SignalOutbox(options.signals, options.now, { ...options.signalRetry, log: options.log });
  }

  /** The brain's open incident's trace, as last read (incident-trace.ts). */
  get incidentTraceparent(): string | undefined {
    return this.incidentTrace;
  }

  get lastAwsReportMs(): number | undefined {
    return this.awsSilence.lastAwsReportMs;
  }

  get awsSilent(): boolean {
    return this.awsSilence.isSilent;
  }

  /** An AWS trainer was heard at `ms`; after a silence, that is `aws-recovered`. */
  awsReported(ms: number): void {
    const transition = this.awsSilence.report(ms);
    if (transition) this.signal(transition);
  }

  /** Reads the brain's state now when `force`d, or if periodic reads are on; a failed read is logged and skipped. */
  async poll(force = false): Promise<void> {
    if (this.options.statePollMs <= 0 && !force) return;
    try {
      const brain = await readBrainView(this.options.store, this.options.runId);
      if (brain === undefined) return;
      this.azureCover = { phase: brain.phase, desiredAzureNodes: brain.desiredAzureNodes };
      this.incidentTrace = brain.incidentTraceparent;
      if (brain.epoch > this.options.currentEpoch()) this.options.onEpoch(brain.epoch);
    } catch (error) {
      this.options.log(`could not read ${blobPaths.state(this.options.runId)}: ${describeError(error)}`);
    }
  }

  /** One tick: silence and capacity transitions, resends, and the brain's state when its period is up. */
  tick(nowMs: number, trainers: TrainersNow): Promise<unknown>[] {
    const work: Promise<unknown>[] = [];
    const transition = trainers.done ? undefined : this.awsSilence.evaluate(nowMs);
    if (transition) this.signal(transition);
    const { minAwsTrainers, statePollMs } = this.options;
    if (minAwsTrainers !== undefined && !trainers.done) {
      const change = this.awsSilence.capacity(trainers.reportingAws, minAwsTrainers);
      if (change) this.signal(change, change === 'capacity-lost' ? trainers.lostAwsInstances() : []);
    }
    const quietSince = trainers.done ? undefined : this.azureSilence.observe(this.azureCover, trainers.reportingAzure, nowMs);
    if (quietSince !== undefined) {
      this.send(azureSilentSignal(this.options.runId, quietSince, nowMs), `no Azure trainer reported for ${Math.round((nowMs - quietSince) / 1000)} s while Azure covers`);
    }
    if (this.outbox) work.push(this.outbox.tick());
    if (statePollMs > 0 && nowMs - this.lastPollMs >= statePollMs) {
      this.lastPollMs = nowMs;
      work.push(this.poll());
    }
    return work;
  }

  /** The run is complete after `rounds`: the brain releases any Azure capacity. */
  runComplete(rounds: number): void {
    const { runId, now } = this.options;
    this.send(runCompleteSignal(runId, now()), `run ${runId} complete after ${rounds} rounds (the brain releases any Azure capacity)`);
  }

  /** Waits for the send in flight, if any. */
  async drain(): Promise<void> {
    await this.outbox?.drain();
  }

  private signal(type: SilenceTransition, instanceIds: readonly string[] = []): void {
    const nowMs = this.options.now();
    const last = this.awsSilence.lastAwsReportMs ?? nowMs;
    const why = { 'aws-silent': `no AWS trainer reported for ${Math.round((nowMs - last) / 1000)} s`, 'aws-recovered': 'AWS trainers report again', 'capacity-lost': `AWS is below its ${this.options.minAwsTrainers} trainers` }[type];
    this.send(silenceSignal(type, this.options.runId, last, nowMs, instanceIds), why);
  }

  /** Logs why, announces and queues a signal for the brain (the outbox resends it until delivered). */
  private send(signal: Signal, why: string): void {
    this.options.log(`${why}: signalling ${signal.type}`);
    this.options.onSignal(signal);
    void this.outbox?.submit(signal);
  }
}
