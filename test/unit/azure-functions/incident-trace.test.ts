/**
 * The brain's part of an incident's trace: a signal is handled in the trace its `traceparent` header names, the
 * state and the continuations carry that trace, and the steps (pool scaled, trainers ready, failback) land in it.
 */
import { HttpRequest } from '@azure/functions';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import type { ContinuationMessage } from '../../../azure-functions/src/domain/continuation-message';
import { createContinuationHandler } from '../../../azure-functions/src/handlers/continuation';
import { createSignalsHandler } from '../../../azure-functions/src/handlers/signals';
import type { BrainServices } from '../../../azure-functions/src/use-cases/services';
import { sign } from '../../../protocol/signing';
import { createTracing, traceContext } from '../../../protocol/tracer';
import { SPAN_ATTRIBUTES, traceIdOf } from '../../../protocol/tracing';
import { at, fakes, quietContext, SECRET, signal, T0 } from './helpers';

function post(body: string, headers: Record<string, string>, atSeconds = 0): HttpRequest {
  const signed = sign(SECRET, body, at(atSeconds).getTime()) as unknown as Record<string, string>;
  return new HttpRequest({ method: 'POST', url: 'https://brain.example/api/signals', body: { string: body }, headers: { 'content-type': 'application/json', ...signed, ...headers } });
}

const step = (span: ReadableSpan) => span.attributes[SPAN_ATTRIBUTES.step];
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('the brain in an incident trace', () => {
  it('carries the signal Lambda trace through the state and the continuations into the pool, trainer and failback steps', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = createTracing({}, 'spot-on-brain', { exporter });
    const lambda = createTracing({}, 'spot-on-signal', { exporter });
    const f = fakes();
    const services: BrainServices = { ...f.services, tracing };
    const deliver = (message: ContinuationMessage) => createContinuationHandler(() => Promise.resolve(services))(message, quietContext('continuation'));

    // The signal Lambda's span, and its header on the POST.
    const headers = await lambda.inSpan('deliver signal', { component: 'lambda', step: 'signal-delivered' }, async () => traceContext());
    const answer = await createSignalsHandler(() => Promise.resolve(services))(post(JSON.stringify(signal('aws-unhealthy', 'sig-1')), headers), quietContext('signals'));
    expect(answer.status).toBe(202);
    const incidentTrace = f.store.state.incidents.at(-1)?.traceparent;
    expect(traceIdOf(incidentTrace ?? 'none')).toBe(traceIdOf(headers.traceparent ?? 'no header'));
    expect(f.store.state.pendingOperation?.traceparent).toBe(incidentTrace);
    expect(f.queue.sent.map((sent) => sent.message.traceparent)).toStrictEqual([incidentTrace]);

    // The pool reaches the target, the trainers come up a look later.
    f.pool.view = { provisioningState: 'Succeeded', count: 3, enableAutoScaling: false };
    f.trainers.ready = 0;
    f.setTime(300);
    await deliver(f.queue.sent.at(-1)!.message);
    f.trainers.ready = 3;
    f.setTime(330);
    await deliver(f.queue.sent.at(-1)!.message);
    expect(f.store.state.phase).toBe('azure-active');

    // AWS is back: the failback's own signal, and its completion.
    f.setTime(900);
    const recovered = await createSignalsHandler(() => Promise.resolve(services))(post(JSON.stringify(signal('aws-recovered', 'sig-2')), {}, 900), quietContext('signals'));
    expect(recovered.status).toBe(202);
    f.pool.view = { provisioningState: 'Succeeded', count: 0, enableAutoScaling: false };
    f.setTime(960);
    await deliver(f.queue.sent.at(-1)!.message);
    expect(f.store.state.phase).toBe('aws-primary');

    const spans = exporter.getFinishedSpans();
    const traceId = spans.find((span) => span.name === 'deliver signal')?.spanContext().traceId;
    const byStep = new Map(spans.filter((span) => step(span) !== undefined).map((span) => [step(span), span]));
    expect([...byStep.keys()].sort()).toStrictEqual(['failback', 'pool-scaled', 'signal-delivered', 'trainers-ready']);
    for (const span of byStep.values()) expect(span.spanContext().traceId).toBe(traceId);
    // Pool scaled from the accepted PUT to the first look at target; trainers ready from there to the look that saw them.
    const seconds = (span: ReadableSpan | undefined) => span && [span.startTime[0] - T0.getTime() / 1000, span.endTime[0] - T0.getTime() / 1000];
    expect([seconds(byStep.get('pool-scaled')), seconds(byStep.get('trainers-ready'))]).toStrictEqual([[0, 300], [300, 330]]);
    expect(byStep.get('pool-scaled')?.attributes[SPAN_ATTRIBUTES.component]).toBe('arm');
    // The failback hangs off the incident's signal span, linked to the trace of the signal that asked for it.
    const incidentSignal = spans.find((span) => span.name === 'signal aws-unhealthy');
    expect(parentOf(byStep.get('failback')!)).toBe(incidentSignal?.spanContext().spanId);
    expect(byStep.get('failback')?.links.map((link) => link.context.traceId)).toStrictEqual([spans.find((span) => span.name === 'signal aws-recovered')?.spanContext().traceId]);
    // The ARM and Kubernetes calls are spans of their own.
    expect(new Set(spans.map((span) => span.attributes[SPAN_ATTRIBUTES.component]))).toStrictEqual(new Set(['lambda', 'brain', 'arm', 'kubernetes']));
  });
});
