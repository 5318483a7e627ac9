/**
 * The trainer's Prometheus metrics, served by its flush endpoint's server at GET /metrics (flush-server.ts): what it
 * trained and what became of it, the work it had to redo, and how fast it made flushed work durable. One Registry per
 * trainer; every series carries the trainer's `cloud`. Each name is defined here once; dashboards
 * (observability/grafana/spot-on.json) query them, so a rename breaks them.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import type { Cloud } from '../../protocol/run-status';

/** Where a flush request came from: POST /checkpoint (a Spot warning), or SIGTERM / SIGINT (a drain). */
export type FlushSource = 'checkpoint' | 'signal';

/** Why work was trained twice. */
export type RedoReason = 'stale-epoch' | 'shard-covered';

export const TRAINER_METRICS = {
  roundsTrained: {
    name: 'spoton_fl_trainer_rounds_trained_total',
    help: 'Local training runs that produced an update, by what became of it (accepted, duplicate, stored, stale-epoch, shard-covered, stale-round, lost).',
    labelNames: ['outcome'],
  },
  examplesTrained: { name: 'spoton_fl_trainer_examples_trained_total', help: 'Examples trained locally, by what became of their update.', labelNames: ['outcome'] },
  trainingSeconds: { name: 'spoton_fl_trainer_training_seconds_total', help: 'Seconds spent training locally.' },
  examplesRedone: {
    name: 'spoton_fl_trainer_examples_redone_total',
    help: 'Examples trained twice: refused for a stale epoch and trained again in the same round (stale-epoch), or refused because another trainer covered the shard (shard-covered).',
    labelNames: ['reason'],
  },
  flushRequests: {
    name: 'spoton_fl_trainer_flush_requests_total',
    help: 'Flush (checkpoint) requests, by source (checkpoint, signal) and what the trainer did (started, in-progress, done).',
    labelNames: ['source', 'outcome'],
  },
  flushSeconds: {
    name: 'spoton_fl_trainer_flush_seconds',
    help: 'Seconds from a flush request to its work being durable (accepted, stored in Blob, or nothing in progress).',
    // Up to the AWS Spot notice (120 s); Azure's is 30 s.
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 90, 120],
  },
} as const;

/** One trainer's metrics: its registry, and the events that move them. */
export class TrainerMetrics {
  readonly registry = new Registry();
  private readonly rounds: Counter<'outcome'>;
  private readonly examples: Counter<'outcome'>;
  private readonly seconds: Counter;
  private readonly redone: Counter<'reason'>;
  private readonly flushRequests: Counter<'source' | 'outcome'>;
  private readonly flushSeconds: Histogram;

  constructor(cloud: Cloud) {
    this.registry.setDefaultLabels({ cloud });
    const registers = [this.registry];
    const { roundsTrained, examplesTrained, trainingSeconds, examplesRedone, flushRequests, flushSeconds } = TRAINER_METRICS;
    this.rounds = new Counter({ ...roundsTrained, registers });
    this.examples = new Counter({ ...examplesTrained, registers });
    this.seconds = new Counter({ ...trainingSeconds, registers });
    this.redone = new Counter({ ...examplesRedone, registers });
    this.flushRequests = new Counter({ ...flushRequests, registers });
    this.flushSeconds = new Histogram({ ...flushSeconds, buckets: [...flushSeconds.buckets], registers });
  }

  /** A local training run of `examples` took `ms`; its update ended as `outcome`. */
  trained(outcome: string, examples: number, ms: number): void {
    this.rounds.inc({ outcome });
    this.examples.inc({ outcome }, examples);
    this.seconds.inc(ms / 1000);
  }

  /** `examples` were trained a second time. */
  redoneWork(reason: RedoReason, examples: number): void {
    this.redone.inc({ reason }, examples);
  }

  /** A flush request arrived and the trainer answered it with `outcome`. */
  flushRequested(source: FlushSource, outcome: 'started' | 'in-progress' | 'done'): void {
    this.flushRequests.inc({ source, outcome });
  }

  /** A flush's work became durable `ms` after its request. */
  flushDurable(ms: number): void {
    this.flushSeconds.observe(ms / 1000);
  }
}
