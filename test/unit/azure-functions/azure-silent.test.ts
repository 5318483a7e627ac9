import { decide, reconsiderDeferred } from '../../../azure-functions/src/domain/decide';
import { completeOperation, recordDrive } from '../../../azure-functions/src/domain/operation';
import { FailoverStateSchema, initialState, type FailoverState } from '../../../azure-functions/src/domain/state';
import type { RunStatus } from '../../../protocol/run-status';
import { at, iso, POLICY, RUN, runStatus, signal } from './helpers';

const SAFETY_NET = { ...POLICY, onDemandSafetyNet: true };

/** Round 7 of 20, started two hours before T0, due `hours` after its start; `azure` Azure trainers reporting. */
function withDeadline(hours: number | undefined, azure = 0): RunStatus {
  return { ...runStatus({ aws: 2, reportingAws: 0, azure }), schedule: { rounds: 20, startedAt: iso(-7200), ...(hours === undefined ? {} : { deadlineAt: iso(-7200 + hours * 3600) }) } };
}

/** Azure covers 2 AWS trainers on the Spot pool since T0 + 300 s. */
function azureActive(): FailoverState {
  const started = decide(initialState(RUN, at(-3600)), signal('aws-unhealthy', 'sig-1'), runStatus({ aws: 2 }), SAFETY_NET, at(0)).state;
  const submitted = recordDrive(started, 'op-1', { kind: 'submitted', resumeToken: 't', pool: { provisioningState: 'Scaling', count: 0, enableAutoScaling: true, minCount: 2, maxCount: 4 } }, at(1), SAFETY_NET).state;
  return completeOperation(submitted, 'op-1', 'Succeeded, count 2', at(300)).state;
}

describe('azure-silent: the Azure Spot cover went quiet', () => {
  it('moves the cover to the on-demand pool in the same epoch when the run is behind its deadline', () => {
    const before = azureActive();
    const step = decide(before, signal('azure-silent', 'sig-2'), withDeadline(4), SAFETY_NET, at(600));
    expect(step.actions).toStrictEqual([{ kind: 'drive-operation', operationId: 'op-2' }]);
    expect(FailoverStateSchema.parse(step.state)).toMatchObject({
      phase: 'azure-active',
      epoch: before.epoch,
      azureCapacity: 'on-demand',
      pendingOperation: { id: 'op-2', purpose: 'adjust', capacity: 'on-demand', targetNodes: 2 },
    });
    expect(step.state.notes.at(-1)).toMatchObject({ kind: 'safety-net', operationId: 'op-2' });
    // Failing back releases the on-demand pool.
    const active = completeOperation(step.state, 'op-2', 'Succeeded, count 2', at(900)).state;
    const back = decide(active, signal('aws-recovered', 'sig-3'), runStatus({ aws: 4 }), SAFETY_NET, at(1200)).state;
    expect(back.pendingOperation).toMatchObject({ purpose: 'failback', capacity: 'on-demand' });
  });

  it('waits while the run is ahead of its line, and is over once Azure trainers report again', () => {
    const waiting = decide(azureActive(), signal('azure-silent', 'sig-2'), withDeadline(48), SAFETY_NET, at(600));
    expect([waiting.outcome, waiting.state.azureCapacity, waiting.state.deferredSignal?.type]).toStrictEqual(['deferred', undefined, 'azure-silent']);
    const notBefore = new Date(waiting.state.deferredSignal?.notBefore ?? '');
    const back = reconsiderDeferred(waiting.state, 'sig-2', withDeadline(48, 2), SAFETY_NET, notBefore);
    expect([back.outcome, back.reason]).toStrictEqual(['ignored', 'azure-silent sig-2: Azure trainers report again (2 of 2): the silence is over']);
    // Still silent when the run would fall behind: on-demand then.
    const still = reconsiderDeferred(waiting.state, 'sig-2', { ...withDeadline(48), round: 0 }, SAFETY_NET, new Date(Date.parse(iso(-7200)) + 47 * 3600_000));
    expect(still.state).toMatchObject({ azureCapacity: 'on-demand', pendingOperation: { purpose: 'adjust', capacity: 'on-demand' } });
  });

  it('never pushes out a deferred aws-recovered (the failback it waits for would be lost)', () => {
    const recovering = decide(azureActive(), signal('aws-recovered', 'sig-2'), runStatus({ aws: 4 }), SAFETY_NET, at(400));
    expect(recovering.state.deferredSignal).toMatchObject({ id: 'sig-2', type: 'aws-recovered' });
    const silent = decide(recovering.state, signal('azure-silent', 'sig-3'), withDeadline(48), SAFETY_NET, at(450));
    expect([silent.outcome, silent.state.deferredSignal?.id]).toStrictEqual(['ignored', 'sig-2']);
    expect(silent.reason).toContain('the deferred aws-recovered sig-2 keeps its place');
  });

  it('changes nothing without a deadline, off azure-active, or already on on-demand', () => {
    const active = azureActive();
    expect(decide(active, signal('azure-silent', 'sig-2'), withDeadline(undefined), SAFETY_NET, at(600)).outcome).toBe('ignored');
    expect(decide(initialState(RUN, at(-3600)), signal('azure-silent', 'sig-2'), withDeadline(4), SAFETY_NET, at(600)).reason).toContain('Azure is not covering');
    const onDemand = decide(active, signal('azure-silent', 'sig-2'), withDeadline(4), SAFETY_NET, at(600)).state;
    const settled = completeOperation(onDemand, 'op-2', 'Succeeded, count 2', at(900)).state;
    expect(decide(settled, signal('azure-silent', 'sig-3'), withDeadline(4), SAFETY_NET, at(1000)).reason).toContain('already covers on on-demand');
  });
});
