import { AGGREGATOR_COUNTERS, AGGREGATOR_GAUGES } from '../../../fl-training/aggregator/metrics';
import { CLUSTERS, HELM, HELM_NOTE as NOTE, type YamlMap, at, listAt, mapAt, renderObjects } from './helpers';

/**
 * How the chart lets each cluster's Prometheus scrape GET /metrics of the aggregator and the trainers: pod annotations
 * (on by default), and prometheus-operator PodMonitor / ServiceMonitor / PrometheusRule objects (off by default).
 */

jest.setTimeout(60_000);

const renderIt = HELM ? it : it.skip;

const WITH_OPERATOR = { 'metrics.podMonitor.enabled': true, 'metrics.prometheusRule.enabled': true, 'metrics.podMonitor.labels.release': 'kube-prometheus-stack' };

const OPERATOR_KINDS = new Set(['PodMonitor', 'ServiceMonitor', 'PrometheusRule']);

const named = (objects: readonly YamlMap[]) => objects.filter((object) => OPERATOR_KINDS.has(String(object.kind))).map((object) => `${String(object.kind)}/${String(at(object, ['metadata', 'name']))}`);

const deploymentNames = (objects: readonly YamlMap[]) => objects.filter((object) => object.kind === 'Deployment').map((object) => String(at(object, ['metadata', 'name'])));

const podAnnotations = (objects: readonly YamlMap[], deployment: string): unknown =>
  at(
    objects.find((object) => object.kind === 'Deployment' && at(object, ['metadata', 'name']) === deployment),
    ['spec', 'template', 'metadata', 'annotations'],
  );

const SCRAPE = { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080', 'prometheus.io/path': '/metrics' };

describe(`chart: metrics scraping${NOTE}`, () => {
  renderIt.each(CLUSTERS)(`%s: annotates every pod for scraping and renders no prometheus-operator object by default${NOTE}`, (cluster) => {
    const objects = renderObjects(cluster);
    expect(Object.fromEntries(deploymentNames(objects).map((name) => [name, podAnnotations(objects, name)]))).toStrictEqual(cluster === 'eks' ? { 'fl-trainer': SCRAPE } : { 'fl-aggregator': SCRAPE, 'fl-trainer': SCRAPE });
    expect(named(objects)).toStrictEqual([]);
  });

  renderIt(`keeps the user's pod annotations over the scrape ones, and drops the scrape ones when turned off${NOTE}`, () => {
    const overridden = renderObjects('aks', { 'trainer.podAnnotations.prometheus\\.io/path': '/other', 'aggregator.podAnnotations.team': 'fl' });
    expect(podAnnotations(overridden, 'fl-trainer')).toStrictEqual({ ...SCRAPE, 'prometheus.io/path': '/other' });
    expect(podAnnotations(overridden, 'fl-aggregator')).toStrictEqual({ ...SCRAPE, team: 'fl' });
    const off = renderObjects('aks', { 'metrics.podAnnotations.enabled': false });
    expect([podAnnotations(off, 'fl-aggregator'), podAnnotations(off, 'fl-trainer')]).toStrictEqual([undefined, undefined]);
  });

  renderIt(`aks: a PodMonitor per workload on its http port, with the labels the Prometheus selects${NOTE}`, () => {
    const objects = renderObjects('aks', WITH_OPERATOR);
    expect(named(objects)).toStrictEqual(['PodMonitor/fl-aggregator', 'PodMonitor/fl-trainer', 'PrometheusRule/fl-aggregator']);
    const trainer = objects.find((object) => object.kind === 'PodMonitor' && at(object, ['metadata', 'name']) === 'fl-trainer');
    expect(at(trainer, ['apiVersion'])).toBe('monitoring.coreos.com/v1');
    expect(at(trainer, ['metadata', 'labels', 'release'])).toBe('kube-prometheus-stack');
    expect(mapAt(trainer, ['spec'])).toStrictEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'fl-trainer', 'app.kubernetes.io/instance': 'spot-on-fl' } },
      podMetricsEndpoints: [{ port: 'http', path: '/metrics', interval: '30s' }],
    });
  });

  renderIt(`eks: trainers only, so a trainer PodMonitor and no rule (the aggregator serves what the rules read)${NOTE}`, () => {
    expect(named(renderObjects('eks', { ...WITH_OPERATOR, 'metrics.serviceMonitor.enabled': true }))).toStrictEqual(['PodMonitor/fl-trainer']);
  });

  renderIt(`aks: the ServiceMonitor scrapes the aggregator through its Service, and its PodMonitor steps aside (no series twice)${NOTE}`, () => {
    const objects = renderObjects('aks', { 'metrics.podMonitor.enabled': true, 'metrics.serviceMonitor.enabled': true });
    expect(named(objects)).toStrictEqual(['PodMonitor/fl-trainer', 'ServiceMonitor/fl-aggregator']);
    const monitor = objects.find((object) => object.kind === 'ServiceMonitor');
    const service = objects.find((object) => object.kind === 'Service' && at(object, ['metadata', 'name']) === 'fl-aggregator');
    const selector = mapAt(monitor, ['spec', 'selector', 'matchLabels']);
    expect(Object.entries(selector).every(([key, value]) => at(service, ['metadata', 'labels', key]) === value)).toBe(true);
    expect(listAt(monitor, ['spec', 'endpoints'])).toStrictEqual([{ port: 'http', path: '/metrics', interval: '30s' }]);
  });

  renderIt(`aks: the PrometheusRule alerts on a stalled round and on rejected updates, with metrics the aggregator registers${NOTE}`, () => {
    const rule = renderObjects('aks', { ...WITH_OPERATOR, 'metrics.prometheusRule.stalledRoundDeadlines': 5 }).find((object) => object.kind === 'PrometheusRule');
    const rules = listAt(listAt(rule, ['spec', 'groups'])[0], ['rules']).map((item) => ({ alert: at(item, ['alert']), expr: at(item, ['expr']), for: at(item, ['for']) }));
    expect(rules).toStrictEqual([
      {
        alert: 'SpotOnFlRoundStalled',
        expr: '(time() - spoton_fl_round_opened_seconds) > 5 * spoton_fl_round_deadline_seconds and spoton_fl_round < spoton_fl_rounds_total',
        for: '1m',
      },
      { alert: 'SpotOnFlUpdatesRejected', expr: 'sum by (namespace, reason) (rate(spoton_fl_updates_rejected_total[10m])) > 0.1', for: '10m' },
    ]);
    const registered = new Set<string>([...Object.values(AGGREGATOR_GAUGES), ...Object.values(AGGREGATOR_COUNTERS)].map((metric) => metric.name));
    const referenced = rules.flatMap((item) => String(item.expr).match(/\bspoton_fl_[a-z_]+/g) ?? []);
    expect(referenced.filter((name) => !registered.has(name))).toStrictEqual([]);
  });
});
