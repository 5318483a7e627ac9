import { sign } from '../../protocol/signing';
import { traceContext } from '../../protocol/tracer';
import { answerReason, describeFetchError, isRetryableStatus, type FetchFunction } from './http';
import type { SigningKeySource } from './secret';

/** What the signals endpoint made of one signal. */
export type SendResult =
  /** 2xx: 202 accepted, or 200 duplicate (the id was seen before). */
  | { readonly outcome: 'accepted'; readonly status: number }
  /** 4xx other than 408/429 (or a redirect): refused; resending the same bytes cannot help. */
  | { readonly outcome: 'poison'; readonly status: number; readonly reason: string }
  /** 5xx, 408, 429, network error or timeout: send again later. */
  | { readonly outcome: 'retry'; readonly status?: number; readonly reason: string };

/** Delivers signals to the Azure brain. */
export interface SignalSender {
  /** Sends `rawBody` exactly as given (the signature covers these bytes). */
  send(rawBody: string): Promise<SendResult>;
}

export interface HttpSignalSenderOptions {
  /** Full URL of `POST /api/signals`. */
  readonly endpointUrl: string;
  readonly keys: SigningKeySource;
  readonly timeoutMs: number;
  readonly fetch?: FetchFunction;
  readonly nowMs?: () => number;
}

/** HTTPS POST with x-spoton-timestamp / x-spoton-signature headers and a timeout. */
export function httpSignalSender(options: HttpSignalSenderOptions): SignalSender {
  const fetchFn = options.fetch ?? ((url, init) => fetch(url, init));
  const nowMs = options.nowMs ?? Date.now;
  return {
    async send(rawBody) {
      const key = await options.keys.get();
      let response: Response;
      try {
        response = await fetchFn(options.endpointUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...sign(key, rawBody, nowMs()), ...traceContext() },
          body: rawBody,
          // A redirect would carry the signed body elsewhere: treat it as an answer, not a hop.
          redirect: 'manual',
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (error) {
        return { outcome: 'retry', reason: describeFetchError(error, options.timeoutMs) };
      }
      const { status } = response;
      if (status >= 200 && status < 300) {
        await response.body?.cancel();
        return { outcome: 'accepted', status };
      }
      const reason = await answerReason(response);
      return isRetryableStatus(status) ? { outcome: 'retry', status, reason } : { outcome: 'poison', status, reason };
    },
  };
}
