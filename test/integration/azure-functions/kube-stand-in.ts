/**
 * A stand-in for the AKS Kubernetes API server in integration tests: an HTTPS server on 127.0.0.1 with a
 * self-signed certificate that records `PATCH .../deployments/<name>/scale` calls and answers like the API
 * server does (a Scale object), and serves `GET .../deployments/<name>` with its ready replicas (all of the last
 * scale, unless `readyAtMost` holds them back, as Pending pods would). It checks what the real one would: a bearer
 * token and the merge-patch content type.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createLocalCertificate } from '../../../local/tls';

export interface ScaleCall {
  readonly path: string;
  readonly replicas: number;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
}

export interface KubeStandIn {
  readonly url: string;
  readonly caPem: string;
  readonly calls: ScaleCall[];
  /** Answers the next `count` PATCHes with `status` (e.g. 503). */
  failNext(count: number, status: number): void;
  /** At most this many pods are ready (undefined: every replica). */
  readyAtMost: number | undefined;
  stop(): Promise<void>;
}

const SCALE_PATH = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)\/scale$/;
const DEPLOYMENT_PATH = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)$/;

export async function startKubeStandIn(): Promise<KubeStandIn> {
  const { certPem, keyPem } = await createLocalCertificate('kubernetes-api-stand-in', ['localhost', '127.0.0.1']);
  const calls: ScaleCall[] = [];
  let failures: { count: number; status: number } = { count: 0, status: 503 };
  const server: Server = createServer({ key: keyPem, cert: certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const deployment = DEPLOYMENT_PATH.exec(req.url ?? '');
      if (req.method === 'GET' && deployment !== null) {
        if (!/^Bearer \S+$/.test(req.headers.authorization ?? '')) return answer(401, { kind: 'Status', status: 'Failure', message: 'Unauthorized', code: 401 });
        const replicas = calls.at(-1)?.replicas ?? 0;
        const ready = Math.min(replicas, standIn.readyAtMost ?? replicas);
        return answer(200, { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: deployment[2], namespace: deployment[1] }, spec: { replicas }, status: { replicas, ...(ready > 0 ? { readyReplicas: ready } : {}) } });
      }
      const match = SCALE_PATH.exec(req.url ?? '');
      if (req.method !== 'PATCH' || match === null) return answer(404, { kind: 'Status', status: 'Failure', message: `no route ${req.method} ${req.url}`, code: 404 });
      if (!/^Bearer \S+$/.test(req.headers.authorization ?? '')) return answer(401, { kind: 'Status', status: 'Failure', message: 'Unauthorized', code: 401 });
      if (failures.count > 0) {
        failures = { ...failures, count: failures.count - 1 };
        return answer(failures.status, { kind: 'Status', status: 'Failure', message: 'injected failure', code: failures.status });
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { spec: { replicas: number } };
      calls.push({ path: req.url ?? '', replicas: body.spec.replicas, contentType: req.headers['content-type'], authorization: req.headers.authorization });
      answer(200, { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: match[2], namespace: match[1] }, spec: { replicas: body.spec.replicas }, status: { replicas: 0 } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const standIn: KubeStandIn = {
    readyAtMost: undefined,
    url: `https://127.0.0.1:${port}`,
    caPem: certPem,
    calls,
    failNext: (count, status) => {
      failures = { count, status };
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
  return standIn;
}
