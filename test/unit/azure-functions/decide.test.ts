import { changePhase, decide, reconsiderDeferred, type Decision } from '../../../azure-functions/src/domain/decide';
import { FailoverStateSchema, IllegalPhaseChangeError, initialState, LIMITS, type FailoverState } from '../../../azure-functions/src/domain/state';
import { INSTANCES, iso, at, POLICY, RUN, runStatus, signal } from './helpers';

const fresh = (): FailoverState => initialState(RUN, at(-3600));

/** Applies a decision and checks the state it produced is a valid document. */
function valid(decision: Decision): Decision {
  expect(FailoverStateSchema.safeParse(decision.state).success).toBe(true);
  return decision;
}

/** A state that failed over (partial, 1 node) at `seconds` and completed at `seconds + 60`. */
function azureActive(seconds = 0, coverage: 'partial' | 'full' = 'partial', nodes = 1): FailoverState {
  const state = fresh();
  return {
    ...state,
    phase: 'azure-active',
    epoch: 2,
    phaseSince: iso(seconds + 60),
    updatedAt: iso(seconds + 60),
    coverage,
    desiredAzureNodes: nodes,
    operationSeq: 1,
    seenSignalIds: ['sig-lost'],
    incidents: [{ id: 'sig-lost', cause: 'capacity-lost', openedAt: iso(seconds), openedEpoch: 1 }],
  };
}

describe('decide: failing over', () => {
  it('covers the AWS trainers missing below the minimum on capacity-lost (one Spot warning of four trainers)', () => {
    const decision = valid(decide(fresh(), signal('capacity-lost', 'sig-1', { instanceIds: [INSTANCES[0]] }), runStatus(), POLICY, at(0)));
    expect(decision).toStrictEqual({
      outcome: 'applied',
      reason: 'capacity-lost sig-1: fail over (partial) to 1 Azure GPU node',
      actions: [{ kind: 'drive-operation', operationId: 'op-1' }],
      state: {
        ...fresh(),
        phase: 'failing-over',
        epoch: 1,
        phaseSince: iso(0),
        updatedAt: iso(0),
        coverage: 'partial',
        desiredAzureNodes: 1,
        operationSeq: 1,
        pendingOperation: {
          id: 'op-1',
          purpose: 'failover',
          targetNodes: 1,
          trainerReplicas: 1,
          requestedBy: 'sig-1',
          requestedAt: iso(0),
          stage: 'requested',
          leaseUntil: iso(30),
          putAttempts: 0,
          checks: 0,
        },
        seenSignalIds: ['sig-1'],
        transitions: [
          {
            at: iso(0),
            epoch: 1,
            from: 'aws-primary',
            to: 'failing-over',
            outcome: 'started',
            reason: 'capacity-lost sig-1: fail over (partial) to 1 Azure GPU node',
            signalId: 'sig-1',
            operationId: 'op-1',
          },
        ],
        incidents: [{ id: 'sig-1', cause: 'capacity-lost', openedAt: iso(0), openedEpoch: 1, lostInstanceIds: [INSTANCES[0]] }],
      },
    });
  });

  it('adds up successive Spot warnings of one reclaim, before status.json shows any trainer gone', () => {
    const first = decide(fresh(), signal('capacity-lost', 'sig-1', { instanceIds: [INSTANCES[0]] }), runStatus(), POLICY, at(0));
    const second = decide(first.state, signal('capacity-lost', 'sig-2', { instanceIds: [INSTANCES[1]] }), runStatus(), POLICY, at(1));
    const again = decide(second.state, signal('capacity-lost', 'sig-3', { instanceIds: [INSTANCES[1]] }), runStatus(), POLICY, at(2));
    expect([first.state.desiredAzureNodes, second.state.desiredAzureNodes, second.state.pendingOperation?.targetNodes, again.outcome]).toStrictEqual([1, 2, 2, 'ignored']);
    expect(second.state.incidents.at(-1)?.lostInstanceIds).toStrictEqual([INSTANCES[0], INSTANCES[1]]);
  });

  it('caps the Azure node count at maxAzureNodes', () => {
    const lost = decide(fresh(), signal('capacity-lost', 'sig-1', { instanceIds: [...INSTANCES] }), runStatus(), POLICY, at(0));
    expect([lost.state.desiredAzureNodes, lost.state.pendingOperation?.targetNodes]).toStrictEqual([3, 3]);
  });

  it('records a capacity-lost that leaves enough AWS trainers and changes nothing else', () => {
    const decision = valid(decide(fresh(), signal('capacity-lost', 'sig-1', { instanceIds: [INSTANCES[0]] }), runStatus({ aws: 4 }), { ...POLICY, minAwsTrainers: 3 }, at(0)));
    expect(decision).toStrictEqual({
      outcome: 'ignored',
      reason: 'capacity-lost sig-1: AWS keeps at least 3 trainers: nothing to cover',
      actions: [],
      state: { ...fresh(), seenSignalIds: ['sig-1'], updatedAt: iso(0) },
    });
  });

  it('without a run status counts each lost instance as one missing trainer', () => {
    const decision = decide(fresh(), signal('capacity-lost', 'sig-1', { instanceIds: [INSTANCES[0], INSTANCES[1]] }), undefined, POLICY, at(0));
    expect([decision.outcome, decision.state.desiredAzureNodes]).toStrictEqual(['applied', 2]);
  });

  it('fails over fully on aws-unhealthy: movable shards move, pinned shards pause', () => {
    const decision = valid(decide(fresh(), signal('aws-unhealthy', 'sig-alarm', { alarmName: 'aws-training-unhealthy' }), runStatus({ aws: 3, pinned: 1 }), POLICY, at(0)));
    expect([decision.outcome, decision.state.phase, decision.state.coverage, decision.state.desiredAzureNodes, decision.state.pausedShards]).toStrictEqual([
      'applied',
      'failing-over',
      'full',
      2,
      ['shard-0'],
    ]);
    expect(decision.reason).toBe('aws-unhealthy sig-alarm: fail over (full) to 2 Azure GPU nodes');
  });

  it('fails over on aws-silent without a run status to minAwsTrainers nodes, capped', () => {
    const decision = decide(fresh(), signal('aws-silent', 'sig-silent'), undefined, { ...POLICY, minAwsTrainers: 2 }, at(0));
    expect([decision.state.phase, decision.state.desiredAzureNodes, decision.state.pausedShards]).toStrictEqual(['failing-over', 2, []]);
  });

  it('ignores failover signals when maxAzureNodes is 0', () => {
    const decision = decide(fresh(), signal('aws-unhealthy', 'sig-1'), runStatus(), { ...POLICY, maxAzureNodes: 0 }, at(0));
    expect([decision.outcome, decision.reason, decision.actions]).toStrictEqual(['ignored', 'aws-unhealthy sig-1: SPOTON_MAX_AZURE_NODES is 0: Azure cannot take over', []]);
  });

  it('does not limit the very first phase change (epoch 0: nothing could flap yet)', () => {
    const first: FailoverState = { ...fresh(), phaseSince: iso(0) };
    expect(decide(first, signal('aws-unhealthy', 'sig-1'), runStatus(), POLICY, at(1)).outcome).toBe('applied');
  });

  it('defers a failover that comes within minPhaseDuration of the last phase change', () => {
    const justBack: FailoverState = { ...fresh(), epoch: 4, phaseSince: iso(0) };
    const decision = valid(decide(justBack, signal('aws-unhealthy', 'sig-early'), runStatus(), POLICY, at(30)));
    const reason = `aws-unhealthy sig-early deferred until ${iso(120)}: the aws-primary phase began at ${iso(0)}, under 120 s ago`;
    expect(decision).toStrictEqual({
      outcome: 'deferred',
      reason,
      actions: [{ kind: 'schedule-deferred', signalId: 'sig-early', notBefore: iso(120) }],
      state: {
        ...justBack,
        updatedAt: iso(30),
        seenSignalIds: ['sig-early'],
        notes: [{ at: iso(30), kind: 'deferred', message: reason, signalId: 'sig-early' }],
        deferredSignal: {
          id: 'sig-early',
          type: 'aws-unhealthy',
          receivedAt: iso(30),
          notBefore: iso(120),
          checks: 0,
          reason: `the aws-primary phase began at ${iso(0)}, under 120 s ago`,
        },
      },
    });
  });

  it('escalates a partial failover in progress to full without a phase change', () => {
    const started = decide(fresh(), signal('capacity-lost', 'sig-1', { instanceIds: [INSTANCES[0]] }), runStatus({ pinned: 1 }), POLICY, at(0)).state;
    const decision = valid(decide(started, signal('aws-unhealthy', 'sig-2'), runStatus({ pinned: 1 }), POLICY, at(5)));
    expect([decision.outcome, decision.state.phase, decision.state.epoch, decision.state.coverage, decision.state.desiredAzureNodes]).toStrictEqual([
      'applied',
      'failing-over',
      1,
      'full',
      3,
    ]);
    expect(decision.state.pendingOperation).toMatchObject({ id: 'op-1', targetNodes: 3, trainerReplicas: 3, leaseUntil: iso(35) });
    expect(decision.state.pausedShards).toStrictEqual(['shard-0']);
    expect(decision.actions).toStrictEqual([{ kind: 'drive-operation', operationId: 'op-1' }]);
    expect(decision.state.transitions).toHaveLength(1);
  });

  it('raises Azure with an adjust operation when more capacity is lost while Azure is active', () => {
    const decision = valid(decide(azureActive(), signal('capacity-lost', 'sig-3', { instanceIds: [INSTANCES[1], INSTANCES[2], INSTANCES[3]] }), runStatus(), POLICY, at(300)));
    expect(decision.state.pendingOperation).toStrictEqual({
      id: 'op-2',
      purpose: 'adjust',
      targetNodes: 3,
      trainerReplicas: 3,
      requestedBy: 'sig-3',
      requestedAt: iso(300),
      stage: 'requested',
      leaseUntil: iso(330),
      putAttempts: 0,
      checks: 0,
    });
    expect([decision.state.phase, decision.state.epoch, decision.state.desiredAzureNodes, decision.state.notes.at(-1)?.kind]).toStrictEqual([
      'azure-active',
      2,
      3,
      'scaled',
    ]);
  });

  it('ignores a failover signal Azure already covers', () => {
    const decision = decide(azureActive(0, 'full', 3), signal('aws-silent', 'sig-4'), runStatus(), POLICY, at(300));
    expect([decision.outcome, decision.reason]).toStrictEqual(['ignored', 'aws-silent sig-4: Azure already covers 3 nodes (full)']);
  });

  it('defers a failover signal that arrives during a failback until AWS is primary again', () => {
    const back: FailoverState = { ...azureActive(), phase: 'failing-back', epoch: 3, phaseSince: iso(700) };
    const decision = decide(back, signal('aws-unhealthy', 'sig-5'), runStatus(), POLICY, at(710));
    expect([decision.outcome, decision.state.deferredSignal?.notBefore, decision.actions]).toStrictEqual([
      'deferred',
      iso(820),
      [{ kind: 'schedule-deferred', signalId: 'sig-5', notBefore: iso(820) }],
    ]);
  });
});

describe('decide: failing back', () => {
  it('fails back after the cooldown once enough AWS trainers report', () => {
    const decision = valid(decide(azureActive(), signal('aws-recovered', 'sig-ok'), runStatus(), POLICY, at(600)));
    expect(decision.outcome).toBe('applied');
    expect(decision.state).toMatchObject({
      phase: 'failing-back',
      epoch: 3,
      desiredAzureNodes: 0,
      pendingOperation: { id: 'op-2', purpose: 'failback', targetNodes: 0, trainerReplicas: 0, stage: 'requested' },
    });
    expect(decision.state.transitions.at(-1)).toStrictEqual({
      at: iso(600),
      epoch: 3,
      from: 'azure-active',
      to: 'failing-back',
      outcome: 'started',
      reason: 'aws-recovered sig-ok: AWS trainers report again; fail back, Azure to 0 nodes',
      signalId: 'sig-ok',
      operationId: 'op-2',
    });
  });

  it('releases Azure when the run completes: no AWS trainer and no cooldown needed', () => {
    const decision = valid(decide(azureActive(), signal('run-complete', 'run-complete-run-42'), runStatus({ reportingAws: 0 }), POLICY, at(200)));
    expect([decision.outcome, decision.state.phase, decision.state.desiredAzureNodes, decision.state.pendingOperation?.purpose]).toStrictEqual(['applied', 'failing-back', 0, 'failback']);
    expect(decision.reason).toBe('run-complete run-complete-run-42: the run is complete; fail back, Azure to 0 nodes');
    expect(decide(fresh(), signal('run-complete', 'run-complete-run-42'), runStatus(), POLICY, at(0)).outcome).toBe('ignored');
  });

  it('defers aws-recovered until the failback cooldown has passed since the failover began', () => {
    const decision = decide(azureActive(), signal('aws-recovered', 'sig-ok'), runStatus(), POLICY, at(200));
    expect([decision.outcome, decision.state.deferredSignal?.notBefore, decision.state.phase]).toStrictEqual(['deferred', iso(600), 'azure-active']);
  });

  it('defers aws-recovered while too few AWS trainers report, re-checking after recheckSeconds', () => {
    const decision = decide(azureActive(), signal('aws-recovered', 'sig-ok'), runStatus({ reportingAws: 0 }), POLICY, at(900));
    expect([decision.outcome, decision.state.deferredSignal?.notBefore, decision.state.deferredSignal?.reason]).toStrictEqual([
      'deferred',
      iso(960),
      'waiting for 4 AWS trainers to report (0 do)',
    ]);
  });

  it('aborts a failover still in progress when AWS recovers (failing-over -> failing-back)', () => {
    const started = decide(fresh(), signal('aws-unhealthy', 'sig-1'), runStatus(), { ...POLICY, failbackCooldownSeconds: 0 }, at(0)).state;
    const decision = valid(decide(started, signal('aws-recovered', 'sig-ok'), runStatus(), { ...POLICY, failbackCooldownSeconds: 0 }, at(130)));
    expect([decision.state.phase, decision.state.epoch, decision.state.pendingOperation?.purpose, decision.reason]).toStrictEqual([
      'failing-back',
      2,
      'failback',
      'aws-recovered sig-ok: AWS trainers report again; abort the failover and fail back, Azure to 0 nodes',
    ]);
  });

  it('ignores aws-recovered while AWS is primary, but drops a deferred failover with it', () => {
    const idle = decide(fresh(), signal('aws-recovered', 'sig-ok'), runStatus(), POLICY, at(0));
    expect([idle.outcome, idle.reason]).toStrictEqual(['ignored', 'aws-recovered sig-ok: AWS is primary already']);

    const early: FailoverState = { ...fresh(), epoch: 4, phaseSince: iso(0) };
    const deferred = decide(early, signal('aws-unhealthy', 'sig-bad'), runStatus(), POLICY, at(10)).state;
    const dropped = valid(decide(deferred, signal('aws-recovered', 'sig-ok'), runStatus(), POLICY, at(20)));
    expect([dropped.outcome, dropped.state.deferredSignal, dropped.state.notes.at(-1)?.kind]).toStrictEqual(['applied', undefined, 'superseded']);
  });

  it('ignores aws-recovered during a failback', () => {
    const back: FailoverState = { ...azureActive(), phase: 'failing-back', epoch: 3, phaseSince: iso(700) };
    expect(decide(back, signal('aws-recovered', 'sig-ok'), runStatus(), POLICY, at(710)).outcome).toBe('ignored');
  });
});

describe('decide: idempotency and records', () => {
  it('answers a seen signal id as a duplicate with the very same state and no action', () => {
    const first = decide(fresh(), signal('aws-unhealthy', 'sig-1'), runStatus(), POLICY, at(0));
    const again = decide(first.state, signal('aws-unhealthy', 'sig-1'), runStatus(), POLICY, at(1));
    expect(again).toStrictEqual({ outcome: 'duplicate', state: first.state, actions: [], reason: 'signal sig-1 was acted on before' });
    expect(again.state).toBe(first.state);
  });

  it('records checkpoint-flushed and drill signals without a phase change', () => {
    const flushed = decide(fresh(), signal('checkpoint-flushed', 'sig-f', { instanceIds: [INSTANCES[0]] }), runStatus(), POLICY, at(0));
    const drill = decide(flushed.state, signal('drill', 'sig-d'), runStatus(), POLICY, at(1));
    expect([flushed.outcome, flushed.reason, drill.outcome, drill.state.phase, drill.state.epoch, drill.state.seenSignalIds]).toStrictEqual([
      'recorded',
      `checkpoint flushed on ${INSTANCES[0]}: recorded, no phase change`,
      'recorded',
      'aws-primary',
      0,
      ['sig-f', 'sig-d'],
    ]);
  });

  it('keeps only the newest seen signal ids', () => {
    let state = fresh();
    for (let index = 0; index < LIMITS.seenSignalIds + 5; index += 1) state = decide(state, signal('drill', `sig-${index}`), undefined, POLICY, at(index)).state;
    expect([state.seenSignalIds.length, state.seenSignalIds[0], state.seenSignalIds.at(-1)]).toStrictEqual([LIMITS.seenSignalIds, 'sig-5', `sig-${LIMITS.seenSignalIds + 4}`]);
  });

  it('refuses a signal of another run', () => {
    expect(() => decide(fresh(), { ...signal('drill', 'x'), runId: 'other' }, undefined, POLICY, at(0))).toThrow(new RangeError('signal for run other given to the state of run run-42'));
  });
});

describe('changePhase', () => {
  it('makes only the phase changes LEGAL_PHASE_CHANGES lists: skipping failing-over is a bug, refused loudly', () => {
    const primary = initialState(RUN, at(0));
    const over = changePhase(primary, 'failing-over', at(1), { outcome: 'started', reason: 'test' });
    expect({ phase: over.phase, epoch: over.epoch }).toStrictEqual({ phase: 'failing-over', epoch: 1 });
    const refused = () => changePhase(primary, 'azure-active', at(1), { outcome: 'completed', reason: 'test' });
    expect(refused).toThrow(IllegalPhaseChangeError);
    expect(refused).toThrow('illegal phase change aws-primary -> azure-active (legal from aws-primary: failing-over)');
  });
});

describe('reconsiderDeferred', () => {
  const early: FailoverState = { ...fresh(), epoch: 4, phaseSince: iso(0) };
  const deferred = () => decide(early, signal('aws-unhealthy', 'sig-early'), runStatus(), POLICY, at(30)).state;

  it('ignores a signal that is no longer deferred', () => {
    const state = deferred();
    expect(reconsiderDeferred(state, 'sig-other', runStatus(), POLICY, at(200))).toStrictEqual({
      outcome: 'ignored',
      state,
      actions: [],
      reason: 'signal sig-other is no longer deferred',
    });
  });

  it('re-schedules a signal whose time has not come, changing nothing', () => {
    const state = deferred();
    const decision = reconsiderDeferred(state, 'sig-early', runStatus(), POLICY, at(60));
    expect([decision.outcome, decision.state, decision.actions]).toStrictEqual([
      'deferred',
      state,
      [{ kind: 'schedule-deferred', signalId: 'sig-early', notBefore: iso(120) }],
    ]);
  });

  it('acts on a deferred signal once its time has come', () => {
    const decision = valid(reconsiderDeferred(deferred(), 'sig-early', runStatus(), POLICY, at(120)));
    expect([decision.outcome, decision.state.phase, decision.state.epoch, decision.state.deferredSignal, decision.state.pendingOperation?.requestedBy]).toStrictEqual([
      'applied',
      'failing-over',
      5,
      undefined,
      'sig-early',
    ]);
  });

  it('drops a signal deferred again and again, with a note', () => {
    let state = decide(azureActive(), signal('aws-recovered', 'sig-ok'), runStatus({ reportingAws: 0 }), POLICY, at(900)).state;
    const outcomes: string[] = [];
    for (let check = 1; check <= POLICY.maxDeferredChecks + 1; check += 1) {
      const decision = reconsiderDeferred(state, 'sig-ok', runStatus({ reportingAws: 0 }), POLICY, at(900 + 60 * check));
      outcomes.push(decision.outcome);
      state = decision.state;
    }
    expect(outcomes).toStrictEqual(['deferred', 'deferred', 'deferred', 'ignored']);
    expect([state.deferredSignal, state.notes.at(-1)?.kind, state.deferredSignal?.receivedAt]).toStrictEqual([undefined, 'expired', undefined]);
  });

  it('keeps the first arrival time across re-evaluations', () => {
    const state = decide(azureActive(), signal('aws-recovered', 'sig-ok'), runStatus({ reportingAws: 0 }), POLICY, at(900)).state;
    const again = reconsiderDeferred(state, 'sig-ok', runStatus({ reportingAws: 0 }), POLICY, at(960)).state;
    expect([again.deferredSignal?.receivedAt, again.deferredSignal?.checks, again.deferredSignal?.notBefore]).toStrictEqual([iso(900), 1, iso(1020)]);
  });
});
