/**
 * observability/grafana/spot-on.json is a Grafana dashboard model, and every metric its PromQL reads is one the code
 * registers: the names come from the aggregator's and the trainer's own prom-client registries, so a renamed metric
 * fails here instead of leaving an empty panel.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { Aggregator } from '../../../fl-training/aggregator/aggregator';
import { parseRunConfig } from '../../../fl-training/config';
import { MemoryCheckpointStore } from '../../../fl-training/store/memory-store';
import { TrainerMetrics } from '../../../fl-training/trainer/metrics';

const DASHBOARD_PATH = join(__dirname, '../../../observability/grafana/spot-on.json');

/** The datasource of every panel and query: the dashboard's `datasource` variable, never a fixed uid. */
const DatasourceRefSchema = z.object({ type: z.literal('prometheus'), uid: z.literal('${datasource}') });

const TargetSchema = z.object({ refId: z.string().min(1), expr: z.string().min(1), datasource: DatasourceRefSchema, legendFormat: z.string().optional() });

const PanelSchema = z.object({
  id: z.number().int().positive(),
  type: z.enum(['timeseries', 'stat', 'gauge', 'bargauge', 'table']),
  title: z.string().min(1),
  datasource: DatasourceRefSchema,
  gridPos: z.object({ h: z.number().int().positive(), w: z.number().int().min(1).max(24), x: z.number().int().min(0).max(23), y: z.number().int().min(0) }),
  targets: z.array(TargetSchema).min(1),
});

const DashboardSchema = z.object({
  title: z.string().min(1),
  uid: z.string().min(1),
  schemaVersion: z.number().int().min(36),
  templating: z.object({ list: z.array(z.object({ name: z.string(), type: z.string(), query: z.unknown().optional() })) }),
  panels: z.array(PanelSchema).min(1),
});

type Dashboard = z.infer<typeof DashboardSchema>;

const dashboard: Dashboard = DashboardSchema.parse(JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')));

/** Names a registry serves; a histogram's series (_bucket, _sum, _count) count as their base metric. */
// prom-client types `type` as a numeric enum; at runtime it is the type's name.
async function servedNames(registry: Registry): Promise<string[]> {
  return (await registry.getMetricsAsJSON()).flatMap((metric) => (String(metric.type) === 'histogram' ? [metric.name, `${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`] : [metric.name]));
}

/** The spoton_fl_* metric names a PromQL expression reads. */
const referencedNames = (expr: string): string[] => expr.match(/\bspoton_fl_[a-z0-9_]+\b/g) ?? [];

let registered: Set<string>;

beforeAll(async () => {
  const config = parseRunConfig({ task: 'blobs', runId: 'dashboard-run', rounds: 2, evaluate: false });
  const aggregator = await Aggregator.open({ config, store: new MemoryCheckpointStore(), tickMs: 3_600_000, statePollMs: 0, scanMs: 3_600_000 });
  try {
    registered = new Set([...(await servedNames(aggregator.metricsRegistry)), ...(await servedNames(new TrainerMetrics('aws').registry))]);
  } finally {
    await aggregator.close();
  }
});

describe('observability/grafana/spot-on.json', () => {
  it('is a dashboard model with the datasource as a variable, unique panel ids and panels inside the 24-column grid', () => {
    expect(dashboard.templating.list.filter((variable) => variable.name === 'datasource')).toStrictEqual([expect.objectContaining({ type: 'datasource', query: 'prometheus' })]);
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(dashboard.panels.filter((panel) => panel.gridPos.x + panel.gridPos.w > 24).map((panel) => panel.title)).toStrictEqual([]);
  });

  it('shows rounds, accuracy/loss, trainers per cloud, flush latency, the failover epoch, signals, rejected updates and redone work', () => {
    const shown = (metric: string) => dashboard.panels.filter((panel) => panel.targets.some((target) => referencedNames(target.expr).includes(metric))).map((panel) => panel.title);
    expect({
      rounds: shown('spoton_fl_round'),
      accuracy: shown('spoton_fl_global_accuracy'),
      loss: shown('spoton_fl_global_loss'),
      trainersPerCloud: shown('spoton_fl_trainers_reporting'),
      flushLatency: shown('spoton_fl_trainer_flush_seconds_bucket'),
      epoch: shown('spoton_fl_epoch'),
      signals: shown('spoton_fl_signals_total'),
      rejected: shown('spoton_fl_updates_rejected_total'),
      redone: shown('spoton_fl_trainer_examples_redone_total'),
    }).toStrictEqual({
      rounds: ['Rounds', 'Round progress'],
      accuracy: ['Accuracy and loss'],
      loss: ['Accuracy and loss'],
      trainersPerCloud: ['Trainers per cloud', 'Trainers per cloud over time'],
      flushLatency: ['Flush latency'],
      epoch: ['Failover epoch', 'Failover epoch over time'],
      signals: ['Signals raised'],
      rejected: ['Updates rejected'],
      redone: ['Redone work'],
    });
  });

  it('queries only metrics the aggregator and the trainer register', () => {
    const referenced = dashboard.panels.flatMap((panel) => panel.targets.flatMap((target) => referencedNames(target.expr).map((name) => `${panel.title}: ${name}`)));
    expect(referenced.length).toBeGreaterThan(20);
    expect(referenced.filter((entry) => !registered.has(entry.slice(entry.indexOf(': ') + 2)))).toStrictEqual([]);
  });

  it('the registries the names come from hold both processes\' metrics (the check above is not vacuous)', () => {
    expect(['spoton_fl_round', 'spoton_fl_updates_rejected_total', 'spoton_fl_trainer_flush_seconds_bucket'].filter((name) => !registered.has(name))).toStrictEqual([]);
    expect(registered.has('spoton_fl_no_such_metric')).toBe(false);
  });
});
