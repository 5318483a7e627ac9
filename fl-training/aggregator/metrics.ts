/**
 * The aggregator's Prometheus metrics (GET /metrics), on prom-client: one Registry per aggregator (never the global
 * default one, so two aggregators in one process, as in the tests, keep apart), gauges that read one snapshot of its
 * state when scraped (views.ts says what each shows) and counters it increments as things happen. Each name is
 * defined here once; dashboards (observability/grafana/spot-on.json) and alerts query them, so a rename breaks them.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { gaugeReadings, type AggregatorSnapshot, type GaugeReading } from './views';

/** The content type of GET /metrics (Prometheus text format 0.0.4). */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

export interface MetricDefinition {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
}

/** Gauges, in the order GET /metrics lists them; each reads the snapshot (views.ts gaugeReadings). */
export const AGGREGATOR_GAUGES = {
  round: { name: 'spoton_fl_round', help: 'Last committed round.' },
  openRound: { name: 'spoton_fl_open_round', help: 'Round being trained.' },
  // A gauge despite its suffix: the name predates prom-client and dashboards read it.
  roundsPlanned: { name: 'spoton_fl_rounds_total', help: 'Rounds the run trains.' },
  epoch: { name: 'spoton_fl_epoch', help: 'Current failover epoch.' },
  roundUpdates: { name: 'spoton_fl_round_updates', help: 'Updates accepted in the open round.' },
  roundOutstanding: { name: 'spoton_fl_round_outstanding', help: 'Live trainers without an update in the open round.' },
  roundQuorum: { name: 'spoton_fl_round_quorum', help: 'Updates needed once the deadline has passed.' },
  roundOpenedSeconds: { name: 'spoton_fl_round_opened_seconds', help: 'Unix time the open round opened (the last commit, or the aggregator start).' },
  roundDeadlineSeconds: { name: 'spoton_fl_round_deadline_seconds', help: 'Seconds after which a round commits with a quorum instead of waiting for all.' },
  trainersReporting: { name: 'spoton_fl_trainers_reporting', help: 'Live trainers per cloud.', labelNames: ['cloud'] },
  awsSilent: { name: 'spoton_fl_aws_silent', help: '1 while AWS trainers are considered silent.' },
  awsLastReportSeconds: { name: 'spoton_fl_aws_last_report_seconds', help: 'Unix time an AWS trainer last reported.' },
  checkpointWriteMilliseconds: { name: 'spoton_fl_checkpoint_write_milliseconds', help: 'Duration of the last checkpoint write.' },
  globalLoss: { name: 'spoton_fl_global_loss', help: 'Test loss of the last committed model.' },
  globalAccuracy: { name: 'spoton_fl_global_accuracy', help: 'Test accuracy of the last committed model.' },
} as const satisfies Record<string, MetricDefinition>;

export type AggregatorGauge = keyof typeof AGGREGATOR_GAUGES;

/** Counters, incremented by the aggregator as it accepts, rejects and signals. */
export const AGGREGATOR_COUNTERS = {
  updatesAccepted: { name: 'spoton_fl_updates_accepted_total', help: 'Updates accepted.' },
  partialUpdates: { name: 'spoton_fl_partial_updates_total', help: 'Partial (flushed) updates accepted.' },
  examples: { name: 'spoton_fl_examples_total', help: 'Examples behind accepted updates.' },
  updatesRejected: { name: 'spoton_fl_updates_rejected_total', help: 'Updates and requests rejected, by reason.', labelNames: ['reason'] },
  signals: { name: 'spoton_fl_signals_total', help: 'Signals raised to the failover brain, by type.', labelNames: ['type'] },
} as const satisfies Record<string, MetricDefinition>;

/** Sets a gauge to a reading; an absent reading leaves no sample (no data, rather than a made-up 0). */
function show(gauge: Gauge, reading: GaugeReading): void {
  gauge.reset();
  if (reading === undefined) gauge.remove();
  else if (typeof reading === 'number') gauge.set(reading);
  else for (const { labels, value } of reading) gauge.set(labels, value);
}

/** One aggregator's metrics: its registry, and the events that move its counters. */
export class AggregatorMetrics {
  readonly registry = new Registry();
  private readonly accepted: Counter;
  private readonly partial: Counter;
  private readonly examples: Counter;
  private readonly rejections: Counter<'reason'>;
  private readonly signals: Counter<'type'>;
  private readings: ReturnType<typeof gaugeReadings> | undefined;

  /** `snapshot` is taken once per scrape, so the gauges of one scrape agree with each other. */
  constructor(snapshot: () => AggregatorSnapshot) {
    const registers = [this.registry];
    const read = () => {
      if (!this.readings) {
        this.readings = gaugeReadings(snapshot());
        // A scrape collects every gauge in one synchronous pass; the next one takes a new snapshot.
        queueMicrotask(() => (this.readings = undefined));
      }
      return this.readings;
    };
    for (const [key, definition] of Object.entries(AGGREGATOR_GAUGES) as [AggregatorGauge, MetricDefinition][]) {
      new Gauge({ ...definition, labelNames: definition.labelNames ?? [], registers, collect: function (this: Gauge) { show(this, read()[key]); } });
    }
    const { updatesAccepted, partialUpdates, examples, updatesRejected, signals } = AGGREGATOR_COUNTERS;
    this.accepted = new Counter({ ...updatesAccepted, registers });
    this.partial = new Counter({ ...partialUpdates, registers });
    this.examples = new Counter({ ...examples, registers });
    this.rejections = new Counter({ ...updatesRejected, registers });
    this.signals = new Counter({ ...signals, registers });
  }

  /** An update was accepted. */
  updateAccepted(update: { readonly examples: number; readonly partial: boolean }): void {
    this.accepted.inc();
    this.examples.inc(update.examples);
    if (update.partial) this.partial.inc();
  }

  /** An update or request was rejected, with this code. */
  rejected(reason: string): void {
    this.rejections.inc({ reason });
  }

  /** A signal of this type went to the brain. */
  signalled(type: string): void {
    this.signals.inc({ type });
  }

  /** The Prometheus text of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
