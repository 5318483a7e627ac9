import { FLUSH_ANSWER_TIMEOUT_MS, FLUSH_PATH, type FlushRequest } from '../../protocol/flush-request';
import { sign } from '../../protocol/signing';
import { traceContext } from '../../protocol/tracer';
import { answerReason, describeFetchError, isRetryableStatus, type FetchFunction } from './http';
import type { SigningKeySource } from './secret';

/** What became of one flush request. */
export type FlushOutcome =
  /** 2xx: the trainer flushed (or had already flushed this requestId). */
  | { readonly outcome: 'flushed'; readonly status: number }
  /** 409: a flush is already running; just as good. */
  | { readonly outcome: 'already-flushing'; readonly status: 409 }
  /** Any other 4xx: the trainer refused (bad signature, bad body); retrying cannot help. */
  | { readonly outcome: 'rejected'; readonly status: number; readonly reason: string }
  /** 5xx, 408, 429, network error or timeout: worth retrying while the deadline allows. */
  | { readonly outcome: 'failed'; readonly status?: number; readonly reason: string }
  /** The deadline had passed before the request could be sent. */
  | { readonly outcome: 'expired' };

/** A trainer pod that can be asked to flush. */
export interface FlushTarget {
  readonly name: string;
  readonly ip: string;
}

/** Asks trainers to flush their in-progress work. */
export interface TrainerFlusher {
  flush(target: FlushTarget, request: FlushRequest): Promise<FlushOutcome>;
}

export interface HttpTrainerFlusherOptions {
  readonly port: number;
  readonly keys: SigningKeySource;
  /** Longest wait for the trainer's answer; the deadline cuts it shorter. @default FLUSH_ANSWER_TIMEOUT_MS */
  readonly answerTimeoutMs?: number;
  readonly fetch?: FetchFunction;
  readonly nowMs?: () => number;
}

function podUrl(ip: string, port: number): string {
  const host = ip.includes(':') ? `[${ip}]` : ip;
  return `http://${host}:${port}${FLUSH_PATH}`;
}

/**
 * Flushes over plain HTTP inside the cluster network, HMAC-signed. The trainer answers on acceptance, so the
 * wait is short (answerTimeoutMs) and never runs past the deadline.
 */
export function httpTrainerFlusher(options: HttpTrainerFlusherOptions): TrainerFlusher {
  const fetchFn = options.fetch ?? ((url, init) => fetch(url, init));
  const nowMs = options.nowMs ?? Date.now;
  return {
    async flush(target, request) {
      const key = await options.keys.get();
      const remainingMs = Date.parse(request.deadline) - nowMs();
      if (remainingMs <= 0) return { outcome: 'expired' };
      const timeoutMs = Math.min(remainingMs, options.answerTimeoutMs ?? FLUSH_ANSWER_TIMEOUT_MS);
      const body = JSON.stringify(request);
      let response: Response;
      try {
        response = await fetchFn(podUrl(target.ip, options.port), {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...sign(key, body, nowMs()), ...traceContext() },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        return { outcome: 'failed', reason: describeFetchError(error, timeoutMs) };
      }
      const { status } = response;
      if (status >= 200 && status < 300) {
        await response.body?.cancel();
        return { outcome: 'flushed', status };
      }
      if (status === 409) {
        await response.body?.cancel();
        return { outcome: 'already-flushing', status };
      }
      const reason = await answerReason(response);
      return isRetryableStatus(status) ? { outcome: 'failed', status, reason } : { outcome: 'rejected', status, reason };
    },
  };
}
