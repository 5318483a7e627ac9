/** The trainer's HTTP client for the aggregator (global fetch), with typed errors for each failure kind. */
import { z } from 'zod';
import { requestBytes, sign } from '../../protocol/signing';
import { RunConfigSchema, type RunConfig } from '../config';
import { WireFormatError } from '../errors';
import { decodeFrame, encodeFrame, FRAME_CONTENT_TYPE } from '../wire/frame';
import {
  ErrorReplySchema,
  ModelHeaderSchema,
  RegisterReplySchema,
  UpdateReplySchema,
  type ModelHeader,
  type RegisterReply,
  type RegisterRequest,
  type RejectionCode,
  type UpdateMeta,
} from '../wire/messages';
import { decodeWeights } from '../wire/weights';

/** The aggregator answered with a 4xx: the request itself was refused (code says why). */
export class AggregatorRejectedError extends Error {
  override readonly name = 'AggregatorRejectedError';
  constructor(
    readonly status: number,
    readonly code: RejectionCode | 'unknown',
    message: string,
  ) {
    super(`aggregator refused (${status} ${code}): ${message}`);
  }
}

/** The aggregator could not be reached or answered 5xx: worth retrying. */
export class AggregatorUnavailableError extends Error {
  override readonly name = 'AggregatorUnavailableError';
}

export type ModelFetch = { kind: 'model'; header: ModelHeader; weights: Float32Array[] } | { kind: 'none' } | { kind: 'done' };

const ConfigReplySchema = z.object({ config: RunConfigSchema, configHash: z.string() });

/** A request to the aggregator: every one is signed with the trainer key (method, target and body). */
interface AggregatorRequest {
  readonly method?: 'GET' | 'POST';
  readonly body?: string | Uint8Array<ArrayBuffer>;
  readonly contentType?: string;
  readonly timeoutMs?: number;
  readonly abort?: AbortSignal;
}

export class AggregatorClient {
  /**
   * @param trainerKey the signing key of the trainer key ring (protocol/keys.ts): the aggregator answers 401 to
   *   anything it cannot verify
   */
  constructor(
    readonly baseUrl: string,
    private readonly trainerKey: string,
    private readonly timeoutMs = 30_000,
  ) {}

  private async request(path: string, init: AggregatorRequest = {}): Promise<Response> {
    const timeout = AbortSignal.timeout(init.timeoutMs ?? this.timeoutMs);
    const signal = init.abort ? AbortSignal.any([timeout, init.abort]) : timeout;
    const url = new URL(path, this.baseUrl);
    const method = init.method ?? 'GET';
    const body = init.body ?? '';
    const headers = { ...(init.contentType ? { 'content-type': init.contentType } : {}), ...sign(this.trainerKey, requestBytes(method, `${url.pathname}${url.search}`, body)) };
    let response: Response;
    try {
      response = await fetch(url, { method, headers, ...(method === 'POST' ? { body } : {}), signal });
    } catch (error) {
      // undici puts the reason (ECONNREFUSED, socket closed) in `cause`; duck-typed, errors may come from another realm
      const reason = (error as { cause?: { message?: string } }).cause?.message ?? (error as { message?: string }).message ?? String(error);
      throw new AggregatorUnavailableError(`${init.method ?? 'GET'} ${path}: ${reason}`, { cause: error });
    }
    if (response.status >= 500) {
      const text = await response.text().catch(() => '');
      throw new AggregatorUnavailableError(`${init.method ?? 'GET'} ${path}: HTTP ${response.status} ${text.slice(0, 200)}`);
    }
    if (response.status >= 400) {
      const text = await response.text().catch(() => '');
      let parsed: ReturnType<typeof ErrorReplySchema.safeParse> | undefined;
      try {
        parsed = ErrorReplySchema.safeParse(JSON.parse(text));
      } catch {
        parsed = undefined;
      }
      throw parsed?.success ? new AggregatorRejectedError(response.status, parsed.data.error, parsed.data.message) : new AggregatorRejectedError(response.status, 'unknown', text.slice(0, 200));
    }
    return response;
  }

  private async json(path: string, body: unknown): Promise<unknown> {
    const response = await this.request(path, { method: 'POST', contentType: 'application/json', body: JSON.stringify(body) });
    return response.json();
  }

  /** GET /config: the run configuration the aggregator owns. */
  async config(): Promise<{ config: RunConfig; configHash: string }> {
    return ConfigReplySchema.parse(await (await this.request('/config')).json());
  }

  async register(request: RegisterRequest): Promise<RegisterReply> {
    return RegisterReplySchema.parse(await this.json('/register', request));
  }

  async heartbeat(clientId: string, round?: number, processed?: number): Promise<void> {
    await this.json('/heartbeat', { clientId, ...(round !== undefined ? { round } : {}), ...(processed !== undefined ? { processed } : {}) });
  }

  async leave(clientId: string, reason: string): Promise<void> {
    await this.json('/leave', { clientId, reason });
  }

  /** GET /model: the global model once the open round is >= minRound (long-poll up to waitMs). */
  async fetchModel(clientId: string, minRound: number, waitMs: number, abort?: AbortSignal): Promise<ModelFetch> {
    let response: Response;
    try {
      response = await this.request(`/model?clientId=${encodeURIComponent(clientId)}&minRound=${minRound}&waitMs=${waitMs}`, { timeoutMs: waitMs + this.timeoutMs, ...(abort ? { abort } : {}) });
    } catch (error) {
      if (error instanceof AggregatorRejectedError && error.code === 'run-complete') return { kind: 'done' };
      throw error;
    }
    if (response.status === 204) return { kind: 'none' };
    const { header, payload } = decodeFrame(new Uint8Array(await response.arrayBuffer()));
    const parsed = ModelHeaderSchema.safeParse(header);
    if (!parsed.success) throw new WireFormatError('model frame header is invalid', { cause: parsed.error });
    return { kind: 'model', header: parsed.data, weights: decodeWeights(payload, parsed.data.weights) };
  }

  /** POST /update: one frame, meta header + float32 payload. */
  async pushUpdate(meta: UpdateMeta, payload: Uint8Array): Promise<z.infer<typeof UpdateReplySchema>> {
    const response = await this.request('/update', { method: 'POST', contentType: FRAME_CONTENT_TYPE, body: encodeFrame(meta, payload) });
    return UpdateReplySchema.parse(await response.json());
  }
}
