/**
 * The failover decision: (state, signal, run status, policy, now) -> (next state, actions). Pure and exhaustive;
 * reading and writing the state, ARM and Kubernetes calls and queue messages are the caller's job.
 *
 * | signal           | aws-primary              | failing-over / azure-active        | failing-back |
 * |------------------|--------------------------|------------------------------------|--------------|
 * | capacity-lost    | fail over (partial)      | raise the Azure node count         | defer        |
 * | aws-unhealthy    | fail over (full)         | escalate to full, raise the count  | defer        |
 * | aws-silent       | fail over (full)         | escalate to full, raise the count  | defer        |
 * | aws-recovered    | ignore (drops a deferred | fail back once AWS trainers report | ignore       |
 * |                  | failover)                | and the cooldown has passed        |              |
 * | run-complete     | ignore                   | fail back at once: nothing is left | ignore       |
 * |                  |                          | to train, Azure GPUs only cost     |              |
 * | checkpoint-flushed, drill: recorded only (drill proves the signed path end to end, it moves nothing)     |
 *
 * A phase change a signal asks for is made only when the current phase is at least `minPhaseDurationSeconds` old;
 * a signal that comes earlier is DEFERRED, not dropped: it is kept in `deferredSignal` and a continuation
 * re-evaluates it at `notBefore` against the state and run status of that time. Dropping it would lose the only
 * copy (AWS sends each event once; the aggregator sends aws-silent once per silence). The latest deferred signal
 * wins. Completions of pool operations (failing-over -> azure-active, failing-back -> aws-primary, and the abort
 * failing-over -> failing-back of a failed operation) are not limited: they confirm what already happened.
 */
import type { RunStatus } from '../../../protocol/run-status';
import type { Signal } from '../../../protocol/signal';
import { capacityNeed, fullCoverPlan } from './coverage';
import type { FailoverPolicy } from './policy';
import {
  appendBounded,
  clip,
  IllegalPhaseChangeError,
  isLegalPhaseChange,
  LIMITS,
  openIncident,
  withNote,
  type ActionableSignalType,
  type Coverage,
  type FailoverState,
  type Phase,
  type PendingOperation,
} from './state';

/** What became of a signal. */
export type DecisionOutcome = 'duplicate' | 'recorded' | 'applied' | 'deferred' | 'ignored';

/** I/O the caller carries out after the state is written. */
export type BrainAction =
  /** Drive the pending operation: (failback: scale trainers to 0), PUT the pool, queue a continuation. */
  | { readonly kind: 'drive-operation'; readonly operationId: string }
  /** Queue a continuation that re-evaluates the deferred signal at `notBefore`. */
  | { readonly kind: 'schedule-deferred'; readonly signalId: string; readonly notBefore: string };

export interface Decision {
  readonly outcome: DecisionOutcome;
  readonly state: FailoverState;
  readonly actions: readonly BrainAction[];
  readonly reason: string;
}

/** The part of a signal the policy looks at (also what a deferred signal keeps). */
export interface SignalIntent {
  readonly id: string;
  readonly type: ActionableSignalType;
  readonly instanceIds?: readonly string[];
}

function assertNever(value: never): never {
  throw new Error(`unhandled value ${JSON.stringify(value)}`);
}

const COVERAGE_RANK: Readonly<Record<Coverage, number>> = { none: 0, partial: 1, full: 2 };

const plusSeconds = (date: Date, seconds: number): Date => new Date(date.getTime() + seconds * 1000);
const later = (a: Date, b: Date): Date => (a.getTime() >= b.getTime() ? a : b);

/**
 * The earliest time a signal may change the phase: the phase must be minPhaseDuration old. The very first phase
 * (epoch 0, the brain never acted) is not limited: nothing could flap yet.
 */
export function phaseChangeNotBefore(state: FailoverState, policy: FailoverPolicy): Date {
  if (state.epoch === 0) return new Date(0);
  return plusSeconds(new Date(state.phaseSince), policy.minPhaseDurationSeconds);
}

interface EvaluationContext {
  readonly policy: FailoverPolicy;
  readonly status: RunStatus | undefined;
  readonly now: Date;
  /** Re-evaluations of this signal so far (0 for a fresh one). */
  readonly checks: number;
  /** When the signal first arrived (a re-evaluated deferred signal keeps its first arrival). */
  readonly receivedAt?: string;
}

/** Decides what one signal does to the failover state. Duplicates (seen ids) change nothing. */
export function decide(state: FailoverState, signal: Signal, status: RunStatus | undefined, policy: FailoverPolicy, now: Date): Decision {
  if (signal.runId !== state.runId) throw new RangeError(`signal for run ${signal.runId} given to the state of run ${state.runId}`);
  if (state.seenSignalIds.includes(signal.id)) {
    return { outcome: 'duplicate', state, actions: [], reason: `signal ${signal.id} was acted on before` };
  }
  const seen: FailoverState = {
    ...state,
    seenSignalIds: appendBounded(state.seenSignalIds, signal.id, LIMITS.seenSignalIds),
    updatedAt: now.toISOString(),
  };
  const type = signal.type;
  switch (type) {
    case 'checkpoint-flushed':
      return {
        outcome: 'recorded',
        state: seen,
        actions: [],
        reason: `checkpoint flushed on ${signal.instanceIds?.join(', ') || 'no named instance'}: recorded, no phase change`,
      };
    case 'drill':
      return { outcome: 'recorded', state: seen, actions: [], reason: 'drill signal: the signed path works; no phase change' };
    case 'capacity-lost':
    case 'aws-unhealthy':
    case 'aws-silent':
    case 'aws-recovered':
    case 'run-complete':
      return evaluate(seen, { id: signal.id, type, ...(signal.instanceIds === undefined ? {} : { instanceIds: signal.instanceIds }) }, {
        policy,
        status,
        now,
        checks: 0,
      });
    default:
      return assertNever(type);
  }
}

/**
 * Re-evaluates the deferred signal `signalId` (a continuation fired). A stale id changes nothing; one that is
 * still early is re-scheduled for its `notBefore`.
 */
export function reconsiderDeferred(
  state: FailoverState,
  signalId: string,
  status: RunStatus | undefined,
  policy: FailoverPolicy,
  now: Date,
): Decision {
  const deferred = state.deferredSignal;
  if (deferred === undefined || deferred.id !== signalId) {
    return { outcome: 'ignored', state, actions: [], reason: `signal ${signalId} is no longer deferred` };
  }
  if (now.getTime() < Date.parse(deferred.notBefore)) {
    return {
      outcome: 'deferred',
      state,
      actions: [{ kind: 'schedule-deferred', signalId, notBefore: deferred.notBefore }],
      reason: `signal ${signalId} waits until ${deferred.notBefore}`,
    };
  }
  const { deferredSignal: _dropped, ...rest } = state;
  const base: FailoverState = { ...rest, updatedAt: now.toISOString() };
  const intent: SignalIntent = { id: deferred.id, type: deferred.type, ...(deferred.instanceIds === undefined ? {} : { instanceIds: deferred.instanceIds }) };
  return evaluate(base, intent, { policy, status, now, checks: deferred.checks + 1, receivedAt: deferred.receivedAt });
}

function evaluate(state: FailoverState, intent: SignalIntent, context: EvaluationContext): Decision {
  const { policy, status } = context;
  const type = intent.type;
  switch (type) {
    case 'capacity-lost': {
      if (policy.maxAzureNodes === 0) return ignore(state, intent, 'SPOTON_MAX_AZURE_NODES is 0: Azure cannot take over');
      // Spot warnings for one reclaim arrive as separate signals, faster than status.json changes: the incident
      // remembers every instance lost so far, so the second and third warnings raise the cover.
      const lost = [...new Set([...(openIncident(state)?.lostInstanceIds ?? []), ...(intent.instanceIds ?? [])])];
      const need = capacityNeed(status, lost, policy);
      if (need === 0) return ignore(state, intent, `AWS keeps at least ${policy.minAwsTrainers} trainers: nothing to cover`);
      return cover(state, intent, 'partial', need, [], context);
    }
    case 'aws-unhealthy':
    case 'aws-silent': {
      if (policy.maxAzureNodes === 0) return ignore(state, intent, 'SPOTON_MAX_AZURE_NODES is 0: Azure cannot take over');
      const plan = fullCoverPlan(status, policy);
      return cover(state, intent, 'full', plan.nodes, plan.pausedShards, context);
    }
    case 'aws-recovered':
      return recover(state, intent, context);
    case 'run-complete':
      return releaseAfterRun(state, intent, context);
    default:
      return assertNever(type);
  }
}

function ignore(state: FailoverState, intent: SignalIntent, reason: string): Decision {
  return { outcome: 'ignored', state, actions: [], reason: `${intent.type} ${intent.id}: ${reason}` };
}

function defer(state: FailoverState, intent: SignalIntent, notBefore: Date, why: string, context: EvaluationContext): Decision {
  const at = context.now.toISOString();
  if (context.checks > context.policy.maxDeferredChecks) {
    const reason = `${intent.type} ${intent.id} dropped after ${context.checks - 1} re-evaluations: ${why}`;
    return { outcome: 'ignored', state: withNote(state, { at, kind: 'expired', message: reason, signalId: intent.id }), actions: [], reason };
  }
  let next = supersedeDeferred(state, intent, at);
  const reason = `${intent.type} ${intent.id} deferred until ${notBefore.toISOString()}: ${why}`;
  if (context.checks === 0) next = withNote(next, { at, kind: 'deferred', message: reason, signalId: intent.id });
  next = {
    ...next,
    deferredSignal: {
      id: intent.id,
      type: intent.type,
      receivedAt: context.receivedAt ?? at,
      notBefore: notBefore.toISOString(),
      ...(intent.instanceIds === undefined ? {} : { instanceIds: [...intent.instanceIds] }),
      checks: context.checks,
      reason: clip(why),
    },
  };
  return { outcome: 'deferred', state: next, actions: [{ kind: 'schedule-deferred', signalId: intent.id, notBefore: notBefore.toISOString() }], reason };
}

/** Drops a deferred signal other than `intent` (the newer signal wins), with a note. */
function supersedeDeferred(state: FailoverState, intent: SignalIntent, at: string): FailoverState {
  const old = state.deferredSignal;
  if (old === undefined || old.id === intent.id) return state;
  const { deferredSignal: _dropped, ...rest } = state;
  return withNote(rest, {
    at,
    kind: 'superseded',
    message: `deferred ${old.type} ${old.id} superseded by ${intent.type} ${intent.id}`,
    signalId: old.id,
  });
}

/** Azure must cover `nodes` (capacity-lost: partial; aws-unhealthy/aws-silent: full). */
function cover(
  state: FailoverState,
  intent: SignalIntent,
  coverage: Coverage,
  nodes: number,
  pausedShards: readonly string[],
  context: EvaluationContext,
): Decision {
  const phase = state.phase;
  switch (phase) {
    case 'aws-primary': {
      const notBefore = phaseChangeNotBefore(state, context.policy);
      if (context.now < notBefore) {
        return defer(state, intent, notBefore, `the ${phase} phase began at ${state.phaseSince}, under ${context.policy.minPhaseDurationSeconds} s ago`, context);
      }
      return startFailover(state, intent, coverage, nodes, pausedShards, context);
    }
    case 'failing-over':
    case 'azure-active':
      return raiseCoverage(state, intent, coverage, nodes, pausedShards, context);
    case 'failing-back': {
      const notBefore = later(phaseChangeNotBefore(state, context.policy), plusSeconds(context.now, context.policy.recheckSeconds));
      return defer(state, intent, notBefore, 'a failback is in progress; failing over again waits until AWS is primary', context);
    }
    default:
      return assertNever(phase);
  }
}

function newOperation(
  state: FailoverState,
  purpose: PendingOperation['purpose'],
  targetNodes: number,
  requestedBy: string,
  context: EvaluationContext,
): { operation: PendingOperation; operationSeq: number } {
  const operationSeq = state.operationSeq + 1;
  return {
    operationSeq,
    operation: {
      id: `op-${operationSeq}`,
      purpose,
      targetNodes,
      trainerReplicas: targetNodes,
      requestedBy,
      requestedAt: context.now.toISOString(),
      stage: 'requested',
      leaseUntil: plusSeconds(context.now, context.policy.leaseSeconds).toISOString(),
      putAttempts: 0,
      checks: 0,
    },
  };
}

/** A phase change: epoch + 1 and a transition record. Throws on a change LEGAL_PHASE_CHANGES does not list (a bug). */
export function changePhase(
  state: FailoverState,
  to: Phase,
  now: Date,
  record: { outcome: 'started' | 'completed' | 'failed'; reason: string; signalId?: string; operationId?: string; error?: { code: string; message: string } },
): FailoverState {
  if (!isLegalPhaseChange(state.phase, to)) throw new IllegalPhaseChangeError(state.phase, to);
  const epoch = state.epoch + 1;
  const at = now.toISOString();
  return {
    ...state,
    phase: to,
    epoch,
    phaseSince: at,
    updatedAt: at,
    transitions: appendBounded(
      state.transitions,
      {
        at,
        epoch,
        from: state.phase,
        to,
        outcome: record.outcome,
        reason: clip(record.reason),
        ...(record.signalId === undefined ? {} : { signalId: record.signalId }),
        ...(record.operationId === undefined ? {} : { operationId: record.operationId }),
        ...(record.error === undefined ? {} : { error: { code: record.error.code, message: clip(record.error.message) } }),
      },
      LIMITS.transitions,
    ),
  };
}

function startFailover(
  state: FailoverState,
  intent: SignalIntent,
  coverage: Coverage,
  nodes: number,
  pausedShards: readonly string[],
  context: EvaluationContext,
): Decision {
  const at = context.now.toISOString();
  const { operation, operationSeq } = newOperation(state, 'failover', nodes, intent.id, context);
  const reason = `${intent.type} ${intent.id}: fail over (${coverage}) to ${nodes} Azure GPU node${nodes === 1 ? '' : 's'}`;
  const base = supersedeDeferred(state, intent, at);
  const { deferredSignal: _dropped, ...rest } = base;
  const moved = changePhase(rest, 'failing-over', context.now, { outcome: 'started', reason, signalId: intent.id, operationId: operation.id });
  const next: FailoverState = {
    ...moved,
    coverage,
    desiredAzureNodes: nodes,
    operationSeq,
    pendingOperation: operation,
    pausedShards: coverage === 'full' ? [...pausedShards] : [],
    incidents: appendBounded(
      state.incidents,
      { id: intent.id, cause: intent.type, openedAt: at, openedEpoch: moved.epoch, ...(intent.instanceIds?.length ? { lostInstanceIds: lastDistinct(intent.instanceIds) } : {}) },
      LIMITS.incidents,
    ),
  };
  return { outcome: 'applied', state: next, actions: [{ kind: 'drive-operation', operationId: operation.id }], reason };
}

/** Instance ids without repeats, the newest LIMITS.lostInstanceIds of them (a signal may name up to 1,000). */
function lastDistinct(instanceIds: readonly string[]): string[] {
  return [...new Set(instanceIds)].slice(-LIMITS.lostInstanceIds);
}

/** Adds instances to the open incident's lost instances (bounded, oldest dropped). */
function withLostInstances(state: FailoverState, instanceIds: readonly string[]): FailoverState {
  const incident = openIncident(state);
  if (incident === undefined || instanceIds.length === 0) return state;
  const lostInstanceIds = lastDistinct([...(incident.lostInstanceIds ?? []), ...instanceIds]);
  return { ...state, incidents: [...state.incidents.slice(0, -1), { ...incident, lostInstanceIds }] };
}

/** More Azure coverage without a phase change: a bigger target for the running operation, or a new adjust operation. */
function raiseCoverage(
  state: FailoverState,
  intent: SignalIntent,
  coverage: Coverage,
  nodes: number,
  pausedShards: readonly string[],
  context: EvaluationContext,
): Decision {
  const at = context.now.toISOString();
  const nextCoverage = COVERAGE_RANK[coverage] > COVERAGE_RANK[state.coverage] ? coverage : state.coverage;
  const nextNodes = Math.max(state.desiredAzureNodes, nodes);
  const nextPaused = nextCoverage === 'full' ? [...new Set([...state.pausedShards, ...pausedShards])].sort() : state.pausedShards;
  const escalates = nextCoverage !== state.coverage || nextPaused.length !== state.pausedShards.length;
  if (nextNodes === state.desiredAzureNodes && !escalates) {
    return ignore(state, intent, `Azure already covers ${state.desiredAzureNodes} node${state.desiredAzureNodes === 1 ? '' : 's'} (${state.coverage})`);
  }
  let next: FailoverState = withLostInstances(supersedeDeferred(state, intent, at), intent.instanceIds ?? []);
  next = { ...next, coverage: nextCoverage, pausedShards: nextPaused, desiredAzureNodes: nextNodes, updatedAt: at };
  const actions: BrainAction[] = [];
  if (nextNodes !== state.desiredAzureNodes) {
    const pending = state.pendingOperation;
    const lease = plusSeconds(context.now, context.policy.leaseSeconds).toISOString();
    if (pending !== undefined && pending.purpose !== 'failback') {
      next = { ...next, pendingOperation: { ...pending, targetNodes: nextNodes, trainerReplicas: nextNodes, leaseUntil: lease } };
      actions.push({ kind: 'drive-operation', operationId: pending.id });
    } else {
      const { operation, operationSeq } = newOperation(next, 'adjust', nextNodes, intent.id, context);
      next = { ...next, operationSeq, pendingOperation: operation };
      actions.push({ kind: 'drive-operation', operationId: operation.id });
    }
  }
  const reason = `${intent.type} ${intent.id}: Azure coverage ${state.coverage} -> ${nextCoverage}, ${state.desiredAzureNodes} -> ${nextNodes} node${nextNodes === 1 ? '' : 's'}`;
  next = withNote(next, { at, kind: 'scaled', message: reason, signalId: intent.id, ...(next.pendingOperation === undefined ? {} : { operationId: next.pendingOperation.id }) });
  return { outcome: 'applied', state: next, actions, reason };
}

function recover(state: FailoverState, intent: SignalIntent, context: EvaluationContext): Decision {
  const { policy, status, now } = context;
  const phase = state.phase;
  switch (phase) {
    case 'aws-primary': {
      const deferred = state.deferredSignal;
      if (deferred === undefined) return ignore(state, intent, 'AWS is primary already');
      const { deferredSignal: _dropped, ...rest } = state;
      const reason = `${intent.type} ${intent.id}: AWS recovered, the deferred ${deferred.type} ${deferred.id} is dropped`;
      return {
        outcome: 'applied',
        state: withNote(rest, { at: now.toISOString(), kind: 'superseded', message: reason, signalId: deferred.id }),
        actions: [],
        reason,
      };
    }
    case 'failing-back':
      return ignore(state, intent, 'a failback is in progress already');
    case 'failing-over':
    case 'azure-active': {
      const required = Math.max(1, policy.minAwsTrainers);
      const reporting = status?.reporting.aws ?? 0;
      if (reporting < required) {
        return defer(state, intent, plusSeconds(now, policy.recheckSeconds), `waiting for ${required} AWS trainer${required === 1 ? '' : 's'} to report (${reporting} do)`, context);
      }
      const incidentStart = new Date(openIncident(state)?.openedAt ?? state.phaseSince);
      const notBefore = later(plusSeconds(incidentStart, policy.failbackCooldownSeconds), phaseChangeNotBefore(state, policy));
      if (now < notBefore) {
        return defer(state, intent, notBefore, `failback cooldown (${policy.failbackCooldownSeconds} s after the failover began) and minimum phase duration`, context);
      }
      return startFailback(state, intent, context);
    }
    default:
      return assertNever(phase);
  }
}

/**
 * The aggregator committed the last round: the Azure GPU nodes have nothing left to train, so they are released
 * without waiting for AWS trainers (there will be none) or the failback cooldown (there is nothing to flap back to).
 */
function releaseAfterRun(state: FailoverState, intent: SignalIntent, context: EvaluationContext): Decision {
  const phase = state.phase;
  switch (phase) {
    case 'aws-primary':
      return ignore(state, intent, 'the run is complete and Azure holds no capacity');
    case 'failing-back':
      return ignore(state, intent, 'the run is complete; the failback in progress releases Azure');
    case 'failing-over':
    case 'azure-active': {
      const notBefore = phaseChangeNotBefore(state, context.policy);
      if (context.now < notBefore) return defer(state, intent, notBefore, 'minimum phase duration', context);
      return startFailback(state, intent, context);
    }
    default:
      return assertNever(phase);
  }
}

function startFailback(state: FailoverState, intent: SignalIntent, context: EvaluationContext): Decision {
  const at = context.now.toISOString();
  const { operation, operationSeq } = newOperation(state, 'failback', 0, intent.id, context);
  const aborting = state.phase === 'failing-over';
  const why = intent.type === 'run-complete' ? 'the run is complete' : 'AWS trainers report again';
  const reason = `${intent.type} ${intent.id}: ${why}; ${aborting ? 'abort the failover and ' : ''}fail back, Azure to 0 nodes`;
  const { deferredSignal: _dropped, ...rest } = supersedeDeferred(state, intent, at);
  const moved = changePhase(rest, 'failing-back', context.now, { outcome: 'started', reason, signalId: intent.id, operationId: operation.id });
  return {
    outcome: 'applied',
    state: { ...moved, desiredAzureNodes: 0, operationSeq, pendingOperation: operation },
    actions: [{ kind: 'drive-operation', operationId: operation.id }],
    reason,
  };
}
