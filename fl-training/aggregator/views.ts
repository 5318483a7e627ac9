/**
 * What the aggregator shows of itself: status.json (protocol/run-status.ts, which the brain reads to size failovers)
 * and the gauges of GET /metrics (metrics.ts), both from one snapshot of its state. Pure: no clock, no store.
 */
import { RunStatusSchema, type NodeUsageSeconds, type RunStatus } from '../../protocol/run-status';
import { mayProcess, type RunConfig } from '../config';
import type { AggregatorGauge } from './metrics';
import { quorumNeed, type RoundProgress } from './quorum';
import type { TrainerRecord } from './trainer-registry';

/** The aggregator's state at one instant, as the views need it. */
export interface AggregatorSnapshot {
  readonly runId: string;
  readonly config: RunConfig;
  readonly nowMs: number;
  /** The last committed round, and the test metrics of its model. */
  readonly round: number;
  readonly metrics: { readonly loss?: number | undefined; readonly accuracy?: number | undefined };
  readonly openRound: number;
  /** When the open round opened (the last commit, or the aggregator's start). */
  readonly openRoundSinceMs: number;
  readonly epoch: number;
  /** Known trainers, by client id, and the live ones per cloud. */
  readonly trainers: readonly TrainerRecord[];
  readonly reporting: { readonly aws: number; readonly azure: number };
  readonly awsLastReportMs: number | undefined;
  readonly awsSilent: boolean;
  readonly progress: Pick<RoundProgress, 'submitted' | 'outstanding'>;
  readonly lastCheckpointMs: number | undefined;
  /** When the run started: restored from status.json, else when this aggregator first opened it. */
  readonly startedAtMs: number;
  /** GPU node seconds per node since the run started (usage-meter.ts). */
  readonly usage: readonly NodeUsageSeconds[];
}

/** The run as status.json describes it (validated against its schema). */
export function runStatus(s: AggregatorSnapshot): RunStatus {
  const { loss, accuracy } = s.metrics;
  return RunStatusSchema.parse({
    version: 1,
    runId: s.runId,
    round: s.round,
    epoch: s.epoch,
    updatedAt: new Date(s.nowMs).toISOString(),
    trainers: s.trainers.map((t) => ({
      clientId: t.clientId,
      cloud: t.cloud,
      shard: t.shard,
      residency: t.residency,
      ...(t.instanceId ? { instanceId: t.instanceId } : {}),
      ...(t.nodeName ? { nodeName: t.nodeName } : {}),
      lastSeenAt: new Date(t.lastSeenMs).toISOString(),
      ...(t.lastRound !== undefined ? { lastRound: t.lastRound } : {}),
    })),
    shards: s.config.shards.map((shard) => ({ shard: shard.id, residency: shard.residency, movableToAzure: mayProcess('azure', shard.residency) })),
    reporting: s.reporting,
    ...(s.awsLastReportMs !== undefined ? { awsLastReportAt: new Date(s.awsLastReportMs).toISOString() } : {}),
    ...(loss !== undefined || accuracy !== undefined ? { metrics: { ...(loss !== undefined ? { loss } : {}), ...(accuracy !== undefined ? { accuracy } : {}) } } : {}),
    schedule: {
      rounds: s.config.rounds,
      startedAt: new Date(s.startedAtMs).toISOString(),
      ...(s.config.deadlineMs !== undefined ? { deadlineAt: new Date(s.startedAtMs + s.config.deadlineMs).toISOString() } : {}),
    },
    ...(s.usage.length > 0 ? { usage: [...s.usage] } : {}),
  } satisfies RunStatus);
}

/** One gauge's value: a number, labelled samples, or nothing to show yet. */
export type GaugeReading = number | undefined | ReadonlyArray<{ readonly labels: Readonly<Record<string, string>>; readonly value: number }>;

/** What each gauge of GET /metrics shows (metrics.ts names them). */
export function gaugeReadings(s: AggregatorSnapshot): Readonly<Record<AggregatorGauge, GaugeReading>> {
  return {
    round: s.round,
    openRound: s.openRound,
    roundsPlanned: s.config.rounds,
    epoch: s.epoch,
    roundUpdates: s.progress.submitted,
    roundOutstanding: s.progress.outstanding,
    roundQuorum: quorumNeed(s.progress, s.config.quorum),
    roundOpenedSeconds: s.openRoundSinceMs / 1000,
    roundDeadlineSeconds: s.config.roundDeadlineMs / 1000,
    trainersReporting: (['aws', 'azure'] as const).map((cloud) => ({ labels: { cloud }, value: s.reporting[cloud] })),
    awsSilent: s.awsSilent ? 1 : 0,
    awsLastReportSeconds: s.awsLastReportMs === undefined ? undefined : s.awsLastReportMs / 1000,
    checkpointWriteMilliseconds: s.lastCheckpointMs,
    globalLoss: s.metrics.loss,
    globalAccuracy: s.metrics.accuracy,
  };
}
