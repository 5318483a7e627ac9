/** The Prometheus metrics of the aggregator and the trainer (prom-client registries), as a scraper reads them. */
import { AGGREGATOR_COUNTERS, AGGREGATOR_GAUGES, AggregatorMetrics, METRICS_CONTENT_TYPE } from '../../../fl-training/aggregator/metrics';
import type { AggregatorSnapshot } from '../../../fl-training/aggregator/views';
import { parseRunConfig } from '../../../fl-training/config';
import { TRAINER_METRICS, TrainerMetrics } from '../../../fl-training/trainer/metrics';

const config = parseRunConfig({ task: 'blobs', runId: 'metrics-run', rounds: 5, evaluate: false, quorum: { minTrainers: 2, fraction: 0.5 } });

const snapshot: AggregatorSnapshot = {
  runId: 'metrics-run',
  config,
  nowMs: Date.UTC(2025, 0, 1),
  round: 2,
  metrics: { accuracy: 0.875 },
  openRound: 3,
  openRoundSinceMs: 1_735_689_540_000,
  epoch: 4,
  trainers: [],
  reporting: { aws: 1, azure: 2 },
  awsLastReportMs: 1_735_689_600_500,
  awsSilent: false,
  progress: { submitted: 1, outstanding: 2 },
  lastCheckpointMs: undefined,
  startedAtMs: 0,
  usage: [],
};

describe('aggregator metrics', () => {
  it('serves every gauge from one snapshot per scrape and counts accepted, rejected and signalled', async () => {
    let snapshots = 0;
    const metrics = new AggregatorMetrics(() => {
      snapshots++;
      return snapshot;
    });
    metrics.updateAccepted({ examples: 200, partial: false });
    metrics.updateAccepted({ examples: 64, partial: true });
    metrics.rejected('stale-epoch');
    metrics.rejected('stale-epoch');
    metrics.rejected('shard-covered');
    metrics.signalled('aws-silent');
    expect(await metrics.text()).toBe(
      [
        '# HELP spoton_fl_round Last committed round.\n# TYPE spoton_fl_round gauge\nspoton_fl_round 2',
        '# HELP spoton_fl_open_round Round being trained.\n# TYPE spoton_fl_open_round gauge\nspoton_fl_open_round 3',
        '# HELP spoton_fl_rounds_total Rounds the run trains.\n# TYPE spoton_fl_rounds_total gauge\nspoton_fl_rounds_total 5',
        '# HELP spoton_fl_epoch Current failover epoch.\n# TYPE spoton_fl_epoch gauge\nspoton_fl_epoch 4',
        '# HELP spoton_fl_round_updates Updates accepted in the open round.\n# TYPE spoton_fl_round_updates gauge\nspoton_fl_round_updates 1',
        '# HELP spoton_fl_round_outstanding Live trainers without an update in the open round.\n# TYPE spoton_fl_round_outstanding gauge\nspoton_fl_round_outstanding 2',
        '# HELP spoton_fl_round_quorum Updates needed once the deadline has passed.\n# TYPE spoton_fl_round_quorum gauge\nspoton_fl_round_quorum 2',
        '# HELP spoton_fl_round_opened_seconds Unix time the open round opened (the last commit, or the aggregator start).\n# TYPE spoton_fl_round_opened_seconds gauge\nspoton_fl_round_opened_seconds 1735689540',
        '# HELP spoton_fl_round_deadline_seconds Seconds after which a round commits with a quorum instead of waiting for all.\n# TYPE spoton_fl_round_deadline_seconds gauge\nspoton_fl_round_deadline_seconds 60',
        '# HELP spoton_fl_trainers_reporting Live trainers per cloud.\n# TYPE spoton_fl_trainers_reporting gauge\nspoton_fl_trainers_reporting{cloud="aws"} 1\nspoton_fl_trainers_reporting{cloud="azure"} 2',
        '# HELP spoton_fl_aws_silent 1 while AWS trainers are considered silent.\n# TYPE spoton_fl_aws_silent gauge\nspoton_fl_aws_silent 0',
        '# HELP spoton_fl_aws_last_report_seconds Unix time an AWS trainer last reported.\n# TYPE spoton_fl_aws_last_report_seconds gauge\nspoton_fl_aws_last_report_seconds 1735689600.5',
        // no checkpoint written yet, no loss measured: no sample rather than a made-up 0
        '# HELP spoton_fl_checkpoint_write_milliseconds Duration of the last checkpoint write.\n# TYPE spoton_fl_checkpoint_write_milliseconds gauge',
        '# HELP spoton_fl_global_loss Test loss of the last committed model.\n# TYPE spoton_fl_global_loss gauge',
        '# HELP spoton_fl_global_accuracy Test accuracy of the last committed model.\n# TYPE spoton_fl_global_accuracy gauge\nspoton_fl_global_accuracy 0.875',
        '# HELP spoton_fl_updates_accepted_total Updates accepted.\n# TYPE spoton_fl_updates_accepted_total counter\nspoton_fl_updates_accepted_total 2',
        '# HELP spoton_fl_partial_updates_total Partial (flushed) updates accepted.\n# TYPE spoton_fl_partial_updates_total counter\nspoton_fl_partial_updates_total 1',
        '# HELP spoton_fl_examples_total Examples behind accepted updates.\n# TYPE spoton_fl_examples_total counter\nspoton_fl_examples_total 264',
        '# HELP spoton_fl_updates_rejected_total Updates and requests rejected, by reason.\n# TYPE spoton_fl_updates_rejected_total counter\nspoton_fl_updates_rejected_total{reason="stale-epoch"} 2\nspoton_fl_updates_rejected_total{reason="shard-covered"} 1',
        '# HELP spoton_fl_signals_total Signals raised to the failover brain, by type.\n# TYPE spoton_fl_signals_total counter\nspoton_fl_signals_total{type="aws-silent"} 1\n',
      ].join('\n\n'),
    );
    expect(snapshots).toBe(1);
    await metrics.text();
    expect(snapshots).toBe(2);
    expect(METRICS_CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('keeps each aggregator apart: a registry of its own, not the global one', async () => {
    const first = new AggregatorMetrics(() => snapshot);
    const second = new AggregatorMetrics(() => snapshot);
    first.signalled('aws-silent');
    expect(first.registry).not.toBe(second.registry);
    expect((await second.registry.getSingleMetric('spoton_fl_signals_total')?.get())?.values).toStrictEqual([]);
  });
});

describe('trainer metrics', () => {
  it('counts training by outcome, redone work, flush requests and flush latency, each series labelled with the cloud', async () => {
    const metrics = new TrainerMetrics('aws');
    metrics.trained('accepted', 1000, 2500);
    metrics.trained('stale-epoch', 300, 500);
    metrics.redoneWork('stale-epoch', 300);
    metrics.flushRequested('checkpoint', 'started');
    metrics.flushRequested('signal', 'in-progress');
    metrics.flushDurable(1800);
    const metricsJson = await metrics.registry.getMetricsAsJSON();
    expect(metricsJson.flatMap((metric) => metric.values.filter((v) => v.labels.cloud !== 'aws'))).toStrictEqual([]);
    const values = Object.fromEntries(
      metricsJson.map((metric) => [
        metric.name,
        // one histogram bucket stands for the others
        metric.values.filter((v) => !('le' in v.labels) || v.labels.le === 2.5).map(({ labels: { cloud: _cloud, ...labels }, value, ...rest }) => [(rest as { metricName?: string }).metricName ?? metric.name, labels, value]),
      ]),
    );
    expect(values).toStrictEqual({
      spoton_fl_trainer_rounds_trained_total: [
        ['spoton_fl_trainer_rounds_trained_total', { outcome: 'accepted' }, 1],
        ['spoton_fl_trainer_rounds_trained_total', { outcome: 'stale-epoch' }, 1],
      ],
      spoton_fl_trainer_examples_trained_total: [
        ['spoton_fl_trainer_examples_trained_total', { outcome: 'accepted' }, 1000],
        ['spoton_fl_trainer_examples_trained_total', { outcome: 'stale-epoch' }, 300],
      ],
      spoton_fl_trainer_training_seconds_total: [['spoton_fl_trainer_training_seconds_total', {}, 3]],
      spoton_fl_trainer_examples_redone_total: [['spoton_fl_trainer_examples_redone_total', { reason: 'stale-epoch' }, 300]],
      spoton_fl_trainer_flush_requests_total: [
        ['spoton_fl_trainer_flush_requests_total', { source: 'checkpoint', outcome: 'started' }, 1],
        ['spoton_fl_trainer_flush_requests_total', { source: 'signal', outcome: 'in-progress' }, 1],
      ],
      spoton_fl_trainer_flush_seconds: [
        ['spoton_fl_trainer_flush_seconds_bucket', { le: 2.5 }, 1],
        ['spoton_fl_trainer_flush_seconds_sum', {}, 1.8],
        ['spoton_fl_trainer_flush_seconds_count', {}, 1],
      ],
    });
    expect(await metrics.registry.metrics()).toContain('spoton_fl_trainer_flush_requests_total{source="checkpoint",outcome="started",cloud="aws"} 1\n');
  });
});

describe('metric names', () => {
  it('are all under spoton_fl_, the trainer\'s under spoton_fl_trainer_, and no name is defined twice', () => {
    const aggregator = [...Object.values(AGGREGATOR_GAUGES), ...Object.values(AGGREGATOR_COUNTERS)].map((m) => m.name);
    const trainer = Object.values(TRAINER_METRICS).map((m) => m.name);
    expect(aggregator.filter((name) => !name.startsWith('spoton_fl_') || name.startsWith('spoton_fl_trainer_'))).toStrictEqual([]);
    expect(trainer.filter((name) => !name.startsWith('spoton_fl_trainer_'))).toStrictEqual([]);
    expect(new Set([...aggregator, ...trainer]).size).toBe(aggregator.length + trainer.length);
  });
});
