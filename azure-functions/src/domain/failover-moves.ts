/** The moves towards Azure: cover what AWS lost (start a failover, or raise the cover of one under way). */
import {
  appendBounded,
  LIMITS,
  openIncident,
  withNote,
  type Coverage,
  type FailoverState,
} from './state';
import { assertNever, COVERAGE_RANK, defer, ignore, later, phaseChangeNotBefore, plusSeconds, supersedeDeferred, type BrainAction, type Decision, type EvaluationContext, type SignalIntent } from './decision';
import { affordsWait } from './deadline-fallback';
import { changePhase, newOperation } from './transition';

/** Azure must cover `nodes` (capacity-lost: partial; aws-unhealthy/aws-silent: full). */
export function cover(
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
      const silence = silenceDuringGrace(state, intent, context);
      if (silence !== undefined) return silence;
      const grace = replacementGrace(state, intent, context);
      if (grace !== undefined) return defer(state, grace.intent, grace.until, grace.why, context);
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

/** How the reason of a capacity-lost waiting for Karpenter's replacement begins. */
const REPLACEMENT_GRACE = 'replacement grace';

/**
 * An aws-silent at aws-primary, while a capacity-lost waits in its replacement grace, is that reclaim heard from the
 * aggregator (its trainers went quiet): it waits for the same end. Re-evaluated, an aws-silent whose AWS trainers
 * report again is over. Only a re-evaluated one: a fresh aws-silent is the aggregator's own reading of now.
 */
function silenceDuringGrace(state: FailoverState, intent: SignalIntent, context: EvaluationContext): Decision | undefined {
  if (intent.type !== 'aws-silent') return undefined;
  const required = Math.max(1, context.policy.minAwsTrainers);
  const reporting = context.status?.reporting.aws ?? 0;
  if (context.checks > 0 && reporting >= required) {
    return ignore(state, intent, `AWS trainers report again (${reporting} of at least ${required}): the silence is over`);
  }
  const waiting = state.deferredSignal;
  if (context.checks > 0 || waiting?.type !== 'capacity-lost' || !waiting.reason.startsWith(REPLACEMENT_GRACE)) return undefined;
  return defer(state, intent, new Date(waiting.notBefore), `${REPLACEMENT_GRACE}: the silence is the reclaim of ${waiting.id}, whose replacement is awaited`, context);
}

/**
 * A fresh capacity-lost first waits `replacementGraceSeconds` for Karpenter's replacement, when the run can afford
 * to: re-evaluated then, it fails over only if AWS is still short (a replacement that reports makes the need 0).
 * The warnings of one reclaim arrive one per instance: a later one joins the waiting one (its instances added, its
 * end kept), so the grace is counted from the first. Outages (aws-unhealthy, aws-silent) never wait: no replacement
 * is coming.
 */
function replacementGrace(state: FailoverState, intent: SignalIntent, context: EvaluationContext): { intent: SignalIntent; until: Date; why: string } | undefined {
  const seconds = context.policy.replacementGraceSeconds;
  if (intent.type !== 'capacity-lost' || seconds === 0 || context.checks > 0) return undefined;
  const verdict = affordsWait(context.status, context.now, context.policy, seconds);
  if (!verdict.affords) return undefined;
  const waiting = state.deferredSignal?.type === 'capacity-lost' ? state.deferredSignal : undefined;
  const instanceIds = [...new Set([...(waiting?.instanceIds ?? []), ...(intent.instanceIds ?? [])])];
  return {
    intent: { ...intent, ...(instanceIds.length === 0 ? {} : { instanceIds }) },
    until: waiting === undefined ? plusSeconds(context.now, seconds) : new Date(waiting.notBefore),
    why: `${REPLACEMENT_GRACE}: Karpenter may replace the lost capacity within ${seconds} s (${verdict.reason})`,
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
export function raiseCoverage(
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

