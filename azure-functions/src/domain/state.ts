/**
 * The failover state document (`state/<runId>.json`, protocol/blob-layout.ts): the brain's only memory. Every
 * invocation reads it, decides with pure functions, and writes it back with an ETag compare-and-swap. Every list
 * in it is bounded, so the document never grows without limit.
 *
 * Phases (docs: azure-functions/README.md, "State machine"):
 *
 *   aws-primary --> failing-over --> azure-active --> failing-back --> aws-primary
 *                        \____________(abort)_____________^
 *
 * The abort edge (failing-over -> failing-back) is taken when the pool operation of a failover fails (e.g. no Spot
 * capacity) or AWS recovers before the failover finished: both end in the same clean-up as a normal failback.
 */
import { z } from 'zod';
import { PathSegmentSchema } from '../../../protocol/blob-layout';
import { SignalTypeSchema } from '../../../protocol/signal';
import { TraceparentSchema } from '../../../protocol/tracing';

export const PHASES = ['aws-primary', 'failing-over', 'azure-active', 'failing-back'] as const;
export const PhaseSchema = z.enum(PHASES);
export type Phase = z.infer<typeof PhaseSchema>;

/** Every phase change the brain may make. Anything else is a bug. */
export const LEGAL_PHASE_CHANGES: Readonly<Record<Phase, readonly Phase[]>> = {
  'aws-primary': ['failing-over'],
  'failing-over': ['azure-active', 'failing-back'],
  'azure-active': ['failing-back'],
  'failing-back': ['aws-primary'],
};

/** True when `from -> to` is a legal phase change. */
export function isLegalPhaseChange(from: Phase, to: Phase): boolean {
  return LEGAL_PHASE_CHANGES[from].includes(to);
}

/** A phase change the brain must never make: a bug in the decision, not bad input. */
export class IllegalPhaseChangeError extends Error {
  override readonly name = 'IllegalPhaseChangeError';
  constructor(
    readonly from: Phase,
    readonly to: Phase,
  ) {
    super(`illegal phase change ${from} -> ${to} (legal from ${from}: ${LEGAL_PHASE_CHANGES[from].join(', ')})`);
  }
}

/** How much of the training Azure covers: none, the AWS trainers missing below the minimum, or everything movable. */
export const CoverageSchema = z.enum(['none', 'partial', 'full']);
export type Coverage = z.infer<typeof CoverageSchema>;

/** Bounds of the lists kept in the document. */
export const LIMITS = {
  seenSignalIds: 500,
  transitions: 50,
  incidents: 20,
  notes: 50,
  pausedShards: 1000,
  lostInstanceIds: 200,
  text: 1000,
} as const;

const isoDate = z.iso.datetime({ offset: true });
const boundedText = z.string().max(LIMITS.text);

/** Why a pool operation is run. */
export const OperationPurposeSchema = z.enum(['failover', 'adjust', 'failback']);
export type OperationPurpose = z.infer<typeof OperationPurposeSchema>;

/**
 * Which Azure GPU pool an operation scales: the Spot pool, or the on-demand pool of the deadline safety net
 * (deadline-fallback.ts). Documents written before the safety net existed have no capacity: Spot.
 */
export const CapacitySchema = z.enum(['spot', 'on-demand']);
export type Capacity = z.infer<typeof CapacitySchema>;

/** An error code and message from ARM (or the brain itself, e.g. OperationTimedOut). */
export const FailureDetailSchema = z.strictObject({
  code: z.string().min(1).max(200),
  message: boundedText,
});
export type FailureDetail = z.infer<typeof FailureDetailSchema>;

/**
 * The one pool operation the brain is driving. Written as an intent (stage `requested`) BEFORE the ARM call, so a
 * crash anywhere after it is finished by the next invocation or the continuation.
 */
export const PendingOperationSchema = z.strictObject({
  id: z.string().min(1).max(100),
  purpose: OperationPurposeSchema,
  /** The pool it scales (absent: spot). */
  capacity: CapacitySchema.optional(),
  /** Nodes the GPU pool must have (with the autoscaler on: its minCount). */
  targetNodes: z.int().nonnegative(),
  /** Replicas of the Azure trainer Deployment once the pool has them. */
  trainerReplicas: z.int().nonnegative(),
  /** The signal that asked for it (or `continuation:<id>` for a re-evaluated deferred signal). */
  requestedBy: z.string().min(1).max(300),
  requestedAt: isoDate,
  /** `requested`: intent written, ARM not confirmed yet; `submitted`: ARM accepted the PUT (or had nothing to do). */
  stage: z.enum(['requested', 'submitted']),
  /** While set and in the future, the invocation that wrote the intent is still driving it: others keep off. */
  leaseUntil: isoDate.optional(),
  submittedAt: isoDate.optional(),
  /** The SDK poller's resume token of the accepted PUT: lets any later invocation read the operation's outcome. */
  resumeToken: z.string().max(4000).optional(),
  putAttempts: z.int().nonnegative(),
  checks: z.int().nonnegative(),
  lastCheckedAt: isoDate.optional(),
  lastObservation: boundedText.optional(),
  /** When the pool was first seen at the target (the trainers' readiness is measured from here). */
  poolReadyAt: isoDate.optional(),
  /** The trace of the invocation that asked for it (protocol/tracing.ts). */
  traceparent: TraceparentSchema.optional(),
});
export type PendingOperation = z.infer<typeof PendingOperationSchema>;

/** The signal types that may change the phase (the others are only recorded). */
export const ActionableSignalTypeSchema = z.enum(['capacity-lost', 'aws-unhealthy', 'aws-silent', 'aws-recovered', 'azure-silent', 'run-complete']);
export type ActionableSignalType = z.infer<typeof ActionableSignalTypeSchema>;

/** A signal that came too early for the phase change it asks for; re-evaluated by a continuation at `notBefore`. */
export const DeferredSignalSchema = z.strictObject({
  id: z.string().min(1).max(200),
  type: ActionableSignalTypeSchema,
  receivedAt: isoDate,
  notBefore: isoDate,
  instanceIds: z.array(z.string()).max(1000).optional(),
  /** How many times it was re-evaluated and deferred again. */
  checks: z.int().nonnegative(),
  reason: boundedText,
  /** The trace of the signal, for its re-evaluation to continue. */
  traceparent: TraceparentSchema.optional(),
});
export type DeferredSignal = z.infer<typeof DeferredSignalSchema>;

/** One phase change (or a failed one), newest last. */
export const TransitionSchema = z.strictObject({
  at: isoDate,
  /** The epoch the change produced. */
  epoch: z.int().nonnegative(),
  from: PhaseSchema,
  to: PhaseSchema,
  /** started: a signal began the phase; completed: the pool operation finished; failed: it failed (see error). */
  outcome: z.enum(['started', 'completed', 'failed']),
  reason: boundedText,
  signalId: z.string().max(300).optional(),
  operationId: z.string().max(100).optional(),
  error: FailureDetailSchema.optional(),
});
export type Transition = z.infer<typeof TransitionSchema>;

/** One failover episode: opened when failing over starts, closed when AWS is primary again. */
export const IncidentSchema = z.strictObject({
  id: z.string().min(1).max(300),
  cause: SignalTypeSchema,
  openedAt: isoDate,
  openedEpoch: z.int().nonnegative(),
  closedAt: isoDate.optional(),
  /** Instances capacity-lost signals of this incident named: together they set how much Azure must cover. */
  lostInstanceIds: z.array(z.string().max(40)).max(LIMITS.lostInstanceIds).optional(),
  outcome: z.enum(['recovered', 'failed']).optional(),
  error: FailureDetailSchema.optional(),
  /** The incident's trace: its first AWS event on, through the first Azure round and the failback (protocol/tracing.ts). */
  traceparent: TraceparentSchema.optional(),
});
export type Incident = z.infer<typeof IncidentSchema>;

/** Things operators should see that are not phase changes: deferrals, adjustments, dropped messages. */
export const NoteSchema = z.strictObject({
  at: isoDate,
  kind: z.enum(['deferred', 'superseded', 'expired', 'scaled', 'operation-failed', 'poison-message', 'ignored', 'safety-net']),
  message: boundedText,
  signalId: z.string().max(300).optional(),
  operationId: z.string().max(100).optional(),
});
export type Note = z.infer<typeof NoteSchema>;

/** Capacity and quota codes AKS and Compute answer with (https://learn.microsoft.com/troubleshoot/azure/azure-kubernetes/error-codes/). */
export const CAPACITY_ERROR_CODES: readonly string[] = [
  'QuotaExceeded',
  'OperationNotAllowed.QuotaExceeded',
  'ErrCode_InsufficientVCPUQuota',
  'SkuNotAvailable',
  'OverconstrainedAllocationRequest',
  'AllocationFailed',
  'ZonalAllocationFailed',
];

/** A short explanation of a failure code for operators ("Azure capacity or quota" for the codes above). */
export function failureKind(code: string): string {
  return CAPACITY_ERROR_CODES.includes(code) ? ' (no Azure Spot capacity or quota)' : '';
}

export const LastFailureSchema = FailureDetailSchema.extend({
  at: isoDate,
  operationId: z.string().max(100),
  purpose: OperationPurposeSchema,
});
export type LastFailure = z.infer<typeof LastFailureSchema>;

export const FailoverStateSchema = z.strictObject({
  version: z.literal(1),
  runId: PathSegmentSchema,
  phase: PhaseSchema,
  /** Increments on every phase change; the aggregator rejects updates from an older epoch (no split brain). */
  epoch: z.int().nonnegative(),
  phaseSince: isoDate,
  updatedAt: isoDate,
  coverage: CoverageSchema,
  /** GPU nodes (and trainers) Azure should have. */
  desiredAzureNodes: z.int().nonnegative(),
  /** The Azure pool that holds (or is to hold) them; absent: spot. On-demand only under a deadline's safety net. */
  azureCapacity: CapacitySchema.optional(),
  /** Source of operation ids (`op-<n>`). */
  operationSeq: z.int().nonnegative(),
  pendingOperation: PendingOperationSchema.optional(),
  deferredSignal: DeferredSignalSchema.optional(),
  lastFailure: LastFailureSchema.optional(),
  /** Signal ids acted on, oldest first, at most LIMITS.seenSignalIds. */
  seenSignalIds: z.array(z.string().min(1).max(200)).max(LIMITS.seenSignalIds),
  transitions: z.array(TransitionSchema).max(LIMITS.transitions),
  /** Shards pinned to AWS that cannot train while Azure is covering everything. */
  pausedShards: z.array(PathSegmentSchema).max(LIMITS.pausedShards),
  incidents: z.array(IncidentSchema).max(LIMITS.incidents),
  notes: z.array(NoteSchema).max(LIMITS.notes),
  /** A token fresh for every write: a writer that lost its answer knows its own write by it (state-mutation.ts). */
  writeId: z.string().min(1).max(64).optional(),
});
export type FailoverState = z.infer<typeof FailoverStateSchema>;

/** The pool an operation scales. */
export function capacityOf(operation: PendingOperation): Capacity {
  return operation.capacity ?? 'spot';
}

/** True for the codes that mean "this pool has no capacity for us now" (capacity, quota, nodes that never came). */
export function isCapacityRefusal(code: string): boolean {
  return CAPACITY_ERROR_CODES.includes(code) || code === 'OperationTimedOut';
}

/** The state of a run the brain has never acted on. */
export function initialState(runId: string, now: Date): FailoverState {
  const at = now.toISOString();
  return {
    version: 1,
    runId,
    phase: 'aws-primary',
    epoch: 0,
    phaseSince: at,
    updatedAt: at,
    coverage: 'none',
    desiredAzureNodes: 0,
    operationSeq: 0,
    seenSignalIds: [],
    transitions: [],
    pausedShards: [],
    incidents: [],
    notes: [],
  };
}

/** `list` with `item` appended, keeping only the newest `limit` entries. */
export function appendBounded<T>(list: readonly T[], item: T, limit: number): T[] {
  const next = [...list, item];
  return next.length > limit ? next.slice(next.length - limit) : next;
}

/** Cuts a text to the document's text bound. */
export function clip(text: string): string {
  return text.length > LIMITS.text ? `${text.slice(0, LIMITS.text - 1)}…` : text;
}

/** The state with a note added. */
export function withNote(state: FailoverState, note: Omit<Note, 'message'> & { message: string }): FailoverState {
  return { ...state, notes: appendBounded(state.notes, { ...note, message: clip(note.message) }, LIMITS.notes) };
}

/** The incident that is still open, if any (the newest one without closedAt). */
export function openIncident(state: FailoverState): Incident | undefined {
  const last = state.incidents.at(-1);
  return last !== undefined && last.closedAt === undefined ? last : undefined;
}
