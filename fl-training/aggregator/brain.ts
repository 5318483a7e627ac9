/** Sends signed signals to the failover brain (POST /api/signals), retrying transient failures. */
import { SignalSchema, type Signal } from '../../protocol/signal';
import { sign } from '../../protocol/signing';
import { traceContext } from '../../protocol/tracer';

export interface SignalSender {
  /** Resolves 'delivered' (2xx), 'rejected' (4xx other than 408/429: never retried) or 'failed' (gave up). */
  send(signal: Signal): Promise<'delivered' | 'rejected' | 'failed'>;
}

export interface HttpSignalSenderOptions {
  readonly url: string;
  readonly secret: string;
  readonly attempts?: number;
  readonly backoffMs?: number;
  readonly timeoutMs?: number;
  readonly log?: (line: string) => void;
  readonly fetch?: typeof fetch;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** An HMAC-signed sender (protocol/signing.ts) with exponential backoff. */
export function httpSignalSender(options: HttpSignalSenderOptions): SignalSender {
  const fetchFn = options.fetch ?? fetch;
  const attempts = options.attempts ?? 6;
  const log = options.log ?? (() => undefined);
  return {
    async send(signal) {
      const body = JSON.stringify(SignalSchema.parse(signal));
      for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
          const response = await fetchFn(options.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...sign(options.secret, body), ...traceContext() },
            body,
            signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
          });
          await response.body?.cancel();
          if (response.ok) return 'delivered';
          if (response.status < 500 && response.status !== 408 && response.status !== 429) {
            log(`signal ${signal.type} ${signal.id} rejected by the brain: HTTP ${response.status}`);
            return 'rejected';
          }
          log(`signal ${signal.type}: brain answered HTTP ${response.status} (attempt ${attempt}/${attempts})`);
        } catch (error) {
          log(`signal ${signal.type}: ${error instanceof Error ? error.message : String(error)} (attempt ${attempt}/${attempts})`);
        }
        if (attempt < attempts) await sleep((options.backoffMs ?? 500) * 2 ** (attempt - 1));
      }
      return 'failed';
    },
  };
}
