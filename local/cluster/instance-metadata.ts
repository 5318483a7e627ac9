/**
 * EC2 instance metadata (IMDSv2) for the simulated EKS nodes, so that trainer pods learn their instance id the way
 * they do in production (fl-training/trainer/instance-identity.ts, through the SDK's MetadataService). Nothing on
 * npm serves IMDS per instance in-process; AWS's amazon-ec2-metadata-mock is one instance per process.
 *
 * Documented behaviour kept: a session token from `PUT /latest/api/token` (TTL header 1-21600 s) is required on
 * every GET (the node class sets httpTokens: required), an expired or unknown token gets 401. A real IMDS answers
 * for the instance the request comes from; here every pod's endpoint carries its node, `<url>/nodes/<node name>`,
 * which the SDK puts before the metadata path.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { listen } from '../net';
import type { ClusterState } from './state';

const MAX_TTL_SECONDS = 21_600;

export interface InstanceMetadataServer {
  readonly url: string;
  /** The metadata endpoint a pod on `nodeName` gets (AWS_EC2_METADATA_SERVICE_ENDPOINT). */
  endpointFor(nodeName: string): string;
  stop(): Promise<void>;
}

/** Serves IMDSv2 for the nodes of `cluster`, reading each node's instance id from its providerID. */
export async function startInstanceMetadata(cluster: ClusterState, now: () => number = Date.now): Promise<InstanceMetadataServer> {
  const tokens = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').replace(/\/{2,}/g, '/');
    const answer = (status: number, body = '') => res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
    if (req.method === 'PUT' && path === '/latest/api/token') {
      const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) return answer(400);
      const token = randomBytes(24).toString('base64url');
      tokens.set(token, now() + ttl * 1000);
      return answer(200, token);
    }
    const token = req.headers['x-aws-ec2-metadata-token'];
    const expires = typeof token === 'string' ? tokens.get(token) : undefined;
    if (expires === undefined || expires <= now()) return answer(401);
    const match = /^\/nodes\/([^/]+)\/latest\/meta-data\/instance-id$/.exec(path);
    if (req.method !== 'GET' || match === null) return answer(404);
    const providerId = cluster.nodes.get(decodeURIComponent(match[1] ?? ''))?.providerID;
    const instanceId = providerId?.split('/').pop();
    return instanceId ? answer(200, instanceId) : answer(404);
  });
  const port = await listen(server);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    endpointFor: (nodeName) => `${url}/nodes/${encodeURIComponent(nodeName)}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
