import { planAgentPoolPut } from '../../../../local/arm/agent-pool-rules';
import { ArmRequestError } from '../../../../local/arm/errors';
import type { PoolRef } from '../../../../local/arm/model';
import { renderOperation } from '../../../../local/arm/render';
import { ArmState, type OperationRecord } from '../../../../local/arm/state';

const ref: PoolRef = { subscriptionId: 'sub', resourceGroup: 'rg', cluster: 'aks', pool: 'gpuspot' };

/** A state with one cluster and a settled Spot pool of 0 nodes, on a fake clock and sequential ids. */
function setup() {
  const clock = { now: 1_000 };
  let next = 0;
  const ended: OperationRecord[] = [];
  const state = new ArmState({ clock: () => clock.now, newId: () => `id-${++next}`, onOperationEnded: (op) => ended.push({ ...op }) });
  state.addCluster({ subscriptionId: 'sub', resourceGroup: 'rg', name: 'aks', location: 'koreacentral', kubernetesVersion: '1.33' });
  const seed = planAgentPoolPut({ poolName: 'gpuspot', body: { properties: { count: 0, scaleSetPriority: 'Spot' } }, clusterVersion: '1.33' });
  state.addSettledPool(ref, seed.spec, 'gpuspot');
  const put = (properties: Record<string, unknown>, run: { durationMs: number; failure?: { code: string; message: string } }, headers = {}) => {
    const existing = state.assertPutAllowed(ref, headers);
    const plan = planAgentPoolPut({ poolName: 'gpuspot', body: { properties }, clusterVersion: '1.33', ...(existing ? { existing: existing.spec } : {}) });
    return state.beginPoolPut(ref, headers, plan, run);
  };
  return { clock, state, ended, put };
}

const errorOf = (fn: () => unknown): string => {
  try {
    fn();
    return 'none';
  } catch (error) {
    return error instanceof ArmRequestError ? `${error.status} ${error.code}` : String(error);
  }
};

describe('ArmState long-running operations', () => {
  it('runs a scale-up as InProgress until its due time, then Succeeded with the nodes ready', () => {
    const { clock, state, ended, put } = setup();
    const { pool, operation, created } = put({ count: 3 }, { durationMs: 200 });
    expect([created, pool.provisioningState, pool.spec.count, pool.readyNodeCount, pool.eTag]).toStrictEqual([false, 'Scaling', 3, 0, 'id-3']);
    expect(renderOperation(operation)).toStrictEqual({
      id: '/subscriptions/sub/providers/Microsoft.ContainerService/locations/koreacentral/operations/id-2',
      name: 'id-2',
      status: 'InProgress',
      startTime: new Date(1_000).toISOString(),
    });

    clock.now = 1_199;
    expect(state.findOperation('sub', 'id-2')?.status).toBe('InProgress');
    clock.now = 1_200;
    expect(renderOperation(state.findOperation('SUB', 'ID-2') as OperationRecord)).toStrictEqual({
      id: '/subscriptions/sub/providers/Microsoft.ContainerService/locations/koreacentral/operations/id-2',
      name: 'id-2',
      status: 'Succeeded',
      startTime: new Date(1_000).toISOString(),
      endTime: new Date(1_200).toISOString(),
    });
    expect(state.findPool(ref)).toMatchObject({ provisioningState: 'Succeeded', readyNodeCount: 3, eTag: 'id-3' });
    expect(ended.map((op) => [op.id, op.status, op.fromCount, op.toCount])).toStrictEqual([['id-2', 'Succeeded', 0, 3]]);
  });

  it('ends a failed operation with the error and the count back at the nodes that exist', () => {
    const { clock, state, put } = setup();
    put({ count: 3 }, { durationMs: 100, failure: { code: 'OverconstrainedAllocationRequest', message: 'no capacity' } });
    clock.now = 1_100;
    expect(renderOperation(state.findOperation('sub', 'id-2') as OperationRecord)).toMatchObject({
      status: 'Failed',
      error: { code: 'OverconstrainedAllocationRequest', message: 'no capacity' },
    });
    expect(state.findPool(ref)).toMatchObject({ provisioningState: 'Failed', readyNodeCount: 0, spec: { count: 0 }, eTag: 'id-4' });
    // A failed pool takes a new PUT.
    expect(errorOf(() => put({ count: 1 }, { durationMs: 10 }))).toBe('none');
  });

  it('answers 409 to a PUT while the operation runs, and accepts one after it ends', () => {
    const { clock, put } = setup();
    put({ count: 3 }, { durationMs: 500 });
    clock.now = 1_400;
    expect(errorOf(() => put({ count: 4 }, { durationMs: 10 }))).toBe('409 OperationNotAllowed');
    clock.now = 1_500;
    expect(errorOf(() => put({ count: 4 }, { durationMs: 10 }))).toBe('none');
  });

  it('checks If-Match against the current eTag, which every accepted PUT changes', () => {
    const { clock, state, put } = setup();
    const first = state.findPool(ref)?.eTag as string;
    expect(errorOf(() => put({ count: 1 }, { durationMs: 0 }, { ifMatch: first }))).toBe('none');
    clock.now += 1;
    expect(errorOf(() => put({ count: 2 }, { durationMs: 0 }, { ifMatch: first }))).toBe('412 PreconditionFailed');
    expect(errorOf(() => put({ count: 2 }, { durationMs: 0 }, { ifNoneMatch: '*' }))).toBe('412 PreconditionFailed');
  });

  it('creates a pool with 201 semantics and completes operations even if nobody polls', () => {
    const { clock, state } = setup();
    const newRef = { ...ref, pool: 'extra' };
    const plan = planAgentPoolPut({ poolName: 'extra', body: { properties: { count: 1 } }, clusterVersion: '1.33' });
    const { created, pool } = state.beginPoolPut(newRef, { ifNoneMatch: '*' }, plan, { durationMs: 50 });
    expect([created, pool.provisioningState]).toStrictEqual([true, 'Creating']);
    expect(state.nextDueAt()).toBe(1_050);
    clock.now = 2_000;
    expect(state.settle().map((op) => op.status)).toStrictEqual(['Succeeded']);
    expect(state.nextDueAt()).toBeUndefined();
    expect(state.findPool(newRef)?.provisioningState).toBe('Succeeded');
  });

  it('answers 404 for a PUT into a cluster that does not exist', () => {
    const { state } = setup();
    expect(errorOf(() => state.assertPutAllowed({ ...ref, cluster: 'nope' }, {}))).toBe('404 ResourceNotFound');
  });

  it('finds clusters, pools and operations case-insensitively, operations only in their subscription', () => {
    const { state, put } = setup();
    put({ count: 1 }, { durationMs: 10 });
    expect(state.findPool({ subscriptionId: 'SUB', resourceGroup: 'RG', cluster: 'AKS', pool: 'GPUSPOT' })?.name).toBe('gpuspot');
    expect(state.findOperation('other', 'id-2')).toBeUndefined();
    expect(state.hasResourceGroup('sub', 'RG')).toBe(true);
    expect(state.listClusters('sub', 'other')).toStrictEqual([]);
  });
});
