import type { ClientRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { ClusterAccess } from './eks-auth';

/** Read-only access to the Kubernetes API server (JSON over HTTPS). */
export interface KubernetesApi {
  /** GETs `path` with `query`; resolves with the parsed JSON body of a 2xx answer. */
  get(path: string, query?: Readonly<Record<string, string>>): Promise<unknown>;
}

/** A Kubernetes API call failed; `transient` is true for 5xx, 408, 429, network errors and timeouts. */
export class KubernetesApiError extends Error {
  override readonly name = 'KubernetesApiError';
  readonly status: number | undefined;
  readonly transient: boolean;
  constructor(message: string, options: { status?: number; transient: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.status = options.status;
    this.transient = options.transient;
  }
}

/** node:https `request(url, options, callback)`, injectable so tests never open a socket. */
export type HttpsRequestFunction = (url: URL, options: RequestOptions, callback: (response: IncomingMessage) => void) => ClientRequest;

export interface HttpsKubernetesApiOptions {
  readonly access: ClusterAccess;
  /** Upper bound for one call, connection included. */
  readonly timeoutMs: number;
  readonly request?: HttpsRequestFunction;
}

// Kubernetes answers errors with a Status object whose `message` says what went wrong.
function statusMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === 'string') return body.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 300);
}

function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** Kubernetes API over node:https, trusting only the cluster CA and authenticating with the EKS token. */
export function httpsKubernetesApi(options: HttpsKubernetesApiOptions): KubernetesApi {
  const send = options.request ?? (httpsRequest as HttpsRequestFunction);
  return {
    async get(path, query = {}) {
      const { endpoint, caPem, token } = await options.access.connection();
      const url = new URL(path, endpoint);
      for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
      const what = `GET ${url.pathname}${url.search}`;
      return new Promise<unknown>((resolve, reject) => {
        const fail = (error: Error) =>
          reject(new KubernetesApiError(`${what} failed: ${error.message}`, { transient: true, cause: error }));
        const req = send(
          url,
          {
            method: 'GET',
            ca: caPem,
            headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
            signal: AbortSignal.timeout(options.timeoutMs),
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('error', fail);
            response.on('end', () => {
              const status = response.statusCode ?? 0;
              const text = Buffer.concat(chunks).toString('utf8');
              if (status < 200 || status >= 300) {
                reject(
                  new KubernetesApiError(`${what} answered ${status}: ${statusMessage(text)}`, {
                    status,
                    transient: isTransientStatus(status),
                  }),
                );
                return;
              }
              try {
                resolve(JSON.parse(text) as unknown);
              } catch (error) {
                reject(new KubernetesApiError(`${what} answered ${status} with a body that is not JSON`, { status, transient: true, cause: error }));
              }
            });
          },
        );
        req.on('error', fail);
        req.end();
      });
    },
  };
}
