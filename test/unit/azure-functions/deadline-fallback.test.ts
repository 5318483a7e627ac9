import { decide, reconsiderDeferred } from '../../../azure-functions/src/domain/decide';
import { deadlineFallback } from '../../../azure-functions/src/domain/deadline-fallback';
import { completeOperation, failOperation, recordDrive } from '../../../azure-functions/src/domain/operation';
import { FailoverStateSchema, initialState, type FailoverState } from '../../../azure-functions/src/domain/state';
import type { RunStatus } from '../../../protocol/run-status';
import { at, iso, POLICY, RUN, runStatus, signal } from './helpers';

const SAFETY_NET = { ...POLICY, onDemandSafetyNet: true };
const ALLOCATION_FAILED = { code: 'AllocationFailed', message: 'Allocation failed. We do not have sufficient capacity for the requested VM size in this region.' };

/** Round 7 of 20 committed, the run started two hours before T0, with a deadline `hours` after its start. */
function withDeadline(hours: number | undefined): RunStatus {
  return {
    ...runStatus({ aws: 2 }),
    schedule: { rounds: 20, startedAt: iso(-7200), ...(hours === undefined ? {} : { deadlineAt: iso(-7200 + hours * 3600) }) },
  };
}

/** aws-unhealthy at T0: failing over to 2 Spot nodes; op-1 accepted by ARM. */
function failingOver(): FailoverState {
  const started = decide(initialState(RUN, at(-3600)), signal('aws-unhealthy', 'sig-1'), runStatus({ aws: 2 }), SAFETY_NET, at(0)).state;
  return recordDrive(started, 'op-1', { kind: 'submitted', resumeToken: 'token-1', pool: { provisioningState: 'Scaling', count: 0, enableAutoScaling: true, minCount: 2, maxCount: 4 } }, at(1), SAFETY_NET).state;
}

const valid = (state: FailoverState) => {
  expect(FailoverStateSchema.safeParse(state).success).toBe(true);
  return state;
};

describe('the deadline safety net verdict', () => {
  it('waits for Spot without an on-demand pool, without a deadline, or without a run status', () => {
    expect(deadlineFallback(withDeadline(4), at(60), POLICY)).toStrictEqual({ placement: 'wait', reason: 'no on-demand pool is deployed (SPOTON_ON_DEMAND_POOL_NAME): wait for Spot' });
    expect(deadlineFallback(withDeadline(undefined), at(60), SAFETY_NET)).toStrictEqual({ placement: 'wait', reason: 'the run has no deadline: wait for Spot' });
    expect(deadlineFallback(undefined, at(60), SAFETY_NET).placement).toBe('wait');
  });

  it('goes on-demand when the run is behind its uniform progress line', () => {
    // 7 of 20 rounds (35%) after 2 h of a 4 h deadline (50%).
    const verdict = deadlineFallback(withDeadline(4), at(60), SAFETY_NET);
    expect(verdict.placement).toBe('on-demand');
    expect(verdict.reason).toContain('round 7 of 20');
  });

  it('waits when ahead of the line, and names the time it would fall behind', () => {
    // 35% done after 2 h of 48 h: the line reaches 35% at 16.8 h; the check keeps one move (900 s) in hand.
    expect(deadlineFallback(withDeadline(48), at(60), SAFETY_NET)).toMatchObject({ placement: 'wait', recheckAt: new Date(Date.parse(iso(-7200)) + (0.35 * 48 * 3600 - 900) * 1000) });
  });

  it('never asks for a recheck in the past, nor for a finished run', () => {
    const finished = { ...withDeadline(48), round: 20 };
    expect(deadlineFallback(finished, at(60), SAFETY_NET)).not.toHaveProperty('recheckAt');
  });
});

describe('a failover the Spot pool refuses, under a deadline', () => {
  it('moves to the on-demand pool in the same phase and epoch, and fails back from it', () => {
    const before = failingOver();
    const step = failOperation(before, 'op-1', ALLOCATION_FAILED, at(60), SAFETY_NET, { poolCount: 0, status: withDeadline(4) });
    expect(step.actions).toStrictEqual([{ kind: 'drive-operation', operationId: 'op-2' }]);
    expect(valid(step.state)).toMatchObject({
      phase: 'failing-over',
      epoch: before.epoch,
      azureCapacity: 'on-demand',
      desiredAzureNodes: 2,
      pendingOperation: { id: 'op-2', purpose: 'failover', capacity: 'on-demand', targetNodes: 2, trainerReplicas: 2, requestedBy: 'safety-net:op-1', stage: 'requested' },
      lastFailure: { code: 'AllocationFailed', operationId: 'op-1', purpose: 'failover' },
    });
    expect(step.state.notes.at(-1)).toMatchObject({ kind: 'safety-net', operationId: 'op-2' });
    expect(step.state.incidents.at(-1)).not.toHaveProperty('error');

    const active = completeOperation(step.state, 'op-2', 'Succeeded, count 2', at(600)).state;
    expect(active).toMatchObject({ phase: 'azure-active', azureCapacity: 'on-demand' });
    const back = decide(active, signal('aws-recovered', 'sig-2'), runStatus({ aws: 4 }), SAFETY_NET, at(1200)).state;
    expect(back.pendingOperation).toMatchObject({ purpose: 'failback', capacity: 'on-demand', targetNodes: 0 });
    const primary = valid(completeOperation(back, back.pendingOperation?.id ?? '', 'Succeeded, count 0', at(1300)).state);
    expect([primary.phase, 'azureCapacity' in primary, primary.incidents.at(-1)?.outcome]).toStrictEqual(['aws-primary', false, 'recovered']);
  });

  it('treats Spot nodes that never came (OperationTimedOut) like a refusal', () => {
    const step = failOperation(failingOver(), 'op-1', { code: 'OperationTimedOut', message: 'no nodes' }, at(60), SAFETY_NET, { status: withDeadline(4) });
    expect(step.state.pendingOperation).toMatchObject({ capacity: 'on-demand' });
  });

  it('aborts as before on a failure that is not about capacity, deadline or not', () => {
    const step = failOperation(failingOver(), 'op-1', { code: 'TrainerScaleFailed', message: 'no Deployment' }, at(60), SAFETY_NET, { status: withDeadline(4) });
    expect([step.state.phase, step.state.pendingOperation?.purpose, 'azureCapacity' in step.state]).toStrictEqual(['failing-back', 'failback', false]);
  });

  it('aborts when the on-demand pool refuses too, releasing that pool (no loop between pools)', () => {
    const onDemand = failOperation(failingOver(), 'op-1', ALLOCATION_FAILED, at(60), SAFETY_NET, { status: withDeadline(4) }).state;
    const quota = { code: 'QuotaExceeded', message: 'Operation could not be completed as it results in exceeding approved standardNCASv3_T4Family cores quota.' };
    const step = failOperation(onDemand, 'op-2', quota, at(120), SAFETY_NET, { status: withDeadline(4) });
    expect(valid(step.state)).toMatchObject({ phase: 'failing-back', pendingOperation: { id: 'op-3', purpose: 'failback', capacity: 'on-demand', requestedBy: 'abort:op-2' } });
    const primary = completeOperation(step.state, 'op-3', 'Succeeded, count 0', at(200)).state;
    expect([primary.phase, 'azureCapacity' in primary]).toStrictEqual(['aws-primary', false]);
  });

  it('ahead of its line, aborts and re-evaluates the incident when the run would fall behind', () => {
    const step = failOperation(failingOver(), 'op-1', ALLOCATION_FAILED, at(60), SAFETY_NET, { status: withDeadline(48) });
    const recheckAt = new Date(Date.parse(iso(-7200)) + (0.35 * 48 * 3600 - 900) * 1000).toISOString();
    expect(valid(step.state)).toMatchObject({ phase: 'failing-back', deferredSignal: { id: 'sig-1', type: 'aws-unhealthy', notBefore: recheckAt, checks: 0 } });
    expect(step.state.transitions.at(-1)?.reason).toContain('deadline: no Spot worth it, ahead of the uniform progress line: wait');
    const primary = completeOperation(step.state, 'op-2', 'Succeeded, count 0', at(120));
    expect(primary.actions).toStrictEqual([{ kind: 'schedule-deferred', signalId: 'sig-1', notBefore: recheckAt }]);
    // At that time AWS is still down: the brain tries Spot again (the cheaper capacity) before on-demand.
    const again = reconsiderDeferred(primary.state, 'sig-1', withDeadline(48), SAFETY_NET, new Date(recheckAt));
    expect(again.state).toMatchObject({ phase: 'failing-over', pendingOperation: { purpose: 'failover', targetNodes: 2 } });
    expect(again.state.pendingOperation).not.toHaveProperty('capacity');
  });

  it('without a deadline, aborts and waits for Spot with nothing re-scheduled (today’s behaviour)', () => {
    const step = failOperation(failingOver(), 'op-1', ALLOCATION_FAILED, at(60), SAFETY_NET, { status: withDeadline(undefined) });
    expect([step.state.phase, step.state.deferredSignal]).toStrictEqual(['failing-back', undefined]);
  });
});
