import { initialState, type FailoverState, type PendingOperation } from '../../../azure-functions/src/domain/state';
import { linkToTrace } from '../../../azure-functions/src/domain/trace-links';

const NOW = new Date('2026-03-01T12:00:00Z');
const at = NOW.toISOString();
const SIGNAL_TRACE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const CONTINUATION_TRACE = '00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01';

const operation = (id: string, extra: Partial<PendingOperation> = {}): PendingOperation => ({
  id,
  purpose: 'failover',
  targetNodes: 3,
  trainerReplicas: 3,
  requestedBy: 'sig-1',
  requestedAt: at,
  stage: 'requested',
  putAttempts: 0,
  checks: 0,
  ...extra,
});

const idle = initialState('run-42', NOW);
/** A failover just decided: a new incident and a new operation. */
const failingOver: FailoverState = {
  ...idle,
  phase: 'failing-over',
  epoch: 1,
  pendingOperation: operation('op-1'),
  incidents: [{ id: 'sig-1', cause: 'capacity-lost', openedAt: at, openedEpoch: 1 }],
};

describe('linkToTrace (the state items of a trace)', () => {
  it('links a new incident and its new operation to the trace of the invocation that opened them', () => {
    const linked = linkToTrace(idle, failingOver, SIGNAL_TRACE);
    expect([linked.incidents[0]?.traceparent, linked.pendingOperation?.traceparent]).toStrictEqual([SIGNAL_TRACE, SIGNAL_TRACE]);
  });

  it('keeps an item rebuilt under the same id on the trace it had, not the one that rebuilt it', () => {
    const before = linkToTrace(idle, failingOver, SIGNAL_TRACE);
    const rebuilt: FailoverState = { ...before, pendingOperation: operation('op-1', { checks: 1 }), incidents: [{ id: 'sig-1', cause: 'capacity-lost', openedAt: at, openedEpoch: 1, lostInstanceIds: ['i-0abc'] }] };
    const linked = linkToTrace(before, rebuilt, CONTINUATION_TRACE);
    expect([linked.incidents[0]?.traceparent, linked.pendingOperation?.traceparent]).toStrictEqual([SIGNAL_TRACE, SIGNAL_TRACE]);
  });

  it('links a follow-up operation (the abort clean-up) to the invocation that started it', () => {
    const before = linkToTrace(idle, failingOver, SIGNAL_TRACE);
    const aborting: FailoverState = { ...before, phase: 'failing-back', pendingOperation: operation('op-2', { purpose: 'failback', targetNodes: 0 }) };
    const linked = linkToTrace(before, aborting, CONTINUATION_TRACE);
    expect([linked.pendingOperation?.traceparent, linked.incidents[0]?.traceparent]).toStrictEqual([CONTINUATION_TRACE, SIGNAL_TRACE]);
  });

  it('links a deferred signal to its trace, for its re-evaluation to continue', () => {
    const deferred: FailoverState = { ...idle, deferredSignal: { id: 'sig-2', type: 'aws-silent', receivedAt: at, notBefore: at, checks: 0, reason: 'grace' } };
    expect(linkToTrace(idle, deferred, SIGNAL_TRACE).deferredSignal?.traceparent).toBe(SIGNAL_TRACE);
  });

  it('changes nothing outside a recorded trace, or when nothing is new', () => {
    expect(linkToTrace(idle, failingOver, undefined)).toBe(failingOver);
    const linked = linkToTrace(idle, failingOver, SIGNAL_TRACE);
    expect(linkToTrace(linked, linked, CONTINUATION_TRACE)).toBe(linked);
  });

  it('leaves a closed incident alone: only the open one can be new', () => {
    const closed: FailoverState = { ...idle, incidents: [{ id: 'sig-0', cause: 'capacity-lost', openedAt: at, openedEpoch: 1, closedAt: at, outcome: 'recovered' }] };
    expect(linkToTrace(idle, closed, SIGNAL_TRACE).incidents[0]?.traceparent).toBeUndefined();
  });
});
