/**
 * A local OTLP/HTTP trace receiver for the drill: every component exports its spans here exactly as it would to the
 * ADOT or OpenTelemetry collector of a deployment (protocol/tracer.ts), and the drill reads them back per trace.
 *
 * Hand-written because nothing on npm receives OTLP: the maintained receivers are the Go collector and Jaeger's
 * binaries. It speaks only what the official JS exporter sends: `POST /v1/traces`, OTLP JSON
 * (ExportTraceServiceRequest, ids in hex), optionally gzipped.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { SPAN_ATTRIBUTES } from '../protocol/tracing';

/** One span as the drill keeps it. */
export interface CollectedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly service: string;
  readonly component?: string;
  readonly step?: string;
  /** Unix epoch milliseconds. */
  readonly startMs: number;
  readonly endMs: number;
}

export interface OtlpCollector {
  /** `http://127.0.0.1:<port>`: the value for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly endpoint: string;
  spans(): readonly CollectedSpan[];
  stop(): Promise<void>;
}

interface OtlpValue {
  stringValue?: string;
}
interface OtlpAttribute {
  key: string;
  value?: OtlpValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: OtlpAttribute[];
}
interface OtlpRequest {
  resourceSpans?: { resource?: { attributes?: OtlpAttribute[] }; scopeSpans?: { spans?: OtlpSpan[] }[] }[];
}

const stringAttribute = (attributes: readonly OtlpAttribute[] | undefined, key: string): string | undefined =>
  attributes?.find((attribute) => attribute.key === key)?.value?.stringValue;

/** Nanoseconds since the epoch (a decimal string in OTLP JSON) to milliseconds. */
const millis = (nanos: string | number): number => Number(BigInt(nanos) / 1_000_000n);

/** The spans of one export request. */
export function spansOf(request: OtlpRequest): CollectedSpan[] {
  return (request.resourceSpans ?? []).flatMap((resourceSpans) => {
    const service = stringAttribute(resourceSpans.resource?.attributes, 'service.name') ?? 'unknown';
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => {
        const component = stringAttribute(span.attributes, SPAN_ATTRIBUTES.component);
        const step = stringAttribute(span.attributes, SPAN_ATTRIBUTES.step);
        return {
          traceId: span.traceId,
          spanId: span.spanId,
          ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
          name: span.name,
          service,
          ...(component === undefined ? {} : { component }),
          ...(step === undefined ? {} : { step }),
          startMs: millis(span.startTimeUnixNano),
          endMs: millis(span.endTimeUnixNano),
        };
      }),
    );
  });
}

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
}

/** Starts a receiver on a free local port. */
export async function startOtlpCollector(): Promise<OtlpCollector> {
  const collected: CollectedSpan[] = [];
  const server = createServer((request, response) => {
    const refuse = (status: number, reason: string) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: reason }));
    if (request.method !== 'POST' || request.url !== '/v1/traces') return refuse(404, 'only POST /v1/traces');
    if (!request.headers['content-type']?.startsWith('application/json')) return refuse(415, 'OTLP JSON only');
    bodyOf(request).then(
      (body) => {
        try {
          collected.push(...spansOf(JSON.parse(body.toString('utf8')) as OtlpRequest));
        } catch (error) {
          return refuse(400, (error as Error).message);
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      },
      (error: unknown) => refuse(400, (error as Error).message),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans: () => [...collected],
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
