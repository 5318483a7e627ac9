import type { CollectedSpan } from '../../../local/otlp-collector';
import { incidentTraces, linkedIncidents } from '../../../local/drill/traces';

const T = '0af7651916cd43dd8448eb211c80319c';
const OTHER = '4bf92f3577b34da6a3ce929d0e0e4736';
const START = 1_796_393_000_000;

/** A span `ms` after the scenario started, lasting `length` ms. */
const span = (spanId: string, parentSpanId: string | undefined, component: string, ms: number, step?: string, traceId = T, length = 10): CollectedSpan => ({
  traceId,
  spanId: spanId.padEnd(16, '0'),
  ...(parentSpanId === undefined ? {} : { parentSpanId: parentSpanId.padEnd(16, '0') }),
  name: `${component} ${step ?? 'call'}`,
  service: `spot-on-${component}`,
  component,
  ...(step === undefined ? {} : { step }),
  startMs: START + ms,
  endMs: START + ms + length,
});

/** One incident, span by span: AWS event -> signal -> brain -> pool and trainers -> first Azure round. */
const incident: CollectedSpan[] = [
  span('a1', undefined, 'lambda', -500, 'warning', T, 900),
  span('a2', 'a1', 'lambda', 0),
  span('a3', 'a2', 'trainer', 10, 'flush-durable'),
  span('b1', 'a1', 'lambda', 400, 'signal-delivered'),
  span('c1', 'b1', 'brain', 420),
  span('c2', 'c1', 'arm', 430),
  span('d1', 'c1', 'arm', 500, 'pool-scaled', T, 5_000),
  span('d2', 'c1', 'kubernetes', 5_500, 'trainers-ready', T, 2_000),
  span('e1', 'c1', 'aggregator', 7_000, 'first-azure-round', T, 3_000),
];

describe('the drill traces', () => {
  it('keeps the traces with a step, spans oldest first, in ms since the scenario started', () => {
    const noise = [span('f1', undefined, 'brain', 100, undefined, OTHER), span('f2', undefined, 'nobody', 200, 'warning', OTHER)];
    const traces = incidentTraces([...incident].reverse().concat(noise), START);
    expect(traces.map((trace) => trace.traceId)).toStrictEqual([T]);
    expect(traces[0]?.spans.map((s) => [s.component, s.startMs])).toStrictEqual(incident.map((s) => [s.component, s.startMs - START]));
    expect(traces[0]?.spans[0]).toStrictEqual({ spanId: 'a100000000000000', name: 'lambda warning', component: 'lambda', step: 'warning', startMs: -500, endMs: 400 });
  });

  it('links the first Azure round, parent by parent, to the AWS event that began the incident', () => {
    expect(linkedIncidents(incidentTraces(incident, START))).toStrictEqual([{ traceId: T, chain: ['aggregator', 'brain', 'lambda', 'lambda'] }]);
  });

  it('finds no link when a parent is missing, or the root is no warning', () => {
    const broken = incident.filter((s) => s.spanId !== 'c1000000000000000'.slice(0, 16));
    expect(linkedIncidents(incidentTraces(broken, START))).toStrictEqual([]);
    const rootless = incident.map((s) => (s.step === 'warning' ? { ...s, step: undefined } : s));
    expect(linkedIncidents(incidentTraces(rootless as CollectedSpan[], START))).toStrictEqual([]);
  });
});
