/**
 * The aggregator's HTTP edge (node:http): parses and validates requests with zod, calls the Aggregator,
 * answers JSON (or a frame for GET /model). Routes are listed in fl-training/README.md, "Wire protocol".
 * Every route a trainer uses needs a request signed with the trainer key ring (method, target and body, see
 * protocol/signing.ts requestBytes), checked before anything else reads the request: an unsigned caller can neither
 * register, leave, heartbeat (and so hide an AWS silence) nor push weights. Probes and scrapes (/healthz,
 * /metrics, /status) stay open.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import { verifyWithRing, type KeyRing } from '../../protocol/keys';
import { requestBytes, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../protocol/signing';
import { WireFormatError } from '../errors';
import { decodeFrame, FRAME_CONTENT_TYPE, MAX_FRAME_HEADER_BYTES } from '../wire/frame';
import { HeartbeatSchema, LeaveSchema, RegisterRequestSchema, UpdateMetaSchema, type ErrorReply, type RejectionCode } from '../wire/messages';
import { encodedBytes } from '../wire/weights';
import type { Aggregator } from './aggregator';
import { METRICS_CONTENT_TYPE } from './metrics';
import { Gate } from '../gate';
import { isRejection, type Rejection } from './validate';
import { issueList } from '../../protocol/zod-issues';

/** Largest JSON request body. */
const MAX_JSON_BYTES = 64 * 1024;
/** Longest long-poll a trainer may ask for. */
const MAX_WAIT_MS = 60_000;

export interface AggregatorServerOptions {
  readonly port?: number;
  readonly host?: string;
  /** Verifies every trainer request. */
  readonly trainerKeys: KeyRing;
  readonly log?: (line: string) => void;
  /** Update bodies read and processed at once; the others wait unread (gate.ts). @default 2 */
  readonly concurrentUpdates?: number;
}

export interface AggregatorServer {
  readonly url: string;
  readonly port: number;
  /** Stops accepting and closes idle connections; in-flight requests finish. */
  close(): Promise<void>;
  /** Drops every connection at once (crash simulation). */
  kill(): Promise<void>;
}

class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: RejectionCode,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  if (res.headersSent) return;
  const data = Buffer.isBuffer(body) ? body : typeof body === 'string' ? Buffer.from(body) : Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': contentType, 'content-length': data.length });
  res.end(data);
}

const sendRejection = (res: ServerResponse, rejection: Pick<Rejection, 'status' | 'code' | 'message'>) =>
  send(res, rejection.status, { error: rejection.code, message: rejection.message } satisfies ErrorReply);

/** The whole body, at most `limit` bytes; with a Content-Length, into one buffer of that size (no second copy). */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new HttpError(413, 'too-large', `body of ${declared} bytes exceeds ${limit}`);
  const sized = Number.isSafeInteger(declared) && declared >= 0 ? Buffer.allocUnsafe(declared) : undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const bytes = chunk as Buffer;
    if (size + bytes.length > (sized?.length ?? limit)) throw new HttpError(sized ? 400 : 413, sized ? 'malformed' : 'too-large', sized ? 'body longer than its Content-Length' : `body exceeds ${limit} bytes`);
    if (sized) bytes.copy(sized, size);
    else chunks.push(bytes);
    size += bytes.length;
  }
  if (sized) {
    if (size !== sized.length) throw new HttpError(400, 'malformed', `body of ${size} bytes, Content-Length ${sized.length}`);
    return sized;
  }
  return Buffer.concat(chunks, size);
}

function parseJson<T extends z.ZodType>(schema: T, body: Buffer): z.infer<T> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'malformed', 'body is not JSON');
  }
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpError(400, 'malformed', issueList(result.error, '(body)'));
  return result.data;
}

function intParam(url: URL, name: string, fallback: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  if (!/^\d{1,9}$/.test(raw)) throw new HttpError(400, 'malformed', `${name} must be a non-negative integer`);
  return Math.min(Number(raw), max);
}

/** Routes only trainers call: signed with the trainer key ring. */
const TRAINER_ROUTES = new Set(['GET /config', 'POST /register', 'POST /heartbeat', 'POST /leave', 'GET /model', 'POST /update']);

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Serves an aggregator over HTTP. */
export async function startAggregatorServer(aggregator: Aggregator, options: AggregatorServerOptions): Promise<AggregatorServer> {
  const log = options.log ?? (() => undefined);
  const maxUpdateBytes = 8 + MAX_FRAME_HEADER_BYTES + encodedBytes(aggregator.specs);
  const updates = new Gate(options.concurrentUpdates ?? 2);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://aggregator');
    const key = `${req.method} ${url.pathname}`;
    // An update's body is read, checked and folded in under the gate: memory holds a few models, not one per trainer.
    if (key === 'POST /update') return updates.run(() => serve(req, res, url, key));
    return serve(req, res, url, key);
  }

  async function serve(req: IncomingMessage, res: ServerResponse, url: URL, key: string): Promise<void> {
    let body: Buffer = Buffer.alloc(0);
    if (TRAINER_ROUTES.has(key)) {
      body = await readBody(req, key === 'POST /update' ? maxUpdateBytes : MAX_JSON_BYTES);
      const verdict = verifyWithRing(options.trainerKeys, requestBytes(req.method ?? 'GET', req.url ?? '/', body), { timestamp: header(req, TIMESTAMP_HEADER), signature: header(req, SIGNATURE_HEADER) });
      if (!verdict.ok) throw new HttpError(401, 'bad-signature', verdict.reason);
    }
    switch (key) {
      case 'GET /healthz':
        return send(res, aggregator.fatal ? 503 : 200, { status: aggregator.fatal ? 'fatal' : 'ok', runId: aggregator.runId, round: aggregator.committedRound, openRound: aggregator.openRound, epoch: aggregator.epoch, done: aggregator.done });
      case 'GET /metrics':
        return send(res, 200, await aggregator.metricsText(), METRICS_CONTENT_TYPE);
      case 'GET /status':
        return send(res, 200, aggregator.status());
      case 'GET /config':
        return send(res, 200, { config: aggregator.config, configHash: aggregator.configHash });
      case 'POST /register': {
        const reply = aggregator.register(parseJson(RegisterRequestSchema, body));
        return isRejection(reply) ? sendRejection(res, reply) : send(res, 200, reply);
      }
      case 'POST /heartbeat': {
        const rejection = aggregator.heartbeat(parseJson(HeartbeatSchema, body).clientId);
        return rejection ? sendRejection(res, rejection) : send(res, 200, { ok: true });
      }
      case 'POST /leave': {
        const leave = parseJson(LeaveSchema, body);
        const rejection = aggregator.leave(leave.clientId, leave.reason);
        return rejection ? sendRejection(res, rejection) : send(res, 200, { ok: true });
      }
      case 'GET /model': {
        const clientId = url.searchParams.get('clientId');
        if (!clientId) throw new HttpError(400, 'malformed', 'clientId is required');
        const abort = new AbortController();
        res.once('close', () => abort.abort());
        const answer = await aggregator.model(clientId, intParam(url, 'minRound', 0, 999_999), intParam(url, 'waitMs', 0, MAX_WAIT_MS), abort.signal);
        if (isRejection(answer)) return sendRejection(res, answer);
        if (answer.kind === 'done') return sendRejection(res, { status: 410, code: 'run-complete', message: `run ${aggregator.runId} is complete` });
        if (answer.kind === 'none') {
          res.writeHead(204).end();
          return;
        }
        return send(res, 200, answer.frame, FRAME_CONTENT_TYPE);
      }
      case 'POST /update': {
        let frame: { header: unknown; payload: Uint8Array };
        try {
          frame = decodeFrame(body);
        } catch (error) {
          throw new HttpError(400, 'malformed', error instanceof WireFormatError ? error.message : 'body is not a frame');
        }
        const meta = UpdateMetaSchema.safeParse(frame.header);
        if (!meta.success) throw new HttpError(400, 'malformed', issueList(meta.error, '(meta)'));
        const reply = await aggregator.submit(meta.data, frame.payload);
        return isRejection(reply) ? sendRejection(res, reply) : send(res, 202, { accepted: true, ...reply });
      }
      default:
        return send(res, 404, { error: 'not-found', message: `no route ${key}` });
    }
  }

  const server: Server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        if (error.status === 413) res.setHeader('connection', 'close'); // do not keep a connection with an unread body
        sendRejection(res, { status: error.status as Rejection['status'], code: error.code, message: error.message });
        return;
      }
      log(`${req.method} ${req.url}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      // The details (addresses, stack) go to the log only.
      send(res, 503, { error: 'unavailable', message: 'the aggregator could not answer now; retry' });
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  return {
    url: `http://${host}:${port}`,
    port,
    close: async () => {
      server.close();
      server.closeIdleConnections();
      await closed;
    },
    kill: async () => {
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
