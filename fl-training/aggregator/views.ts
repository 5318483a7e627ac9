/**
 * What the aggregator shows of itself: status.json (protocol/run-status.ts, which the brain reads to size failovers)
 * and the Prometheus text of GET /metrics, both from one snapshot of its state. Pure: no clock, no store.
 */
import { RunStatusSchema, type RunStatus } from '../../protocol/run-status';
import { mayProcess, type RunConfig } from '../config';
import { renderMetrics } from './metrics';
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
  readonly epoch: number;
  /** Known trainers, by client id, and the live ones per cloud. */
  readonly trainers: readonly TrainerRecord[];
  readonly reporting: { readonly aws: number; readonly azure: number };
  readonly awsLastReportMs: number | undefined;
  readonly awsSilent: boolean;
  readonly progress: Pick<RoundProgress, 'submitted' | 'outstanding'>;
  readonly counters: {
    readonly accepted: number;
    readonly examples: number;
    readonly partial: number;
    readonly rejected: ReadonlyMap<string, number>;
    readonly signals: ReadonlyMap<string, number>;
  };
  readonly lastCheckpointMs: number | undefined;
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
  } satisfies RunStatus);
}

/** Prometheus text for GET /metrics. */
export function runMetrics(s: AggregatorSnapshot): string {
  const gauge = (name: string, help: string, value: number | undefined) => ({ name, help, type: 'gauge' as const, samples: value === undefined ? [] : [{ value }] });
  const counter = (name: string, help: string, value: number) => ({ name, help, type: 'counter' as const, samples: [{ value }] });
  return renderMetrics([
    gauge('spoton_fl_round', 'Last committed round.', s.round),
    gauge('spoton_fl_open_round', 'Round being trained.', s.openRound),
    gauge('spoton_fl_rounds_total', 'Rounds the run trains.', s.config.rounds),
    gauge('spoton_fl_epoch', 'Current failover epoch.', s.epoch),
    gauge('spoton_fl_round_updates', 'Updates accepted in the open round.', s.progress.submitted),
    gauge('spoton_fl_round_outstanding', 'Live trainers without an update in the open round.', s.progress.outstanding),
    gauge('spoton_fl_round_quorum', 'Updates needed once the deadline has passed.', quorumNeed(s.progress, s.config.quorum)),
    { name: 'spoton_fl_trainers_reporting', help: 'Live trainers per cloud.', type: 'gauge', samples: (['aws', 'azure'] as const).map((cloud) => ({ labels: { cloud }, value: s.reporting[cloud] })) },
    gauge('spoton_fl_aws_silent', '1 while AWS trainers are considered silent.', s.awsSilent ? 1 : 0),
    gauge('spoton_fl_aws_last_report_seconds', 'Unix time an AWS trainer last reported.', s.awsLastReportMs === undefined ? undefined : s.awsLastReportMs / 1000),
    counter('spoton_fl_updates_accepted_total', 'Updates accepted.', s.counters.accepted),
    counter('spoton_fl_partial_updates_total', 'Partial (flushed) updates accepted.', s.counters.partial),
    counter('spoton_fl_examples_total', 'Examples behind accepted updates.', s.counters.examples),
    { name: 'spoton_fl_updates_rejected_total', help: 'Updates and requests rejected, by reason.', type: 'counter', samples: [...s.counters.rejected].map(([reason, value]) => ({ labels: { reason }, value })) },
    { name: 'spoton_fl_signals_total', help: 'Signals raised to the failover brain, by type.', type: 'counter', samples: [...s.counters.signals].map(([type, value]) => ({ labels: { type }, value })) },
    gauge('spoton_fl_checkpoint_write_milliseconds', 'Duration of the last checkpoint write.', s.lastCheckpointMs),
    gauge('spoton_fl_global_loss', 'Test loss of the last committed model.', s.metrics.loss),
    gauge('spoton_fl_global_accuracy', 'Test accuracy of the last committed model.', s.metrics.accuracy),
  ]);
}
