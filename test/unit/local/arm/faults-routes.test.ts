import { CAPACITY_FAILURE_MESSAGES, FaultQueue } from '../../../../local/arm/faults';
import { matchRoute } from '../../../../local/arm/routes';

describe('FaultQueue', () => {
  it('consumes each fault by the first request it applies to, in order', () => {
    const faults = new FaultQueue();
    faults.enqueue({ kind: 'server-error', count: 2, status: 503 });
    faults.enqueue({ kind: 'throttle', retryAfterSeconds: 0.2 });
    faults.enqueue({ kind: 'operation-failure', code: 'SkuNotAvailable', pool: 'gpuspot' });
    faults.enqueue({ kind: 'operation-failure', code: 'Custom', message: 'custom failure' });

    expect([faults.takeServerError(), faults.takeServerError(), faults.takeServerError()]).toStrictEqual([503, 503, undefined]);
    expect([faults.takeThrottle(), faults.takeThrottle()]).toStrictEqual([0.2, undefined]);
    expect(faults.takeOperationFailure('userpool')).toStrictEqual({ code: 'Custom', message: 'custom failure' });
    expect(faults.takeOperationFailure('GPUSPOT')).toStrictEqual({ code: 'SkuNotAvailable', message: CAPACITY_FAILURE_MESSAGES.SkuNotAvailable });
    expect(faults.pending()).toStrictEqual([]);
  });

  it('applies latency to a number of requests, or to all until cleared', () => {
    const faults = new FaultQueue();
    faults.enqueue({ kind: 'latency', ms: 30, count: 1 });
    expect([faults.takeLatency(), faults.takeLatency()]).toStrictEqual([30, 0]);
    faults.enqueue({ kind: 'latency', ms: 5 });
    expect([faults.takeLatency(), faults.takeLatency()]).toStrictEqual([5, 5]);
    faults.clear();
    expect(faults.takeLatency()).toBe(0);
  });

  it('validates faults and fills defaults', () => {
    const faults = new FaultQueue();
    expect(() => faults.enqueue({ kind: 'server-error', status: 404 } as never)).toThrow();
    faults.enqueue({ kind: 'server-error' });
    faults.enqueue({ kind: 'operation-failure', code: 'Unknown' });
    expect(faults.pending()).toStrictEqual([
      { kind: 'server-error', count: 1, status: 500 },
      { kind: 'operation-failure', code: 'Unknown' },
    ]);
    expect(faults.takeOperationFailure('any')).toStrictEqual({ code: 'Unknown', message: 'The operation failed with Unknown.' });
  });
});

describe('matchRoute', () => {
  const base = '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters';

  it('recognises the SDK paths, case-insensitively, with names decoded', () => {
    expect(matchRoute(`${base}/aks/agentPools/gpuspot`)).toStrictEqual({
      kind: 'pool',
      ref: { subscriptionId: 'sub', resourceGroup: 'rg', cluster: 'aks', pool: 'gpuspot' },
    });
    expect(matchRoute('/subscriptions/sub/resourcegroups/my%20rg/providers/microsoft.containerservice/managedclusters/aks/agentpools')).toStrictEqual({
      kind: 'pool-list',
      ref: { subscriptionId: 'sub', resourceGroup: 'my rg', cluster: 'aks' },
    });
    expect(matchRoute(`${base}/aks`)).toStrictEqual({ kind: 'cluster', ref: { subscriptionId: 'sub', resourceGroup: 'rg', cluster: 'aks' } });
    expect(matchRoute(base)).toStrictEqual({ kind: 'cluster-list', subscriptionId: 'sub', resourceGroup: 'rg' });
    expect(matchRoute('/subscriptions/sub/providers/Microsoft.ContainerService/managedClusters')).toStrictEqual({
      kind: 'cluster-list',
      subscriptionId: 'sub',
    });
    expect(matchRoute('/subscriptions/sub/providers/Microsoft.ContainerService/locations/koreacentral/operations/op-1')).toStrictEqual({
      kind: 'operation',
      subscriptionId: 'sub',
      location: 'koreacentral',
      operationId: 'op-1',
    });
    expect(matchRoute('/_emulator/faults')).toStrictEqual({ kind: 'admin', path: '/faults' });
  });

  it('knows nothing else', () => {
    expect(matchRoute(`${base}/aks/agentPools/gpuspot/upgradeProfiles/default`)).toBeUndefined();
    expect(matchRoute('/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm')).toBeUndefined();
    expect(matchRoute('/')).toBeUndefined();
    expect(matchRoute(`${base}/%E0%A4%A`)).toBeUndefined();
  });
});
