/**
 * The interruption Lambda's real Kubernetes adapters (EKS token, node and pod lookup over node:https with the
 * cluster CA) against the simulated EKS API server; and the VPN tunnel's outage behaviour.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eksToken } from '../../../lambdas/adapters/eks-auth';
import { httpsKubernetesApi } from '../../../lambdas/adapters/kubernetes-api';
import { kubernetesTrainerLocator } from '../../../lambdas/adapters/trainer-locator';
import { startKubeApiServer, type KubeApiServer } from '../../../local/cluster/kube-api';
import { ClusterState } from '../../../local/cluster/state';
import { startVpnTunnel } from '../../../local/vpn';

const INSTANCE = 'i-0abcd1234ef567890';
const OTHER = 'i-0fedcba9876543210';

describe('simulated EKS API with the Lambda adapters', () => {
  const eks = new ClusterState('eks');
  let api: KubeApiServer;

  beforeAll(async () => {
    api = await startKubeApiServer(eks, 'eks');
    eks.addNode({ name: 'ip-10-0-1-11', providerID: `aws:///us-west-2a/${INSTANCE}`, labels: {}, ready: true });
    eks.addNode({ name: 'ip-10-0-2-12', providerID: `aws:///us-west-2b/${OTHER}`, labels: {}, ready: true });
    eks.addPod({ name: 'trainer-a', namespace: 'fl', labels: { 'app.kubernetes.io/name': 'fl-trainer' }, nodeName: 'ip-10-0-1-11', podIP: '127.0.1.1', phase: 'Running' });
    eks.addPod({ name: 'aggregator', namespace: 'fl', labels: { 'app.kubernetes.io/name': 'fl-aggregator' }, nodeName: 'ip-10-0-1-11', podIP: '127.0.1.2', phase: 'Running' });
    eks.addPod({ name: 'trainer-b', namespace: 'fl', labels: { 'app.kubernetes.io/name': 'fl-trainer' }, nodeName: 'ip-10-0-2-12', podIP: '127.0.1.3', phase: 'Running' });
  });
  afterAll(() => api?.stop());

  const access = (token: Promise<string>) => ({ connection: async () => ({ endpoint: api.url, caPem: api.caPem, token: await token }) });
  const token = () =>
    eksToken({ clusterName: 'spot-on', region: 'us-west-2', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, signingDate: new Date() });

  it('finds the trainer pods on an instance, trusting only the cluster CA', async () => {
    const locator = kubernetesTrainerLocator({ api: httpsKubernetesApi({ access: access(token()), timeoutMs: 5000 }), namespace: 'fl', labelSelector: 'app.kubernetes.io/name=fl-trainer' });
    expect(await locator.locate([INSTANCE, 'i-0000000000000000a'])).toStrictEqual([
      { instanceId: INSTANCE, nodeName: 'ip-10-0-1-11', trainers: [{ name: 'trainer-a', namespace: 'fl', nodeName: 'ip-10-0-1-11', ip: '127.0.1.1' }] },
      { instanceId: 'i-0000000000000000a', nodeName: undefined, trainers: [] },
    ]);
  });

  it('refuses a caller without an EKS token', async () => {
    const kube = httpsKubernetesApi({ access: access(Promise.resolve('not-an-eks-token')), timeoutMs: 5000 });
    await expect(kube.get('/api/v1/nodes')).rejects.toMatchObject({ name: 'KubernetesApiError', status: 401, transient: false });
    expect(api.requests().at(-1)).toStrictEqual({ method: 'GET', path: '/api/v1/nodes', status: 401 });
  });
});

describe('VPN tunnel', () => {
  let server: Server;
  let target: string;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('azure'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('relays while up, fails connections while down, and relays again', async () => {
    const vpn = await startVpnTunnel(target);
    const call = () => fetch(vpn.url, { signal: AbortSignal.timeout(3000) }).then((r) => r.text());
    await expect(call()).resolves.toBe('azure');
    vpn.setUp(false);
    await expect(call()).rejects.toThrow('fetch failed');
    vpn.setUp(true);
    await expect(call()).resolves.toBe('azure');
    await vpn.stop();
  });
});
