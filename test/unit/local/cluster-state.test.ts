import { ClusterState, matchesLabelSelector } from '../../../local/cluster/state';
import { isEksToken } from '../../../local/cluster/kube-api';

describe('matchesLabelSelector', () => {
  const labels = { 'app.kubernetes.io/name': 'fl-trainer', tier: 'gpu' };
  it.each<[string, boolean]>([
    ['', true],
    ['app.kubernetes.io/name=fl-trainer', true],
    ['app.kubernetes.io/name==fl-trainer,tier=gpu', true],
    ['app.kubernetes.io/name=fl-aggregator', false],
    ['tier!=cpu', true],
    ['tier!=gpu', false],
    ['tier', true],
    ['missing', false],
  ])('%j -> %s', (selector, expected) => {
    expect(matchesLabelSelector(labels, selector)).toBe(expected);
  });
});

describe('ClusterState', () => {
  it('tells scale listeners about replica changes only', () => {
    const state = new ClusterState('aks');
    state.addDeployment({ name: 'fl-trainer', namespace: 'fl', replicas: 0 });
    const seen: [number, number][] = [];
    state.onScale((deployment, previous) => seen.push([previous, deployment.replicas]));
    state.scale('fl', 'fl-trainer', 2);
    state.scale('fl', 'fl-trainer', 2);
    state.scale('fl', 'fl-trainer', 0);
    expect(seen).toStrictEqual([
      [0, 2],
      [2, 0],
    ]);
    expect(state.scale('fl', 'missing', 1)).toBeUndefined();
  });

  it('drops the pods of a removed node', () => {
    const state = new ClusterState('eks');
    state.addNode({ name: 'n1', providerID: 'aws:///us-west-2a/i-0123456789abcdef0', labels: {}, ready: true });
    state.addPod({ name: 'p1', namespace: 'fl', labels: {}, nodeName: 'n1', podIP: '127.0.1.1', phase: 'Running' });
    const before = state.version;
    state.removeNode('n1');
    expect([state.nodes.size, state.pods.size, state.version !== before]).toStrictEqual([0, 0, true]);
  });
});

describe('isEksToken', () => {
  const presigned = new URL('https://sts.us-west-2.amazonaws.com/');
  presigned.search = new URLSearchParams({ Action: 'GetCallerIdentity', Version: '2011-06-15', 'X-Amz-SignedHeaders': 'host;x-k8s-aws-id', 'X-Amz-Signature': 'ab12' }).toString();
  const token = (url: URL | string) => `k8s-aws-v1.${Buffer.from(String(url)).toString('base64url')}`;

  it('accepts a presigned STS GetCallerIdentity URL that signs the cluster id header', () => {
    expect(isEksToken(token(presigned))).toBe(true);
  });

  it.each([
    ['another prefix', `k8s-gcp-v1.${Buffer.from(String(presigned)).toString('base64url')}`],
    ['another host', token(String(presigned).replace('sts.us-west-2.amazonaws.com', 'example.com'))],
    ['no signed cluster header', token(String(presigned).replace('x-k8s-aws-id', 'x-other'))],
    ['not a URL', 'k8s-aws-v1.bm90IGEgdXJs'],
  ])('rejects %s', (_what, value) => {
    expect(isEksToken(value)).toBe(false);
  });
});
