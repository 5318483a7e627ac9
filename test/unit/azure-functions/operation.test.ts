import { backoffSeconds, ContinuationMessageSchema, InvalidContinuationMessageError, parseContinuationMessage } from '../../../azure-functions/src/domain/continuation-message';
import { encodeContinuation } from '../../../azure-functions/src/adapters/continuation-queue';
import { capacityNeed, fullCoverPlan, remainingAwsTrainers } from '../../../azure-functions/src/domain/coverage';
import { decide } from '../../../azure-functions/src/domain/decide';
import {
  assessPool,
  completeOperation,
  failOperation,
  recordDrive,
  recordWait,
  redrive,
} from '../../../azure-functions/src/domain/operation';
import { describePool, isPoolBusy, poolMeetsTarget, scalingFields, type PoolView } from '../../../azure-functions/src/domain/pool-target';
import { FailoverStateSchema, initialState, type FailoverState } from '../../../azure-functions/src/domain/state';
import { at, INSTANCES, iso, POLICY, RUN, runStatus, signal } from './helpers';

const pool = (overrides: Partial<PoolView> = {}): PoolView => ({ provisioningState: 'Succeeded', count: 0, enableAutoScaling: false, ...overrides });

/** Failing over to 2 nodes, op-1 requested at T0. */
const failingOver = (): FailoverState =>
  decide(initialState(RUN, at(-3600)), signal('aws-unhealthy', 'sig-1'), runStatus({ aws: 2 }), POLICY, at(0)).state;

const submitted = (): FailoverState =>
  recordDrive(failingOver(), 'op-1', { kind: 'submitted', resumeToken: 'token-1', pool: pool({ count: 2, provisioningState: 'Scaling' }) }, at(1), POLICY).state;

const valid = (state: FailoverState) => {
  expect(FailoverStateSchema.safeParse(state).success).toBe(true);
  return state;
};

describe('pool targets', () => {
  it('tells a settled pool from a busy one', () => {
    expect(['Succeeded', 'Failed', 'Canceled', 'Scaling', 'Updating', 'Creating', 'Upgrading'].map((provisioningState) => isPoolBusy(pool({ provisioningState })))).toStrictEqual([
      false, false, false, true, true, true, true,
    ]);
  });

  it('with the autoscaler off, PUTs count and checks count', () => {
    expect(scalingFields(pool({ count: 0 }), 3)).toStrictEqual({ count: 3 });
    expect([poolMeetsTarget(pool({ count: 3 }), 3), poolMeetsTarget(pool({ count: 2 }), 3), poolMeetsTarget(pool({ count: 3, provisioningState: 'Scaling' }), 3)]).toStrictEqual([
      true, false, false,
    ]);
  });

  it('with the autoscaler on, raises minCount (count kept in range) and lowers it to 0 to release', () => {
    const auto = pool({ enableAutoScaling: true, minCount: 0, maxCount: 5, count: 1 });
    expect(scalingFields(auto, 3)).toStrictEqual({ minCount: 3, count: 3 });
    expect(scalingFields({ ...auto, minCount: 3, count: 4 }, 0)).toStrictEqual({ minCount: 0, count: 4 });
    expect(scalingFields(auto, 9)).toStrictEqual({ minCount: 5, count: 5 });
    expect([poolMeetsTarget({ ...auto, minCount: 3, count: 3 }, 3), poolMeetsTarget({ ...auto, minCount: 0, count: 4 }, 0), poolMeetsTarget({ ...auto, minCount: 5, count: 5 }, 9)]).toStrictEqual([
      true, true, true,
    ]);
    expect(describePool({ ...auto, minCount: 3, count: 3 })).toBe('Succeeded, count 3 (autoscaler 3-5)');
  });
});

describe('coverage from the run status', () => {
  it('subtracts the trainers on lost instances from those reporting', () => {
    expect(remainingAwsTrainers(runStatus(), [INSTANCES[0]])).toBe(3);
    expect(remainingAwsTrainers(runStatus({ reportingAws: 2 }), [])).toBe(2);
    expect(capacityNeed(runStatus(), [INSTANCES[0], INSTANCES[1]], POLICY)).toBe(2);
    expect(capacityNeed(undefined, [INSTANCES[0]], { ...POLICY, minAwsTrainers: 0 })).toBe(0);
  });

  it('plans a full failover per movable AWS trainer and pauses pinned shards', () => {
    expect(fullCoverPlan(runStatus({ aws: 4, pinned: 2 }), POLICY)).toStrictEqual({ nodes: 2, pausedShards: ['shard-0', 'shard-1'] });
    expect(fullCoverPlan(runStatus({ aws: 0 }), { ...POLICY, minAwsTrainers: 0 })).toStrictEqual({ nodes: 1, pausedShards: [] });
  });
});

describe('operation lifecycle', () => {
  it('assesses the pool: wait while busy, complete at the target, inspect a failure, PUT otherwise', () => {
    const operation = submitted().pendingOperation;
    if (operation === undefined) throw new Error('no operation');
    expect([
      assessPool(operation, pool({ provisioningState: 'Scaling', count: 2 })),
      assessPool(operation, pool({ count: 2 })),
      assessPool(operation, pool({ provisioningState: 'Failed' })),
      assessPool(operation, pool({ count: 1 })),
      assessPool({ ...operation, resumeToken: undefined }, pool({ provisioningState: 'Failed' })),
    ]).toStrictEqual(['wait', 'complete', 'inspect-failure', 'put', 'put']);
  });

  it('records an accepted PUT: stage submitted, resume token kept, lease released', () => {
    expect(valid(submitted()).pendingOperation).toStrictEqual({
      id: 'op-1',
      purpose: 'failover',
      targetNodes: 2,
      trainerReplicas: 2,
      requestedBy: 'sig-1',
      requestedAt: iso(0),
      stage: 'submitted',
      submittedAt: iso(1),
      resumeToken: 'token-1',
      putAttempts: 1,
      checks: 0,
      lastObservation: 'PUT accepted: Scaling, count 2',
    });
  });

  it('records a busy PUT by keeping the intent requested under a lease', () => {
    const step = recordDrive(failingOver(), 'op-1', { kind: 'busy', reason: 'throttled by ARM (Throttled)', retryAfterSeconds: 90 }, at(1), POLICY);
    expect(step.state.pendingOperation).toMatchObject({ stage: 'requested', leaseUntil: iso(91), lastObservation: 'PUT not taken now: throttled by ARM (Throttled)' });
  });

  it('ignores results for an operation that is no longer pending', () => {
    const state = failingOver();
    expect(recordDrive(state, 'op-9', { kind: 'busy', reason: 'x' }, at(1), POLICY).state).toBe(state);
    expect(completeOperation(state, 'op-9', 'x', at(1)).state).toBe(state);
  });

  it('completes a failover: azure-active, epoch + 1, operation cleared', () => {
    const step = completeOperation(submitted(), 'op-1', 'Succeeded, count 2', at(300));
    expect(valid(step.state)).toMatchObject({ phase: 'azure-active', epoch: 2, phaseSince: iso(300) });
    expect('pendingOperation' in step.state).toBe(false);
    expect(step.state.transitions.at(-1)).toStrictEqual({
      at: iso(300),
      epoch: 2,
      from: 'failing-over',
      to: 'azure-active',
      outcome: 'completed',
      reason: 'op-1: 2 Azure GPU node(s) ready (Succeeded, count 2); 2 trainer(s) started',
      operationId: 'op-1',
    });
  });

  it('turns a failed failover (capacity) into a failed transition and a clean-up failback', () => {
    const error = { code: 'OverconstrainedAllocationRequest', message: 'Allocation failed.' };
    const step = failOperation(submitted(), 'op-1', error, at(60), POLICY, { poolCount: 0 });
    expect(step.actions).toStrictEqual([{ kind: 'drive-operation', operationId: 'op-2' }]);
    expect(valid(step.state)).toMatchObject({
      phase: 'failing-back',
      epoch: 2,
      desiredAzureNodes: 0,
      lastFailure: { code: 'OverconstrainedAllocationRequest', message: 'Allocation failed.', at: iso(60), operationId: 'op-1', purpose: 'failover' },
      pendingOperation: { id: 'op-2', purpose: 'failback', targetNodes: 0, requestedBy: 'abort:op-1', stage: 'requested' },
    });
    expect(step.state.transitions.at(-1)).toMatchObject({ from: 'failing-over', to: 'failing-back', outcome: 'failed', error });
    expect(step.state.incidents.at(-1)).toMatchObject({ id: 'sig-1', error });
    const back = completeOperation(step.state, 'op-2', 'Succeeded, count 0', at(90));
    expect(valid(back.state)).toMatchObject({ phase: 'aws-primary', epoch: 3, coverage: 'none', pausedShards: [] });
    expect(back.state.incidents.at(-1)).toStrictEqual({ id: 'sig-1', cause: 'aws-unhealthy', openedAt: iso(0), openedEpoch: 1, closedAt: iso(90), outcome: 'failed', error });
  });

  it('fails an operation that runs past the timeout', () => {
    const step = recordWait(submitted(), 'op-1', 'Scaling, count 2', at(POLICY.operationTimeoutSeconds + 1), POLICY);
    expect([step.state.phase, step.state.lastFailure?.code]).toStrictEqual(['failing-back', 'OperationTimedOut']);
  });

  it('counts the checks of a running operation', () => {
    const step = recordWait(submitted(), 'op-1', 'operation running: Scaling, count 2', at(20), POLICY);
    expect(step.state.pendingOperation).toMatchObject({ checks: 1, lastCheckedAt: iso(20), lastObservation: 'operation running: Scaling, count 2' });
  });

  it('marks a failed failback as failed but makes AWS primary', () => {
    const back = decide({ ...submitted(), ...completeOperation(submitted(), 'op-1', 'ok', at(60)).state }, signal('aws-recovered', 'sig-ok'), runStatus(), POLICY, at(700)).state;
    const step = failOperation(back, 'op-2', { code: 'Throttled', message: 'too many' }, at(720), POLICY);
    expect([step.state.phase, step.state.transitions.at(-1)?.outcome, step.state.incidents.at(-1)?.outcome, step.actions]).toStrictEqual([
      'aws-primary',
      'failed',
      'failed',
      [],
    ]);
  });

  it('re-drives an intent only once its lease has expired', () => {
    const state = failingOver();
    expect(redrive(state, at(10), POLICY).state).toBe(state);
    const taken = redrive(state, at(31), POLICY);
    expect([taken.actions, taken.state.pendingOperation?.leaseUntil]).toStrictEqual([[{ kind: 'drive-operation', operationId: 'op-1' }], iso(61)]);
    expect(redrive(submitted(), at(500), POLICY).actions).toStrictEqual([]);
  });
});

describe('continuation messages', () => {
  const message = { version: 1, kind: 'operation', runId: RUN, operationId: 'op-1', attempt: 2, enqueuedAt: iso(0) } as const;

  it('parses what the queue trigger hands over: an object, a JSON string or bytes', () => {
    expect(parseContinuationMessage(message)).toStrictEqual(message);
    expect(parseContinuationMessage(JSON.stringify(message))).toStrictEqual(message);
    expect(parseContinuationMessage(Buffer.from(JSON.stringify(message)))).toStrictEqual(message);
    expect(JSON.parse(Buffer.from(encodeContinuation(message), 'base64').toString('utf8'))).toStrictEqual(message);
    expect(ContinuationMessageSchema.parse(message)).toStrictEqual(message);
  });

  it('refuses anything else with a typed error naming the problem', () => {
    expect(() => parseContinuationMessage('not json')).toThrow(InvalidContinuationMessageError);
    expect(() => parseContinuationMessage({ ...message, kind: 'teleport' })).toThrow("not a v1 continuation message: kind: Invalid discriminator value. Expected 'operation' | 'deferred'");
    expect(() => parseContinuationMessage({ ...message, attempt: -1 })).toThrow('not a v1 continuation message: attempt: Too small: expected number to be >=0');
  });

  it('backs off by half per attempt within [base, max], never below a Retry-After', () => {
    expect([0, 1, 2, 3, 10].map((attempt) => backoffSeconds(attempt, 10, 60))).toStrictEqual([10, 15, 23, 34, 60]);
    expect(backoffSeconds(0, 10, 60, 90)).toBe(90);
    expect(backoffSeconds(0, 0, 60)).toBe(0);
  });
});
