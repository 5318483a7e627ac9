/**
 * The slice of the Kubernetes API server that Spot-On calls, over HTTPS with the cluster's own CA: list nodes,
 * list pods with label and field selectors, read a deployment (its ready replicas) and read or patch its `scale` subresource. Answers use
 * the real object and `Status` shapes. Authentication is checked as far as it can be without the cloud: EKS
 * accepts `k8s-aws-v1.` tokens that decode to a presigned STS GetCallerIdentity URL signing `x-k8s-aws-id` (STS
 * itself, which would check the signature, is not called); AKS a bearer token; or anonymous access.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLocalCertificate } from '../tls';
import { matchesLabelSelector, type ClusterState, type SimDeployment, type SimNode, type SimPod } from './state';
import { listen } from '../net';

export type KubeAuth = 'eks' | 'bearer' | 'anonymous';

export interface KubeApiServer {
  readonly url: string;
  readonly caPem: string;
  /** Requests served, for the drill's timeline and tests. */
  requests(): readonly { method: string; path: string; status: number }[];
  stop(): Promise<void>;
}

const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';

/** True when a token has the form of an EKS token: a presigned STS GetCallerIdentity URL signing `x-k8s-aws-id`. */
export function isEksToken(token: string): boolean {
  if (!token.startsWith(EKS_TOKEN_PREFIX)) return false;
  try {
    const url = new URL(Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), 'base64url').toString('utf8'));
    const signedHeaders = (url.searchParams.get('X-Amz-SignedHeaders') ?? '').split(';');
    return (
      /^sts\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(url.hostname) &&
      url.searchParams.get('Action') === 'GetCallerIdentity' &&
      signedHeaders.includes('x-k8s-aws-id') &&
      url.searchParams.has('X-Amz-Signature')
    );
  } catch {
    return false;
  }
}

const nodeJson = (node: SimNode) => ({
  kind: 'Node',
  apiVersion: 'v1',
  metadata: { name: node.name, labels: node.labels },
  spec: { providerID: node.providerID },
  status: { conditions: [{ type: 'Ready', status: node.ready ? 'True' : 'False' }] },
});

const podJson = (pod: SimPod) => ({
  kind: 'Pod',
  apiVersion: 'v1',
  metadata: { name: pod.name, namespace: pod.namespace, labels: pod.labels },
  spec: { nodeName: pod.nodeName },
  status: { phase: pod.phase, ...(pod.podIP === undefined ? {} : { podIP: pod.podIP }) },
});

const scaleJson = (deployment: SimDeployment) => ({
  kind: 'Scale',
  apiVersion: 'autoscaling/v1',
  metadata: { name: deployment.name, namespace: deployment.namespace },
  spec: { replicas: deployment.replicas },
  status: { replicas: deployment.replicas },
});

/** A Deployment as the API serves it; like Kubernetes, it omits `readyReplicas` when none is ready. */
const deploymentJson = (deployment: SimDeployment, ready: number) => ({
  kind: 'Deployment',
  apiVersion: 'apps/v1',
  metadata: { name: deployment.name, namespace: deployment.namespace },
  spec: { replicas: deployment.replicas },
  status: { replicas: deployment.replicas, ...(ready > 0 ? { readyReplicas: ready } : {}) },
});

const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code });

/** Serves `state` over HTTPS on 127.0.0.1. */
export async function startKubeApiServer(state: ClusterState, auth: KubeAuth): Promise<KubeApiServer> {
  const { certPem, keyPem } = await createLocalCertificate(`${state.name} API server`, ['localhost', '127.0.0.1', 'kubernetes.default.svc']);
  const log: { method: string; path: string; status: number }[] = [];

  const authorized = (req: IncomingMessage): boolean => {
    if (auth === 'anonymous') return true;
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (token === undefined) return false;
    return auth === 'bearer' || isEksToken(token);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const answer = (code: number, payload: unknown) => {
      log.push({ method: req.method ?? '', path: url.pathname, status: code });
      res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    };
    if (!authorized(req)) return answer(401, status(401, 'Unauthorized', 'Unauthorized'));
    const list = <T>(kind: string, items: T[]) => answer(200, { kind, apiVersion: 'v1', metadata: { resourceVersion: state.version }, items });

    if (req.method === 'GET' && url.pathname === '/api/v1/nodes') return list('NodeList', [...state.nodes.values()].map(nodeJson));
    const pods = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(url.pathname);
    if (req.method === 'GET' && pods) {
      const selector = url.searchParams.get('labelSelector') ?? '';
      const field = url.searchParams.get('fieldSelector') ?? '';
      const nodeName = /^spec\.nodeName=(.*)$/.exec(field)?.[1];
      if (field !== '' && nodeName === undefined) return answer(400, status(400, 'BadRequest', `field label not supported: ${field}`));
      const items = [...state.pods.values()].filter(
        (pod) => pod.namespace === pods[1] && matchesLabelSelector(pod.labels, selector) && (nodeName === undefined || pod.nodeName === nodeName),
      );
      return list('PodList', items.map(podJson));
    }
    const deploymentPath = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && deploymentPath) {
      const [, namespace = '', name = ''] = deploymentPath;
      const deployment = state.deployment(namespace, name);
      if (deployment === undefined) return answer(404, status(404, 'NotFound', `deployments.apps "${name}" not found`));
      return answer(200, deploymentJson(deployment, deployment.podsReadyAtOnce ? deployment.replicas : state.readyPods(namespace)));
    }
    const scale = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)\/scale$/.exec(url.pathname);
    if (scale) {
      const [, namespace = '', name = ''] = scale;
      const deployment = state.deployment(namespace, name);
      if (deployment === undefined) return answer(404, status(404, 'NotFound', `deployments.apps "${name}" not found`));
      if (req.method === 'GET') return answer(200, scaleJson(deployment));
      if (req.method === 'PATCH' || req.method === 'PUT') {
        const type = req.headers['content-type'] ?? '';
        if (req.method === 'PATCH' && !/application\/(merge-patch|strategic-merge-patch)\+json/.test(type)) {
          return answer(415, status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json`));
        }
        let replicas: unknown;
        try {
          replicas = (JSON.parse(body) as { spec?: { replicas?: unknown } }).spec?.replicas;
        } catch {
          return answer(400, status(400, 'BadRequest', 'invalid JSON body'));
        }
        if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
          return answer(422, status(422, 'Invalid', `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value`));
        }
        return answer(200, scaleJson(state.scale(namespace, name, replicas) ?? deployment));
      }
    }
    return answer(404, status(404, 'NotFound', `the server could not find the requested resource (${req.method} ${url.pathname})`));
  };

  const server: Server = createServer({ key: keyPem, cert: certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  const port = await listen(server);
  return {
    url: `https://127.0.0.1:${port}`,
    caPem: certPem,
    requests: () => log,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
