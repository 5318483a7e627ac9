import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import type { Participant } from '../../../protocol/checkpoint';
import type { Signal } from '../../../protocol/signal';
import { createTracing, traceContext } from '../../../protocol/tracer';
import { SPAN_ATTRIBUTES, traceIdOf } from '../../../protocol/tracing';
import { IncidentRounds, tracedSignalSender } from '../../../fl-training/aggregator/incident-trace';

const INCIDENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const NEXT_INCIDENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const participant = (clientId: string, cloud: 'aws' | 'azure'): Participant => ({ clientId, examples: 100, updateDigest: 'a'.repeat(64), baseRound: 1, partial: false, cloud });

describe('the aggregator in incident traces', () => {
  it('records the first round with an Azure trainer of each incident, once, in the incident trace', () => {
    const exporter = new InMemorySpanExporter();
    const rounds = new IncidentRounds(createTracing({}, 'spot-on-aggregator', { exporter }), () => 5_000);
    rounds.committed({ round: 3, openedMs: 1_000, participants: [participant('t0', 'azure')] }, undefined); // no incident open
    rounds.committed({ round: 4, openedMs: 2_000, participants: [participant('t0', 'aws')] }, INCIDENT); // no Azure trainer yet
    rounds.committed({ round: 5, openedMs: 3_000, participants: [participant('t0', 'aws'), participant('t1', 'azure')] }, INCIDENT);
    rounds.committed({ round: 6, openedMs: 4_000, participants: [participant('t1', 'azure')] }, INCIDENT); // not the first
    rounds.committed({ round: 9, openedMs: 4_500, participants: [participant('t1', 'azure')] }, NEXT_INCIDENT);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => [span.spanContext().traceId, span.parentSpanContext?.spanId, span.attributes.round, span.attributes[SPAN_ATTRIBUTES.step]])).toStrictEqual([
      [traceIdOf(INCIDENT), 'b7ad6b7169203331', 5, 'first-azure-round'],
      [traceIdOf(NEXT_INCIDENT), '00f067aa0ba902b7', 9, 'first-azure-round'],
    ]);
    expect([spans[0]?.startTime[0], spans[0]?.endTime[0]]).toStrictEqual([3, 5]);
  });

  it('sends every resend of a signal in the trace its first send started', async () => {
    const exporter = new InMemorySpanExporter();
    const headers: Record<string, string>[] = [];
    const sender = tracedSignalSender({ send: async () => (headers.push(traceContext()), 'failed' as const) }, createTracing({}, 'spot-on-aggregator', { exporter }));
    const signal = { id: 'agg-aws-silent-1', type: 'aws-silent' } as Signal;
    await sender.send(signal);
    await sender.send(signal);
    await sender.send({ ...signal, id: 'agg-aws-recovered-1', type: 'aws-recovered' });
    const [first, resend, other] = headers.map((h) => traceIdOf(h.traceparent ?? 'missing'));
    expect(resend).toBe(first);
    expect(other).not.toBe(first);
    expect(exporter.getFinishedSpans().map((span) => span.attributes[SPAN_ATTRIBUTES.step] ?? null)).toStrictEqual(['warning', null, 'warning']);
  });
});
