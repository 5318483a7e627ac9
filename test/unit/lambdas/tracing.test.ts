/**
 * The Lambdas' part of an incident's trace: the interruption Lambda opens it at the event's own time and passes its
 * context on the flush requests and the outbox message; the signal Lambda continues it and passes it to the brain.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { sqsSignalOutbox } from '../../../lambdas/adapters/outbox';
import { httpSignalSender } from '../../../lambdas/adapters/signal-sender';
import { httpTrainerFlusher } from '../../../lambdas/adapters/trainer-flush';
import { classify } from '../../../lambdas/events/classify';
import { createInterruptionHandler } from '../../../lambdas/handlers/interruption-handler';
import { createSignalHandler } from '../../../lambdas/handlers/signal-handler';
import { createTracing } from '../../../protocol/tracer';
import { SPAN_ATTRIBUTES, traceIdOf } from '../../../protocol/tracing';
import { EVENT_TIME, FakeDeadLetter, FakeHooks, FakeLifecycle, FakeLocator, INSTANCE_A, NOW, pod, quietLogger, quietMetrics, spotWarning, sqsEvent, sqsRecord } from './helpers';

const key = { get: async () => 'unit-test-flush-key-of-32-characters' };

/** A fetch that answers `status` and keeps each request's headers. */
function recordingFetch(status: number) {
  const headers: Record<string, string>[] = [];
  const fetch = async (_url: string, init: RequestInit) => {
    headers.push(init.headers as Record<string, string>);
    return new Response(null, { status });
  };
  return { fetch, headers };
}

describe('Lambda traces', () => {
  it('opens the incident trace at the event time, and carries it on every flush and on the outbox message', async () => {
    const exporter = new InMemorySpanExporter();
    const trainers = recordingFetch(202);
    const sent: { MessageAttributes?: Record<string, { StringValue?: string }> }[] = [];
    const sqs = { send: async (command: { input: (typeof sent)[number] }) => void sent.push(command.input) } as unknown as SQSClient;
    const handler = createInterruptionHandler({
      config: { runId: 'run-42', failoverAlarmName: 'aws-training-unhealthy' },
      classify,
      locator: new FakeLocator({ [INSTANCE_A]: { nodeName: 'ip-10-0-1-1', trainers: [pod('trainer-a1', 'ip-10-0-1-1', '10.0.1.11'), pod('trainer-a2', 'ip-10-0-1-1', '10.0.1.12')] } }),
      flusher: httpTrainerFlusher({ port: 8080, keys: key, fetch: trainers.fetch, nowMs: () => NOW.getTime() }),
      outbox: sqsSignalOutbox(sqs, 'https://sqs.us-west-2.amazonaws.com/123456789012/spot-on-outbox'),
      lifecycle: new FakeLifecycle(),
      hooks: new FakeHooks(),
      deadLetter: new FakeDeadLetter(),
      tracing: createTracing({}, 'spot-on-interruption', { exporter }),
      logger: quietLogger(),
      metrics: quietMetrics(),
      now: () => NOW,
    });
    expect((await handler(sqsEvent(sqsRecord('m1', spotWarning('evt-1', INSTANCE_A))))).batchItemFailures).toStrictEqual([]);

    const spans = exporter.getFinishedSpans();
    const warning = spans.find((span) => span.attributes[SPAN_ATTRIBUTES.step] === 'warning');
    expect(warning?.startTime[0]).toBe(Date.parse(EVENT_TIME) / 1000);
    const traceId = warning?.spanContext().traceId;
    const carried = [...trainers.headers.map((headers) => headers.traceparent), sent[0]?.MessageAttributes?.traceparent?.StringValue];
    expect(carried.map((traceparent) => traceIdOf(traceparent ?? 'missing'))).toStrictEqual([traceId, traceId, traceId]);
    // One span per flushed trainer, under the event's.
    expect(spans.filter((span) => span.name.startsWith('flush ')).map((span) => span.parentSpanContext?.spanId)).toStrictEqual([warning?.spanContext().spanId, warning?.spanContext().spanId]);
  });

  it('delivers a signal in the trace its outbox message names, and passes it to the brain', async () => {
    const exporter = new InMemorySpanExporter();
    const brain = recordingFetch(202);
    const handler = createSignalHandler({
      sender: httpSignalSender({ endpointUrl: 'https://brain.example/api/signals', keys: key, timeoutMs: 1_000, fetch: brain.fetch }),
      deadLetter: new FakeDeadLetter(),
      tracing: createTracing({}, 'spot-on-signal', { exporter }),
      logger: quietLogger(),
      metrics: quietMetrics(),
    });
    const incoming = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const signal = { version: 1, id: 'sig-1', type: 'capacity-lost', runId: 'run-42', issuedAt: EVENT_TIME, source: { eventId: 'evt-1', source: 'aws.ec2', detailType: 'EC2 Spot Instance Interruption Warning', time: EVENT_TIME } };
    const record = { ...sqsRecord('m1', signal), messageAttributes: { traceparent: { stringValue: incoming, dataType: 'String', stringListValues: [], binaryListValues: [] } } };
    expect((await handler(sqsEvent(record))).batchItemFailures).toStrictEqual([]);

    const [delivered] = exporter.getFinishedSpans();
    expect([delivered?.spanContext().traceId, delivered?.parentSpanContext?.spanId, delivered?.attributes[SPAN_ATTRIBUTES.step]]).toStrictEqual(['0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', 'signal-delivered']);
    expect(brain.headers[0]?.traceparent).toBe(`00-0af7651916cd43dd8448eb211c80319c-${delivered?.spanContext().spanId}-01`);
  });
});
