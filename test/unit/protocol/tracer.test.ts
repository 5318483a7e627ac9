import { ExportResultCode } from '@opentelemetry/core';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { startOtlpCollector, type OtlpCollector } from '../../../local/otlp-collector';
import { activeTraceparent, createTracing as createTracingWith, traceContext, tracesEndpoint } from '../../../protocol/tracer';
import { traceIdOf, TraceparentSchema } from '../../../protocol/tracing';

/**
 * The OTLP exporter's own JSON encoding, posted to the drill's receiver: what OTLPTraceExporter sends, without its
 * transport, which loads `http` through a dynamic import that Jest's sandbox refuses (the drill runs the real one).
 */
function otlpJsonTo(collector: OtlpCollector): SpanExporter {
  return {
    export(spans, done) {
      fetch(`${collector.endpoint}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JsonTraceSerializer.serializeRequest(spans) as Uint8Array<ArrayBuffer> }).then(
        (answer) => done({ code: answer.ok ? ExportResultCode.SUCCESS : ExportResultCode.FAILED }),
        (error: Error) => done({ code: ExportResultCode.FAILED, error }),
      );
    },
    shutdown: async () => undefined,
  };
}

describe('tracing (protocol/tracer.ts)', () => {
  let collector: OtlpCollector;
  beforeEach(async () => {
    collector = await startOtlpCollector();
  });
  afterEach(() => collector.stop());
  /** As production builds it, exporting to the receiver when `env` names an endpoint. */
  const createTracing = (env: Record<string, string>, service: string) => createTracingWith(env, service, tracesEndpoint(env) === undefined ? {} : { exporter: otlpJsonTo(collector) });

  it('exports nested spans over OTLP with their component, step and parent', async () => {
    const tracing = createTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint }, 'lambda-under-test');
    const eventTime = new Date(Date.now() - 2_000);
    let inner: string | undefined;
    await tracing.inSpan('ec2-spot-interruption-warning', { component: 'lambda', step: 'warning', startTime: eventTime }, () =>
      tracing.inSpan('flush trainer-0', { component: 'lambda' }, async () => {
        inner = activeTraceparent();
      }),
    );
    await tracing.flush();
    const spans = collector.spans();
    const root = spans.find((span) => span.name === 'ec2-spot-interruption-warning');
    const child = spans.find((span) => span.name === 'flush trainer-0');
    expect(root).toMatchObject({ service: 'lambda-under-test', component: 'lambda', step: 'warning', startMs: eventTime.getTime() });
    expect(root?.parentSpanId).toBeUndefined();
    expect(child).toMatchObject({ traceId: root?.traceId, parentSpanId: root?.spanId, component: 'lambda' });
    expect(child?.step).toBeUndefined();
    expect(TraceparentSchema.parse(inner)).toBe(`00-${root?.traceId}-${child?.spanId}-01`);
  });

  it('continues a trace from a traceparent in another component, and records finished steps with links', async () => {
    const lambda = createTracing({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.endpoint}/v1/traces` }, 'lambda');
    const brain = createTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.endpoint}/` }, 'brain');
    const header = await lambda.inSpan('deliver signal', { component: 'lambda', step: 'signal-delivered' }, async () => traceContext());
    const started = new Date(Date.now() - 5_000);
    brain.record('pool scaled', { component: 'arm', step: 'pool-scaled', parent: header.traceparent, startTime: started, links: [header.traceparent] });
    await Promise.all([lambda.flush(), brain.flush()]);
    const [delivered, scaled] = ['deliver signal', 'pool scaled'].map((name) => collector.spans().find((span) => span.name === name));
    expect(scaled).toMatchObject({ traceId: delivered?.traceId, parentSpanId: delivered?.spanId, service: 'brain', component: 'arm', step: 'pool-scaled', startMs: started.getTime() });
    expect(traceIdOf(header.traceparent ?? '')).toBe(delivered?.traceId);
  });

  it('still exports a span whose work failed, and rethrows', async () => {
    const tracing = createTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint }, 'brain');
    await expect(tracing.inSpan('signal capacity-lost', { component: 'brain' }, async () => Promise.reject(new Error('state is contended')))).rejects.toThrow('state is contended');
    await tracing.flush();
    expect(collector.spans().map((span) => span.name)).toStrictEqual(['signal capacity-lost']);
  });

  it('with no endpoint sends nothing and starts no trace, but continues one that arrives', async () => {
    const quiet = createTracing({}, 'brain');
    const loud = createTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint }, 'lambda');
    expect(await quiet.inSpan('signal aws-silent', { component: 'brain' }, async () => traceContext())).toStrictEqual({});
    const incoming = await loud.inSpan('deliver signal', { component: 'lambda' }, async () => activeTraceparent());
    const continued = await quiet.inSpan('signal capacity-lost', { component: 'brain', parent: incoming }, async () => activeTraceparent());
    await Promise.all([quiet.flush(), loud.flush()]);
    expect(traceIdOf(continued ?? '')).toBe(traceIdOf(incoming ?? ''));
    expect(continued).not.toBe(incoming);
    expect(collector.spans().map((span) => span.service)).toStrictEqual(['lambda']);
  });

  it('finds the endpoint in the standard variables, the traces-only one first', () => {
    expect(tracesEndpoint({})).toBeUndefined();
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).toBeUndefined();
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318/' })).toBe('http://localhost:4318/v1/traces');
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/v1/traces' })).toBe('http://b:4318/v1/traces');
  });
});
