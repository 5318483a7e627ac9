/**
 * The scenario's traces, from the spans every component exported to the drill's OTLP receiver (local/otlp-collector.ts),
 * and the check that each incident is one trace: its first AWS event linked, span by span, to its first round with an
 * Azure trainer (protocol/tracing.ts).
 */
import type { CollectedSpan } from '../otlp-collector';
import { INCIDENT_STEPS, TRACE_COMPONENTS, type IncidentStep, type TraceComponent } from '../../protocol/tracing';
import type { Trace, TraceSpan } from './report';

const isComponent = (value: string | undefined): value is TraceComponent => TRACE_COMPONENTS.includes(value as TraceComponent);
const isStep = (value: string | undefined): value is IncidentStep => INCIDENT_STEPS.includes(value as IncidentStep);

/** The traces that mark a step of an incident, spans oldest first, times in ms since `startedAtMs`. */
export function incidentTraces(spans: readonly CollectedSpan[], startedAtMs: number): Trace[] {
  const byTrace = new Map<string, TraceSpan[]>();
  for (const span of spans) {
    if (!isComponent(span.component)) continue;
    const kept: TraceSpan = {
      spanId: span.spanId,
      ...(span.parentSpanId === undefined ? {} : { parentSpanId: span.parentSpanId }),
      name: span.name,
      component: span.component,
      ...(isStep(span.step) ? { step: span.step } : {}),
      startMs: span.startMs - startedAtMs,
      endMs: span.endMs - startedAtMs,
    };
    byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), kept]);
  }
  return [...byTrace.entries()]
    .filter(([, traceSpans]) => traceSpans.some((span) => span.step !== undefined))
    .map(([traceId, traceSpans]) => ({ traceId, spans: traceSpans.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs) }))
    .sort((a, b) => (a.spans[0]?.startMs ?? 0) - (b.spans[0]?.startMs ?? 0));
}

/** The spans from `span` up to its trace's root; stops short (without the root) when a parent is missing. */
export function pathToRoot(trace: Trace, span: TraceSpan): TraceSpan[] {
  const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
  const path = [span];
  for (let current = span; current.parentSpanId !== undefined; ) {
    const parent = byId.get(current.parentSpanId);
    if (parent === undefined || path.includes(parent)) break;
    path.push(parent);
    current = parent;
  }
  return path;
}

/** An incident whose first Azure round is linked, parent by parent, to the AWS event (or aggregator signal) that began it. */
export interface LinkedIncident {
  readonly traceId: string;
  /** Component names from the first Azure round up to the root, e.g. aggregator <- brain <- ... <- lambda. */
  readonly chain: readonly TraceComponent[];
}

/** The traces in which the first round with an Azure trainer reaches, through unbroken parent links, a `warning` root. */
export function linkedIncidents(traces: readonly Trace[]): LinkedIncident[] {
  return traces.flatMap((trace) =>
    trace.spans
      .filter((span) => span.step === 'first-azure-round')
      .flatMap((round) => {
        const path = pathToRoot(trace, round);
        const root = path.at(-1);
        return root !== undefined && root.parentSpanId === undefined && root.step === 'warning' ? [{ traceId: trace.traceId, chain: path.map((span) => span.component) }] : [];
      }),
  );
}
