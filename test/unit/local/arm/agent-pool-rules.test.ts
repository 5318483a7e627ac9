import {
  checkPreconditions,
  normalizeETag,
  operationInProgress,
  planAgentPoolPut,
  type PutPlan,
} from '../../../../local/arm/agent-pool-rules';
import { ArmRequestError } from '../../../../local/arm/errors';
import { SPOT_TAINT, type AgentPoolSpec } from '../../../../local/arm/model';

/** Runs `fn` and returns the ArmRequestError it throws (failing the test if it throws nothing or else). */
function armErrorOf(fn: () => unknown): { status: number; code: string; message: string; target?: string } {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof ArmRequestError)) throw error;
    return {
      status: error.status,
      code: error.code,
      message: error.message,
      ...(error.options.target === undefined ? {} : { target: error.options.target }),
    };
  }
  throw new Error('expected an ArmRequestError');
}

const plan = (poolName: string, properties: Record<string, unknown>, existing?: AgentPoolSpec): PutPlan =>
  planAgentPoolPut({ poolName, body: { properties }, clusterVersion: '1.33', ...(existing ? { existing } : {}) });

const spotPool: AgentPoolSpec = {
  count: 0,
  vmSize: 'Standard_NC4as_T4_v3',
  mode: 'User',
  osType: 'Linux',
  type: 'VirtualMachineScaleSets',
  enableAutoScaling: false,
  scaleSetPriority: 'Spot',
  scaleSetEvictionPolicy: 'Delete',
  spotMaxPrice: -1,
  nodeLabels: { 'kubernetes.azure.com/scalesetpriority': 'spot' },
  nodeTaints: [SPOT_TAINT],
  orchestratorVersion: '1.33',
  extra: {},
};

const systemPool: AgentPoolSpec = {
  ...spotPool,
  count: 2,
  vmSize: 'Standard_B2s',
  mode: 'System',
  scaleSetPriority: 'Regular',
  nodeLabels: {},
  nodeTaints: [],
};
delete (systemPool as { scaleSetEvictionPolicy?: string }).scaleSetEvictionPolicy;
delete (systemPool as { spotMaxPrice?: number }).spotMaxPrice;

describe('planAgentPoolPut: creating', () => {
  it('creates a Spot pool with AKS defaults, the spot taint and the spot label', () => {
    expect(plan('gpuspot', { count: 1, vmSize: 'Standard_NC4as_T4_v3', scaleSetPriority: 'Spot', nodeLabels: { workload: 'fl' } }))
      .toStrictEqual({
        kind: 'Creating',
        addsNodes: true,
        spec: {
          count: 1,
          vmSize: 'Standard_NC4as_T4_v3',
          mode: 'User',
          osType: 'Linux',
          type: 'VirtualMachineScaleSets',
          enableAutoScaling: false,
          scaleSetPriority: 'Spot',
          scaleSetEvictionPolicy: 'Delete',
          spotMaxPrice: -1,
          nodeLabels: { workload: 'fl', 'kubernetes.azure.com/scalesetpriority': 'spot' },
          nodeTaints: [SPOT_TAINT],
          orchestratorVersion: '1.33',
          extra: {},
        },
      });
  });

  it('keeps caller taints and does not add the spot taint twice', () => {
    const { spec } = plan('gpuspot', { count: 0, scaleSetPriority: 'Spot', nodeTaints: ['sku=gpu:NoSchedule', SPOT_TAINT] });
    expect(spec.nodeTaints).toStrictEqual(['sku=gpu:NoSchedule', SPOT_TAINT]);
  });

  it('ignores spot-only settings on a regular pool', () => {
    const { spec } = plan('userpool', { count: 1, spotMaxPrice: 0.5, scaleSetEvictionPolicy: 'Deallocate' });
    expect([spec.scaleSetPriority, spec.spotMaxPrice, spec.scaleSetEvictionPolicy, spec.nodeTaints]).toStrictEqual([
      'Regular',
      undefined,
      undefined,
      [],
    ]);
  });

  it('echoes unknown properties and drops read-only ones a client copied from a GET', () => {
    const { spec } = plan('userpool', { count: 1, maxPods: 110, provisioningState: 'Succeeded', eTag: 'x', powerState: { code: 'Running' } });
    expect(spec.extra).toStrictEqual({ maxPods: 110 });
  });

  it('requires count, in AKS words', () => {
    expect(armErrorOf(() => plan('gpuspot', { vmSize: 'Standard_NC4as_T4_v3' }))).toStrictEqual({
      status: 400,
      code: 'InvalidParameter',
      message: 'Required parameter properties.count is missing (null).',
      target: 'properties.count',
    });
    expect(armErrorOf(() => planAgentPoolPut({ poolName: 'gpuspot', body: {}, clusterVersion: '1.33' })).code).toBe('InvalidParameter');
  });

  it('answers InvalidRequestContent for a body of the wrong types', () => {
    expect(armErrorOf(() => plan('gpuspot', { count: '3' }))).toMatchObject({ status: 400, code: 'InvalidRequestContent' });
    expect(armErrorOf(() => planAgentPoolPut({ poolName: 'gpuspot', body: [], clusterVersion: '1.33' })).code).toBe('InvalidRequestContent');
  });

  it('rejects a pool name AKS would not accept', () => {
    expect(armErrorOf(() => plan('GPU-spot', { count: 1 }))).toMatchObject({ status: 400, code: 'InvalidParameter', target: 'agentPoolName' });
  });

  it('rejects a Spot system pool and a bad spot price', () => {
    expect(armErrorOf(() => plan('sys', { count: 1, mode: 'System', scaleSetPriority: 'Spot' }))).toMatchObject({
      status: 400,
      code: 'InvalidParameter',
      target: 'properties.mode',
    });
    expect(armErrorOf(() => plan('gpuspot', { count: 1, scaleSetPriority: 'Spot', spotMaxPrice: 0 }))).toMatchObject({
      code: 'InvalidParameter',
      target: 'properties.spotMaxPrice',
    });
  });

  it('keeps a system pool at one node or more', () => {
    expect(armErrorOf(() => plan('system', { count: 0, mode: 'System' }))).toStrictEqual({
      status: 400,
      code: 'InvalidParameter',
      message: 'The value of parameter agentPoolProfile.count is invalid. Please see https://aka.ms/aks-naming-rules for more details.',
      target: 'agentPoolProfile.count',
    });
    expect(armErrorOf(() => plan('system', { count: 1, mode: 'System', enableAutoScaling: true, minCount: 0, maxCount: 3 }))).toMatchObject({
      code: 'InvalidParameter',
      target: 'properties.minCount',
    });
  });

  it('with the autoscaler on, requires minCount and maxCount and a count between them', () => {
    expect(armErrorOf(() => plan('gpuspot', { count: 1, enableAutoScaling: true, maxCount: 3 }))).toStrictEqual({
      status: 400,
      code: 'InvalidParameter',
      message: 'Required parameter properties.minCount is missing (null).',
      target: 'properties.minCount',
    });
    expect(armErrorOf(() => plan('gpuspot', { count: 1, enableAutoScaling: true, minCount: 0 })).target).toBe('properties.maxCount');
    expect(armErrorOf(() => plan('gpuspot', { count: 1, enableAutoScaling: true, minCount: 4, maxCount: 3 })).target).toBe('properties.minCount');
    expect(armErrorOf(() => plan('gpuspot', { count: 5, enableAutoScaling: true, minCount: 0, maxCount: 3 }))).toStrictEqual({
      status: 400,
      code: 'InvalidParameter',
      message: 'agentPoolProfile.count was 5. It must be greater or equal to minCount:0 and less than or equal to maxCount:3.',
      target: 'properties.count',
    });
    expect(armErrorOf(() => plan('gpuspot', { count: 1001 })).target).toBe('properties.count');
  });
});

describe('planAgentPoolPut: updating', () => {
  it('scales a user Spot pool from 0 to 3 with the autoscaler off', () => {
    const result = plan('gpuspot', { count: 3 }, spotPool);
    expect([result.kind, result.addsNodes, result.spec]).toStrictEqual(['Scaling', true, { ...spotPool, count: 3 }]);
  });

  it('lets a user pool go back to 0 (a scale down adds no node)', () => {
    const result = plan('gpuspot', { count: 0 }, { ...spotPool, count: 3 });
    expect([result.kind, result.addsNodes, result.spec.count]).toStrictEqual(['Scaling', false, 0]);
  });

  it('is an Updating operation when the count stays', () => {
    const result = plan('gpuspot', { count: 0, nodeLabels: { workload: 'fl' } }, spotPool);
    expect([result.kind, result.addsNodes, result.spec.nodeLabels]).toStrictEqual([
      'Updating',
      false,
      { workload: 'fl', 'kubernetes.azure.com/scalesetpriority': 'spot' },
    ]);
  });

  it('scales up to a raised minCount when the PUT echoes the current count with the autoscaler on', () => {
    const result = plan('gpuspot', { count: 0, enableAutoScaling: true, minCount: 3, maxCount: 5 }, spotPool);
    expect([result.kind, result.addsNodes, result.spec.count, result.spec.minCount, result.spec.maxCount]).toStrictEqual([
      'Scaling',
      true,
      3,
      3,
      5,
    ]);
  });

  it('scales down to a lowered maxCount and keeps the range when the PUT omits it', () => {
    const autoscaled: AgentPoolSpec = { ...spotPool, count: 4, enableAutoScaling: true, minCount: 1, maxCount: 5 };
    expect(plan('gpuspot', { count: 4, maxCount: 2 }, autoscaled).spec).toMatchObject({ count: 2, minCount: 1, maxCount: 2 });
    expect(plan('gpuspot', { count: 4 }, autoscaled).spec).toMatchObject({ count: 4, minCount: 1, maxCount: 5, enableAutoScaling: true });
  });

  it('refuses a count outside the range that is not the current count', () => {
    const autoscaled: AgentPoolSpec = { ...spotPool, count: 1, enableAutoScaling: true, minCount: 1, maxCount: 5 };
    expect(armErrorOf(() => plan('gpuspot', { count: 0 }, autoscaled)).message).toBe(
      'agentPoolProfile.count was 0. It must be greater or equal to minCount:1 and less than or equal to maxCount:5.',
    );
  });

  it('drops minCount and maxCount when the autoscaler is turned off, so the pool can be forced to 0', () => {
    const autoscaled: AgentPoolSpec = { ...spotPool, count: 2, enableAutoScaling: true, minCount: 1, maxCount: 5 };
    const { spec } = plan('gpuspot', { count: 0, enableAutoScaling: false }, autoscaled);
    expect(spec).toStrictEqual({ ...spotPool, count: 0 });
  });

  it.each([
    ['scaleSetPriority', 'Regular'],
    ['spotMaxPrice', 0.9],
    ['scaleSetEvictionPolicy', 'Deallocate'],
    ['vmSize', 'Standard_NC6s_v3'],
    ['osType', 'Windows'],
  ])('refuses to change %s', (property, value) => {
    expect(armErrorOf(() => plan('gpuspot', { count: 0, [property]: value }, spotPool))).toStrictEqual({
      status: 400,
      code: 'PropertyChangeNotAllowed',
      message: `Changing property '${property}' is not allowed.`,
      target: property,
    });
  });

  it('accepts immutable properties sent unchanged or omitted', () => {
    const same = plan('gpuspot', { count: 1, vmSize: 'Standard_NC4as_T4_v3', scaleSetPriority: 'Spot', spotMaxPrice: -1 }, spotPool);
    expect(same.spec).toStrictEqual({ ...spotPool, count: 1 });
  });
});

describe('checkPreconditions', () => {
  const code = (fn: () => void): string | undefined => {
    try {
      fn();
      return undefined;
    } catch (error) {
      return error instanceof ArmRequestError ? `${error.status} ${error.code}` : 'other';
    }
  };

  it('passes a matching If-Match, quoted or not, and If-Match *', () => {
    expect(code(() => checkPreconditions('abc', { ifMatch: 'abc' }))).toBeUndefined();
    expect(code(() => checkPreconditions('abc', { ifMatch: '"abc"' }))).toBeUndefined();
    expect(code(() => checkPreconditions('abc', { ifMatch: '*' }))).toBeUndefined();
    expect(code(() => checkPreconditions('abc', {}))).toBeUndefined();
  });

  it('answers 412 for a stale If-Match, If-Match on a missing pool and If-None-Match * on an existing one', () => {
    expect(code(() => checkPreconditions('abc', { ifMatch: 'old' }))).toBe('412 PreconditionFailed');
    expect(code(() => checkPreconditions(undefined, { ifMatch: '*' }))).toBe('412 PreconditionFailed');
    expect(code(() => checkPreconditions('abc', { ifNoneMatch: '*' }))).toBe('412 PreconditionFailed');
    expect(code(() => checkPreconditions(undefined, { ifNoneMatch: '*' }))).toBeUndefined();
  });

  it('normalizes weak and quoted eTags', () => {
    expect(['W/"a"', '"a"', ' a '].map(normalizeETag)).toStrictEqual(['a', 'a', 'a']);
  });
});

describe('operationInProgress', () => {
  it('is the 409 AKS answers while an operation runs', () => {
    const error = operationInProgress('gpuspot', 'Scaling');
    expect([error.status, error.toBody()]).toStrictEqual([
      409,
      {
        error: {
          code: 'OperationNotAllowed',
          message:
            'Operation is not allowed: Another agentpool operation (gpuspot - Scaling) is in progress, please wait for it to finish before starting a new operation. See https://aka.ms/aks-pending-operation for more details',
        },
      },
    ]);
  });
});
