import { decide, reconsiderDeferred } from '../../../azure-functions/src/domain/decide';
import { initialState } from '../../../azure-functions/src/domain/state';
import type { RunStatus } from '../../../protocol/run-status';
import { at, INSTANCES, iso, POLICY, RUN, runStatus, signal } from './helpers';

const GRACE = { ...POLICY, replacementGraceSeconds: 300 };
const fresh = () => initialState(RUN, at(-3600));
const lost = (id: string, instance: string) => signal('capacity-lost', id, { instanceIds: [instance] });

describe('the replacement grace of capacity-lost', () => {
  it('fails over at once without a grace (the default)', () => {
    expect(decide(fresh(), lost('sig-1', INSTANCES[0]), runStatus(), POLICY, at(0)).state.phase).toBe('failing-over');
  });

  it('waits the grace first, then does nothing when Karpenter\'s replacement reports', () => {
    const waiting = decide(fresh(), lost('sig-1', INSTANCES[0]), runStatus(), GRACE, at(0));
    expect([waiting.outcome, waiting.state.phase, waiting.actions]).toStrictEqual(['deferred', 'aws-primary', [{ kind: 'schedule-deferred', signalId: 'sig-1', notBefore: iso(300) }]]);
    expect(waiting.state.deferredSignal?.reason).toContain('replacement grace');
    // The replacement is up: four AWS trainers report, none of them on the lost instance.
    const replaced: RunStatus = { ...runStatus(), trainers: runStatus().trainers.map((trainer, index) => (index === 0 ? { ...trainer, instanceId: 'i-0e00000000000000e' } : trainer)) };
    const later = reconsiderDeferred(waiting.state, 'sig-1', replaced, GRACE, at(300));
    expect([later.outcome, later.state.phase, later.reason]).toStrictEqual(['ignored', 'aws-primary', 'capacity-lost sig-1: AWS keeps at least 4 trainers: nothing to cover']);
  });

  it('fails over after the grace when AWS is still short', () => {
    const waiting = decide(fresh(), lost('sig-1', INSTANCES[0]), runStatus(), GRACE, at(0)).state;
    const later = reconsiderDeferred(waiting, 'sig-1', runStatus({ reportingAws: 3 }), GRACE, at(300));
    expect([later.outcome, later.state.phase, later.state.desiredAzureNodes]).toStrictEqual(['applied', 'failing-over', 1]);
  });

  it('counts the grace from the first warning of a reclaim and keeps every lost instance', () => {
    const first = decide(fresh(), lost('sig-1', INSTANCES[0]), runStatus(), GRACE, at(0)).state;
    const second = decide(first, lost('sig-2', INSTANCES[1]), runStatus(), GRACE, at(40));
    expect(second.state.deferredSignal).toMatchObject({ id: 'sig-2', notBefore: iso(300), instanceIds: [INSTANCES[0], INSTANCES[1]] });
    const later = reconsiderDeferred(second.state, 'sig-2', runStatus({ reportingAws: 4 }), GRACE, at(300));
    expect([later.state.phase, later.state.desiredAzureNodes]).toStrictEqual(['failing-over', 2]);
  });

  it('never waits on an outage (no replacement is coming)', () => {
    expect(decide(fresh(), signal('aws-unhealthy', 'sig-1'), runStatus(), GRACE, at(0)).state.phase).toBe('failing-over');
  });

  it('does not wait when the deadline cannot afford it', () => {
    // Round 7 of 20 after 2 h of a 4 h deadline: behind the line already.
    const behind: RunStatus = { ...runStatus(), schedule: { rounds: 20, startedAt: iso(-7200), deadlineAt: iso(-7200 + 4 * 3600) } };
    expect(decide(fresh(), lost('sig-1', INSTANCES[0]), behind, GRACE, at(0)).state.phase).toBe('failing-over');
    // 7 of 20 after 2 h of 48 h: far ahead, the grace is affordable.
    const ahead: RunStatus = { ...behind, schedule: { rounds: 20, startedAt: iso(-7200), deadlineAt: iso(-7200 + 48 * 3600) } };
    expect(decide(fresh(), lost('sig-1', INSTANCES[0]), ahead, GRACE, at(0)).outcome).toBe('deferred');
  });

  it('holds an aws-silent that comes during the grace to the grace\'s end: the silence is the reclaim being replaced', () => {
    const waiting = decide(fresh(), lost('sig-1', INSTANCES[0]), runStatus({ reportingAws: 0 }), GRACE, at(0)).state;
    const silent = decide(waiting, signal('aws-silent', 'sig-2'), runStatus({ reportingAws: 0 }), GRACE, at(120));
    expect([silent.outcome, silent.state.phase, silent.state.deferredSignal?.id, silent.state.deferredSignal?.notBefore]).toStrictEqual(['deferred', 'aws-primary', 'sig-2', iso(300)]);
    // The replacement reports by then: the silence is over, nothing moves.
    const replaced = reconsiderDeferred(silent.state, 'sig-2', runStatus({ reportingAws: 4 }), GRACE, at(300));
    expect([replaced.outcome, replaced.state.phase, replaced.reason]).toStrictEqual(['ignored', 'aws-primary', 'aws-silent sig-2: AWS trainers report again (4 of at least 4): the silence is over']);
    // No replacement: the full failover the silence asks for.
    const still = reconsiderDeferred(silent.state, 'sig-2', runStatus({ reportingAws: 0 }), GRACE, at(300));
    expect([still.outcome, still.state.phase, still.state.coverage]).toStrictEqual(['applied', 'failing-over', 'full']);
  });

  it('fails over at once on an aws-silent with no grace running (an outage, not a reclaim)', () => {
    expect(decide(fresh(), signal('aws-silent', 'sig-1'), runStatus({ reportingAws: 0 }), GRACE, at(0)).state.phase).toBe('failing-over');
  });
});
