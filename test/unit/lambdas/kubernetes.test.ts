import { EventEmitter } from 'node:events';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { RequestOptions } from 'node:https';
import { Readable } from 'node:stream';
import type { ClusterAccess } from '../../../lambdas/adapters/eks-auth';
import { httpsKubernetesApi, KubernetesApiError, type HttpsRequestFunction, type KubernetesApi } from '../../../lambdas/adapters/kubernetes-api';
import { instanceIdOfProviderId, kubernetesTrainerLocator } from '../../../lambdas/adapters/trainer-locator';

const ACCESS: ClusterAccess = {
  connection: () => Promise.resolve({ endpoint: 'https://ABC.gr7.us-west-2.eks.amazonaws.com', caPem: 'CA-PEM', token: 'k8s-aws-v1.abc' }),
};

type FakeAnswer = { status: number; body: string } | { error: Error };

/** node:https request replaced by a canned answer; records what would have been sent. */
function fakeRequest(answer: FakeAnswer) {
  const sent: { url: string; options: RequestOptions }[] = [];
  const request: HttpsRequestFunction = (url, options, callback) => {
    sent.push({ url: url.toString(), options });
    const req = new EventEmitter() as EventEmitter & { end: () => void };
    req.end = () => {
      setImmediate(() => {
        if ('error' in answer) {
          req.emit('error', answer.error);
          return;
        }
        const response = Readable.from([Buffer.from(answer.body)]) as unknown as IncomingMessage;
        response.statusCode = answer.status;
        callback(response);
      });
    };
    return req as unknown as ClientRequest;
  };
  return { request, sent };
}

describe('httpsKubernetesApi', () => {
  it('GETs with the bearer token, trusting only the cluster CA, and parses the JSON answer', async () => {
    const fake = fakeRequest({ status: 200, body: '{"items":[]}' });
    const api = httpsKubernetesApi({ access: ACCESS, timeoutMs: 1000, request: fake.request });

    expect(await api.get('/api/v1/namespaces/fl/pods', { labelSelector: 'app=trainer', fieldSelector: 'spec.nodeName=ip-1' })).toStrictEqual({ items: [] });
    expect(fake.sent).toStrictEqual([
      {
        url: 'https://abc.gr7.us-west-2.eks.amazonaws.com/api/v1/namespaces/fl/pods?labelSelector=app%3Dtrainer&fieldSelector=spec.nodeName%3Dip-1',
        options: {
          method: 'GET',
          ca: 'CA-PEM',
          headers: { authorization: 'Bearer k8s-aws-v1.abc', accept: 'application/json' },
          signal: expect.any(AbortSignal),
        },
      },
    ]);
  });

  it.each([
    ['a 503', { status: 503, body: '{"kind":"Status","message":"etcdserver: request timed out"}' }, 'GET /api/v1/nodes answered 503: etcdserver: request timed out', 503, true],
    ['a 429', { status: 429, body: 'Too many requests' }, 'GET /api/v1/nodes answered 429: Too many requests', 429, true],
    ['a 403', { status: 403, body: '{"kind":"Status","message":"nodes is forbidden"}' }, 'GET /api/v1/nodes answered 403: nodes is forbidden', 403, false],
    ['a network error', { error: new Error('connect ETIMEDOUT') }, 'GET /api/v1/nodes failed: connect ETIMEDOUT', undefined, true],
  ] as const)('turns %s into a KubernetesApiError', async (_name, answer, message, status, transient) => {
    const api = httpsKubernetesApi({ access: ACCESS, timeoutMs: 1000, request: fakeRequest(answer).request });
    const error = (await api.get('/api/v1/nodes').catch((e: unknown) => e)) as KubernetesApiError;
    expect(error).toBeInstanceOf(KubernetesApiError);
    expect([error.name, error.message, error.status, error.transient]).toStrictEqual(['KubernetesApiError', message, status, transient]);
  });
});

describe('instanceIdOfProviderId', () => {
  it.each([
    ['aws:///us-west-2a/i-0a00000000000000a', 'i-0a00000000000000a'],
    ['aws:///us-west-2a/fargate-ip-10-0-0-1.us-west-2.compute.internal', undefined],
    ['azure:///subscriptions/x/virtualMachines/i-0a00000000000000a', undefined],
    ['', undefined],
  ])('%s -> %s', (providerId, expected) => {
    expect(instanceIdOfProviderId(providerId)).toBe(expected);
  });
});

describe('kubernetesTrainerLocator', () => {
  const node = (name: string, providerID?: string) => ({ metadata: { name }, spec: providerID === undefined ? {} : { providerID } });
  const trainer = (name: string, podIP: string | undefined, phase = 'Running') => ({ metadata: { name, namespace: 'fl' }, spec: { nodeName: 'x' }, status: { phase, ...(podIP ? { podIP } : {}) } });

  function fakeApi(responses: Record<string, unknown>) {
    const calls: string[] = [];
    const api: KubernetesApi = {
      async get(path, query = {}) {
        const key = `${path}?${new URLSearchParams(query).toString()}`;
        calls.push(key);
        if (!(key in responses)) throw new Error(`unexpected call ${key}`);
        return responses[key];
      },
    };
    return { api, calls };
  }

  it('matches nodes by providerID across pages and lists trainers per node with label and field selectors', async () => {
    const podsQuery = (nodeName: string) => `/api/v1/namespaces/fl/pods?labelSelector=app.kubernetes.io%2Fcomponent%3Dfl-trainer&fieldSelector=spec.nodeName%3D${nodeName}&limit=500`;
    const fake = fakeApi({
      '/api/v1/nodes?limit=500': { metadata: { continue: 'page-2' }, items: [node('ip-1', 'aws:///us-west-2a/i-0a00000000000000a'), node('fargate', 'aws:///us-west-2a/fargate-x')] },
      '/api/v1/nodes?limit=500&continue=page-2': { metadata: {}, items: [node('ip-2', 'aws:///us-west-2b/i-0b00000000000000b'), node('no-provider')] },
      [podsQuery('ip-1')]: { items: [trainer('trainer-1', '10.0.1.11'), trainer('trainer-done', '10.0.1.12', 'Succeeded'), trainer('trainer-pending', undefined, 'Pending')] },
      [podsQuery('ip-2')]: { items: [] },
    });
    const locator = kubernetesTrainerLocator({ api: fake.api, namespace: 'fl', labelSelector: 'app.kubernetes.io/component=fl-trainer' });

    expect(await locator.locate(['i-0a00000000000000a', 'i-0b00000000000000b', 'i-0f00000000000000f'])).toStrictEqual([
      {
        instanceId: 'i-0a00000000000000a',
        nodeName: 'ip-1',
        trainers: [
          { name: 'trainer-1', namespace: 'fl', nodeName: 'ip-1', ip: '10.0.1.11' },
          { name: 'trainer-pending', namespace: 'fl', nodeName: 'ip-1', ip: undefined },
        ],
      },
      { instanceId: 'i-0b00000000000000b', nodeName: 'ip-2', trainers: [] },
      { instanceId: 'i-0f00000000000000f', nodeName: undefined, trainers: [] },
    ]);
    expect(fake.calls).toHaveLength(4);
  });

  it('rejects a list it cannot read', async () => {
    const locator = kubernetesTrainerLocator({ api: fakeApi({ '/api/v1/nodes?limit=500': { kind: 'Status' } }).api, namespace: 'fl', labelSelector: 'a=b' });
    await expect(locator.locate(['i-0a00000000000000a'])).rejects.toMatchObject({ name: 'KubernetesApiError', transient: false, message: expect.stringMatching(/^GET \/api\/v1\/nodes answered an unexpected list/) });
  });

  it('asks nothing for no instances', async () => {
    const fake = fakeApi({});
    expect(await kubernetesTrainerLocator({ api: fake.api, namespace: 'fl', labelSelector: 'a=b' }).locate([])).toStrictEqual([]);
    expect(fake.calls).toStrictEqual([]);
  });
});
