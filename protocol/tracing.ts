/**
 * Tracing contract: one trace per incident, from the first AWS event to the first round with an Azure trainer and the
 * failback (docs/ARCHITECTURE.md, "Traces").
 *
 * W3C trace context (`traceparent`) travels on every cross-component call:
 * - HTTP headers: the Lambda's flush request to a trainer, the signal to the brain, the aggregator's signals;
 * - an SQS message attribute: the outbox between the two Lambdas;
 * - a field: the brain's continuation messages, and its state (the incident, the pending operation, the deferred
 *   signal), which the aggregator reads with the brain's view of the run.
 *
 * Every span names its component, and the spans that mark a step of an incident's critical path name the step: the
 * drill's waterfall and any trace backend query by these two attributes.
 */
import { z } from 'zod';

export const TRACE_COMPONENTS = ['lambda', 'brain', 'arm', 'kubernetes', 'aggregator', 'trainer'] as const;
export type TraceComponent = (typeof TRACE_COMPONENTS)[number];

/** An incident's critical path, in order. */
export const INCIDENT_STEPS = ['warning', 'flush-durable', 'signal-delivered', 'pool-scaled', 'trainers-ready', 'first-azure-round', 'failback'] as const;
export type IncidentStep = (typeof INCIDENT_STEPS)[number];

/** Span attributes of the contract. */
export const SPAN_ATTRIBUTES = {
  component: 'spot_on.component',
  step: 'spot_on.step',
} as const;

/** The W3C header (and message attribute, and state field) that carries a span's context. */
export const TRACEPARENT = 'traceparent';

/** `00-<trace id>-<span id>-<flags>` (W3C Trace Context, version 00). */
export const TraceparentSchema = z.string().regex(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/, 'must be a W3C traceparent');

/** `value` when it is a W3C traceparent (a header, a message or state field), else undefined: a bad one starts no trace. */
export function parseTraceparent(value: unknown): string | undefined {
  const parsed = TraceparentSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** The trace id inside a traceparent. */
export function traceIdOf(traceparent: string): string {
  return traceparent.slice(3, 35);
}
