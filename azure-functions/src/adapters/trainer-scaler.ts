/**
 * Scales the Azure trainer Deployment through the Kubernetes API of the AKS cluster:
 * `PATCH /apis/apps/v1/namespaces/<ns>/deployments/<name>/scale` with a JSON merge patch `{"spec":{"replicas":N}}`.
 * Setting replicas is idempotent, so a re-run after a crash is harmless.
 *
 * Authentication in Azure: an Entra ID token of the function app's managed identity for the AKS AAD server
 * application (`6dae42f8-4368-4678-94ff-3960e28e3630/.default`, the same first-party app id for every AKS cluster
 * with AKS-managed Entra integration); authorization is Azure RBAC for Kubernetes ("Azure Kubernetes Service RBAC
 * Writer" on the trainer namespace, granted by terraform-azure). The API server's certificate is signed by the
 * cluster CA, so the CA is trusted explicitly.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { TrainerScaleError, TransientDependencyError, isTransientStatus } from '../errors';

/** Scope of an Entra ID token for the Kubernetes API of an AKS cluster with AKS-managed Entra integration. */
export const AKS_AAD_SERVER_SCOPE = '6dae42f8-4368-4678-94ff-3960e28e3630/.default';

/** Sets the replica count of the Azure trainers and tells how many are ready. */
export interface TrainerScaler {
  scale(replicas: number): Promise<void>;
  /**
   * Trainer pods that pass their readiness probe (the Deployment's `status.readyReplicas`). A scaled Deployment
   * is no failover until its pods run: without a GPU device plugin or a free node they stay Pending for ever.
   */
  readyReplicas(): Promise<number>;
}

/** Where the API server is and how to trust it. */
export interface ApiServerConnection {
  readonly endpoint: string;
  /** PEM of the cluster CA; undefined trusts the default CAs (local stand-ins over http). */
  readonly caPem?: string;
}

export interface KubernetesTrainerScalerOptions {
  /** Resolves the API server (from settings, or discovered through ARM once and cached by the caller). */
  readonly connection: () => Promise<ApiServerConnection>;
  /** A bearer token, or undefined to send none (local stand-in only). */
  readonly token: () => Promise<string | undefined>;
  readonly namespace: string;
  readonly deployment: string;
  readonly timeoutMs: number;
}

/** A Kubernetes Status message, or the start of the body. */
function statusMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === 'string') return body.message;
  } catch {
    // not JSON: use the raw text
  }
  return text.slice(0, 300);
}

/** The trainer scaler against a Kubernetes API server. */
export function kubernetesTrainerScaler(options: KubernetesTrainerScalerOptions): TrainerScaler {
  const deploymentPath = `/apis/apps/v1/namespaces/${encodeURIComponent(options.namespace)}/deployments/${encodeURIComponent(options.deployment)}`;

  /** One API call; resolves the response body. 5xx, 429, 409 and network trouble are transient. */
  async function call(method: 'GET' | 'PATCH', path: string, body?: string, what = `${method} ${path}`): Promise<string> {
    const [connection, token] = await Promise.all([options.connection(), options.token()]);
    const url = new URL(path, connection.endpoint);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const requestOptions: RequestOptions = {
      method,
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/merge-patch+json', 'content-length': String(Buffer.byteLength(body)) }),
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      ...(connection.caPem === undefined ? {} : { ca: connection.caPem }),
      signal: AbortSignal.timeout(options.timeoutMs),
    };
    return new Promise<string>((resolve, reject) => {
      const transient = (error: Error) => reject(new TransientDependencyError('kubernetes', `${what} failed: ${error.message}`, { cause: error }));
      const req = send(url, requestOptions, (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', transient);
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          if (status >= 200 && status < 300) return resolve(text);
          const message = `${what} answered ${status}: ${statusMessage(text)}`;
          if (isTransientStatus(status) || status === 409) reject(new TransientDependencyError('kubernetes', message));
          else reject(new TrainerScaleError(message, { status }));
        });
      });
      req.on('error', transient);
      req.end(body);
    });
  }

  return {
    async scale(replicas) {
      if (!Number.isInteger(replicas) || replicas < 0) throw new RangeError(`replicas must be a whole number >= 0, not ${replicas}`);
      await call('PATCH', `${deploymentPath}/scale`, JSON.stringify({ spec: { replicas } }), `PATCH ${deploymentPath}/scale replicas=${replicas}`);
    },
    async readyReplicas() {
      const text = await call('GET', deploymentPath);
      let ready: unknown;
      try {
        ready = (JSON.parse(text) as { status?: { readyReplicas?: unknown } }).status?.readyReplicas;
      } catch (error) {
        throw new TransientDependencyError('kubernetes', `GET ${deploymentPath} answered no JSON`, { cause: error });
      }
      // Kubernetes omits readyReplicas when it is zero.
      return typeof ready === 'number' && Number.isInteger(ready) && ready >= 0 ? ready : 0;
    },
  };
}

/** Reads `server` and `certificate-authority-data` of the first cluster in a kubeconfig (YAML as AKS returns it). */
export function apiServerFromKubeconfig(kubeconfig: string): ApiServerConnection {
  const server = /^\s*server:\s*["']?(https:\/\/[^\s"']+)["']?\s*$/m.exec(kubeconfig)?.[1];
  const caData = /^\s*certificate-authority-data:\s*["']?([A-Za-z0-9+/=]+)["']?\s*$/m.exec(kubeconfig)?.[1];
  if (server === undefined) throw new TrainerScaleError('the cluster kubeconfig names no https server');
  if (caData === undefined) throw new TrainerScaleError('the cluster kubeconfig has no certificate-authority-data');
  return { endpoint: server, caPem: Buffer.from(caData, 'base64').toString('utf8') };
}
