/** What a trainer is given (TrainerOptions) and what it reports when it stops (TrainerResult). */
import type { Cloud } from '../../protocol/run-status';
import type { KeyRing } from '../../protocol/keys';
import type { DataStore } from '../data/data-store';
import type { CheckpointStore } from '../store/checkpoint-store';
import type { BatchProgress } from '../task/train';

export interface TrainerOptions {
  readonly aggregatorUrl: string;
  readonly clientId: string;
  readonly cloud: Cloud;
  /** The data shard; absent, the aggregator assigns one at registration (the alike pods of a scaled Deployment). */
  readonly shard?: string;
  readonly instanceId?: string;
  readonly nodeName?: string;
  /** The trainer ring signs every request to the aggregator; the flush ring (AWS) verifies POST /checkpoint. */
  readonly keys: { readonly trainer: KeyRing; readonly flush?: KeyRing };
  /** Port of the flush endpoint; 0 picks one. @default 0 */
  readonly port?: number;
  readonly host?: string;
  /** Where a flushed update goes when the aggregator cannot be reached. */
  readonly store?: CheckpointStore;
  /** This cloud's training data: the trainer reads its own shard from it, and nothing else. */
  readonly data: DataStore;
  readonly log?: (line: string) => void;
  /** Long-poll length for the next round. @default 20000 */
  readonly waitMs?: number;
  /** Pause between retries while the aggregator is unreachable. @default 500 */
  readonly retryMs?: number;
  /** Pause between registrations while every shard has a trainer (no-free-shard). @default 5000 */
  readonly shardWaitMs?: number;
  /** Give up starting when the aggregator stays unreachable this long. @default 600000 */
  readonly startTimeoutMs?: number;
  /** Liveness reports while training. @default 5000 */
  readonly heartbeatMs?: number;
  /** Time kept before a flush deadline for the Blob fallback. @default 15000 */
  readonly blobReserveMs?: number;
  /** How long SIGTERM allows for the flush (Kubernetes' grace period minus a margin). @default 25000 */
  readonly sigtermGraceMs?: number;
  /** Per-request timeout. @default 30000 */
  readonly requestTimeoutMs?: number;
  /** Called after each registration with the shard it trains (configured or assigned). */
  readonly onRegistered?: (registration: { shard: string }) => void;
  /** Called once the shard's examples are read, with the object they came from. */
  readonly onDataLoaded?: (loaded: { shard: string; url: string; examples: number }) => void;
  /** Called once a flush's work is durable (accepted, stored in Blob, or nothing was in progress). */
  readonly onFlushDurable?: (flush: FlushDurable) => void;
  /**
   * Each local batch takes at least this long: the local drill paces its tiny model to stand for GPU training
   * time on its compressed clock. @default 0 (as fast as the device goes)
   */
  readonly minBatchMs?: number;
  /** Called after every local batch (progress, tests). */
  readonly onBatch?: (progress: BatchProgress & { clientId: string }) => void | Promise<void>;
}

export type TrainerExit = 'complete' | 'flushed';

/** A flush whose work is durable: what the local drill measures warningToDurableMs with. */
export interface FlushDurable {
  readonly requestId: string;
  readonly reason: string;
  readonly round?: number;
  readonly examples: number;
  readonly outcome: string;
  /** From the flush request's arrival to durability. */
  readonly ms: number;
  /** The trace context the flush request came with (protocol/tracing.ts). */
  readonly traceparent?: string | undefined;
}

export interface TrainerResult {
  readonly exit: TrainerExit;
  /** Rounds this trainer contributed to. */
  readonly rounds: number[];
  /** Examples it trained on, over all rounds and attempts. */
  readonly examplesProcessed: number;
  /** Examples in updates the aggregator accepted (or that were stored in Blob). */
  readonly examplesContributed: number;
  /** Examples of work refused as stale (round committed without it, or epoch changed): redone or lost. */
  readonly examplesDiscarded: number;
  /** Of those, examples refused for a stale epoch and trained again in the same round under the new epoch. */
  readonly examplesRedone: number;
  /**
   * Of those, examples refused because another trainer's update for the same shard and round counted (a shard
   * handed over mid-round): the data is in the model once, the compute was spent twice.
   */
  readonly examplesDuplicated: number;
  /** Round of the partial update, when it flushed mid-round. */
  readonly partialRound?: number;
}
