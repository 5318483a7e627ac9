/**
 * Spans through OpenTelemetry's official JS SDK, one provider per component (the drill runs several components in
 * one process, each with its own environment, so nothing is registered globally but the async context manager).
 *
 * Export: OTLP/HTTP to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`, read from
 * the component's own environment. On AWS that is the ADOT collector layer (localhost:4318, to X-Ray); on Azure an
 * OpenTelemetry Collector with the Azure Monitor exporter. With neither set, nothing is sent and no trace is started
 * here, but a trace that arrives (a sampled traceparent) is still continued, so it reaches the components that export.
 */
import { context, trace, ROOT_CONTEXT, SpanStatusCode, TraceFlags, type Context, type Link, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, SimpleSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { SPAN_ATTRIBUTES, TRACEPARENT, type IncidentStep, type TraceComponent } from './tracing';

export interface SpanOptions {
  readonly component: TraceComponent;
  /** The incident step this span marks, if any (protocol/tracing.ts). */
  readonly step?: IncidentStep;
  /** A traceparent from a header, a message or the state; absent: the active span, or a new trace. */
  readonly parent?: string | undefined;
  /** Other traces this span belongs with (e.g. the signal that asked for a failback, on the incident's failback span). */
  readonly links?: readonly (string | undefined)[];
  readonly startTime?: Date;
  readonly attributes?: Readonly<Record<string, string | number | boolean>>;
}

export interface Tracing {
  /** Runs `work` inside a new span, active for everything it awaits; ends the span when `work` settles. */
  inSpan<T>(name: string, options: SpanOptions, work: () => Promise<T>): Promise<T>;
  /** A span of something already over, e.g. a step whose start was recorded in the state. */
  record(name: string, options: SpanOptions & { readonly startTime: Date; readonly endTime?: Date }): void;
  /** Sends what has ended (a Lambda or a Function calls it before its invocation returns: it may be frozen after). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

const propagator = new W3CTraceContextPropagator();

let contextManagerReady = false;
/** Async context for `inSpan`: one manager per process, shared by every component in it. */
function ensureContextManager(): void {
  if (contextManagerReady) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  contextManagerReady = true;
}

/** The context a traceparent names (a remote parent), or the root context. */
function contextOf(traceparent: string | undefined): Context {
  if (traceparent === undefined) return ROOT_CONTEXT;
  return propagator.extract(ROOT_CONTEXT, { [TRACEPARENT]: traceparent }, { get: (carrier, key) => carrier[key], keys: (carrier) => Object.keys(carrier) });
}

/** The traceparent of the span active now; undefined outside any span, or in a trace nobody records. */
export function activeTraceparent(): string | undefined {
  const active = trace.getSpanContext(context.active());
  if (active === undefined || (active.traceFlags & TraceFlags.SAMPLED) === 0) return undefined;
  const carrier: Record<string, string> = {};
  propagator.inject(context.active(), carrier, { set: (target, key, value) => (target[key] = value) });
  return carrier[TRACEPARENT];
}

/** `{ traceparent }` inside a span, `{}` outside one: for an outgoing request's headers or a message's fields alike. */
export function traceContext(): { [TRACEPARENT]?: string } {
  const traceparent = activeTraceparent();
  return traceparent === undefined ? {} : { [TRACEPARENT]: traceparent };
}

/** Where spans go, from the standard variables of `env`; undefined: nowhere. */
export function tracesEndpoint(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

/**
 * Tracing for the component `serviceName`, exporting where `env` says; `exporter` replaces the OTLP one (tests: the
 * OTLP exporter loads `http` with a dynamic import, which Jest's module sandbox refuses).
 */
export function createTracing(env: Readonly<Record<string, string | undefined>>, serviceName: string, options: { readonly exporter?: SpanExporter } = {}): Tracing {
  ensureContextManager();
  const url = tracesEndpoint(env);
  const exporter = options.exporter ?? (url === undefined ? undefined : new OTLPTraceExporter({ url }));
  // Tens of spans per incident: each goes out when it ends, so none waits in a buffer for a freeze or a kill.
  const provider = new TracerProvider({
    sampler: new ParentBasedSampler({ root: exporter === undefined ? new AlwaysOffSampler() : new AlwaysOnSampler() }),
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? serviceName }),
    spanProcessors: exporter === undefined ? [] : [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('spot-on');

  const start = (name: string, options: SpanOptions): Span => {
    const parent = options.parent === undefined ? context.active() : contextOf(options.parent);
    const links: Link[] = (options.links ?? []).flatMap((link) => {
      const linked = link === undefined ? undefined : trace.getSpanContext(contextOf(link));
      return linked === undefined ? [] : [{ context: linked }];
    });
    return tracer.startSpan(
      name,
      {
        attributes: { [SPAN_ATTRIBUTES.component]: options.component, ...(options.step === undefined ? {} : { [SPAN_ATTRIBUTES.step]: options.step }), ...options.attributes },
        links,
        ...(options.startTime === undefined ? {} : { startTime: options.startTime }),
      },
      parent,
    );
  };

  return {
    async inSpan(name, options, work) {
      const span = start(name, options);
      try {
        return await context.with(trace.setSpan(context.active(), span), work);
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
    record(name, options) {
      start(name, options).end(options.endTime ?? new Date());
    },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
