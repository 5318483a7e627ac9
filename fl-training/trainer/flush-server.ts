/**
 * The trainer's HTTP edge: `POST /checkpoint` (protocol/flush-request.ts), HMAC-verified with
 * protocol/signing.ts, `GET /healthz`, and `GET /metrics` (Prometheus text of metrics.ts; open and read-only, like the
 * aggregator's, for the cluster's scraper). It answers as soon as the flush is accepted; the trainer finishes it
 * on its own. 202 started, 200 already done for this requestId, 409 a flush is in progress, 400 invalid body,
 * 401 bad or expired signature, 403 no flush key (not an AWS trainer), 413 body too large, 421 the request names another instance (a genuine request
 * replayed at the wrong trainer: flush requests travel over plain HTTP inside the VPC, so the signed body binds the
 * instance and this check makes that binding count).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { FLUSH_PATH, FlushRequestSchema, type FlushRequest } from '../../protocol/flush-request';
import { verifyWithRing, type KeyRing } from '../../protocol/keys';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../protocol/signing';
import { parseTraceparent, TRACEPARENT } from '../../protocol/tracing';
import { issueList } from '../../protocol/zod-issues';

/** What the trainer did with a flush request. */
export type FlushAcceptance = 'started' | 'in-progress' | 'done';

export interface FlushTarget {
  /** `traceparent`: the trace context of the Lambda's request, when it sent one. */
  requestFlush(request: FlushRequest, traceparent?: string): FlushAcceptance;
  health(): { phase: string; round?: number | undefined };
}

export interface FlushServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** Serves flush requests for a trainer. */
export async function startFlushServer(target: FlushTarget, options: { port?: number; host?: string; flushKeys: KeyRing | undefined; instanceId?: string | undefined; metrics?: Registry }): Promise<FlushServer> {
  const { flushKeys } = options;
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      const data = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }).end(data);
    };
    const path = new URL(req.url ?? '/', 'http://trainer').pathname;
    if (req.method === 'GET' && path === '/healthz') return reply(200, { status: 'ok', ...target.health() });
    const { metrics } = options;
    if (req.method === 'GET' && path === '/metrics' && metrics) {
      metrics.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text) }).end(text),
        (error: unknown) => reply(500, { error: 'internal', message: error instanceof Error ? error.message : String(error) }),
      );
      return;
    }
    if (req.method !== 'POST' || path !== FLUSH_PATH) return reply(404, { error: 'not-found' });
    readBody(req)
      .then((body) => {
        if (!body) return reply(413, { error: 'too-large', message: `body exceeds ${MAX_BODY_BYTES} bytes` });
        // Only AWS trainers hold the flush keys; nothing else may ask a trainer to stop.
        if (flushKeys === undefined) return reply(403, { error: 'flush-disabled', message: 'this trainer takes no flush requests (it has no flush key)' });
        const verdict = verifyWithRing(flushKeys, body, { timestamp: first(req.headers[TIMESTAMP_HEADER]), signature: first(req.headers[SIGNATURE_HEADER]) });
        if (!verdict.ok) return reply(401, { error: 'bad-signature', message: verdict.reason });
        let json: unknown;
        try {
          json = JSON.parse(body.toString('utf8'));
        } catch {
          return reply(400, { error: 'malformed', message: 'body is not JSON' });
        }
        const parsed = FlushRequestSchema.safeParse(json);
        if (!parsed.success) return reply(400, { error: 'malformed', message: issueList(parsed.error) });
        // A trainer that does not know its instance (IMDS unreachable) cannot tell; it flushes rather than lose work.
        if (options.instanceId !== undefined && parsed.data.instanceId !== options.instanceId) {
          return reply(421, { error: 'wrong-instance', message: `this trainer is not on instance ${parsed.data.instanceId}` });
        }
        const outcome = target.requestFlush(parsed.data, parseTraceparent(first(req.headers[TRACEPARENT])));
        const status = outcome === 'started' ? 202 : outcome === 'done' ? 200 : 409;
        return reply(status, { requestId: parsed.data.requestId, status: outcome });
      })
      .catch((error: unknown) => reply(500, { error: 'internal', message: error instanceof Error ? error.message : String(error) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '0.0.0.0', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const reachable = address === '0.0.0.0' || address === '::' ? '127.0.0.1' : address;
  return {
    url: `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
