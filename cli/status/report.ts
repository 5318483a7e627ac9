/**
 * `spot-on status --json`: the contract (StatusReportSchema) and the pure view model that builds it from the brain's
 * status answer and the aggregator's run status.
 *
 * Cost so far is not part of the report: pricing it (finops/cost) needs each GPU node's billed time since the run
 * started, and neither source has it. status.json lists trainers with their last report, not when their nodes
 * started, and the brain keeps only the current Azure node target, not its history. TODO(issue 13): once the
 * aggregator records each trainer's first report (or a run ledger is exported), add `cost` priced with the offline
 * table through finops/cost/price-ledger.ts, labelled with its basis.
 */
import { z } from 'zod';
import { CapacitySchema, IncidentSchema, PhaseSchema, type Incident, type Transition } from '../../azure-functions/src/domain/state';
import { PathSegmentSchema } from '../../protocol/blob-layout';
import { traceIdOf } from '../../protocol/tracing';
import type { Cloud, RunStatus, TrainerStatus } from '../../protocol/run-status';
import type { BrainStatus } from './brain-status';
import { costSoFar, CostSoFarSchema } from './cost-so-far';

const isoDate = z.iso.datetime({ offset: true });
const seconds = z.number().nonnegative();

export const PoolTrainersSchema = z.strictObject({
  /** The Kubernetes node pool, from the trainer's node name (AKS names carry it); null when the name does not say. */
  pool: z.string().nullable(),
  trainers: z.int().nonnegative(),
});

export const CloudTrainersSchema = z.strictObject({
  /** Trainers status.json lists for the cloud (registered with the aggregator, live or not). */
  registered: z.int().nonnegative(),
  /** Trainers that reported within the aggregator's liveness window. */
  reporting: z.int().nonnegative(),
  pools: z.array(PoolTrainersSchema),
});

export const IncidentReportSchema = z.strictObject({
  id: IncidentSchema.shape.id,
  cause: IncidentSchema.shape.cause,
  openedAt: isoDate,
  closedAt: isoDate.nullable(),
  /** Still open at `asOf`: the duration runs until then. */
  ongoing: z.boolean(),
  durationSeconds: seconds,
  /** From the incident's opening to Azure active (the failover's pool operation completed); null if it never was. */
  azureActiveAfterSeconds: seconds.nullable(),
  outcome: z.enum(['recovered', 'failed']).nullable(),
  error: z.string().nullable(),
  /** The incident's trace id, to look it up in the trace backend (docs/ARCHITECTURE.md, "Traces"); null if untraced. */
  traceId: z.string().regex(/^[0-9a-f]{32}$/).nullable(),
});
export type IncidentReport = z.infer<typeof IncidentReportSchema>;

export const StatusReportSchema = z.strictObject({
  version: z.literal(1),
  /** When the sources were read. */
  asOf: isoDate,
  runId: PathSegmentSchema,
  /** The brain's failover phase and epoch. */
  phase: PhaseSchema,
  epoch: z.int().nonnegative(),
  phaseSince: isoDate,
  /** The Azure GPU pool as ARM shows it to the brain, with the node count the brain wants. */
  /** The Azure GPU pool the cover is on: Spot, or on-demand under the deadline safety net. */
  azurePool: z.union([
    z.strictObject({ capacity: CapacitySchema, nodes: z.int().nonnegative(), desiredNodes: z.int().nonnegative(), provisioningState: z.string() }),
    z.strictObject({ capacity: CapacitySchema, desiredNodes: z.int().nonnegative(), error: z.string() }),
  ]),
  trainers: z.strictObject({ aws: CloudTrainersSchema, azure: CloudTrainersSchema }),
  /** Last committed round and its metrics; null before status.json exists or before a round has metrics. */
  round: z.int().nonnegative().nullable(),
  loss: z.number().nullable(),
  accuracy: z.number().min(0).max(1).nullable(),
  /**
   * Rounds to train, the run's start and deadline (status.json's `schedule`); `onTrack` compares the committed
   * rounds with the uniform-progress line rounds x elapsed / (deadline - start). Null without a schedule.
   */
  schedule: z
    .strictObject({ rounds: z.int().positive(), startedAt: isoDate, deadlineAt: isoDate.nullable(), onTrack: z.boolean().nullable() })
    .nullable(),
  runStatus: z.strictObject({
    /** Where the run status came from: the aggregator's GET /status or runs/<runId>/status.json in Blob. */
    source: z.enum(['aggregator', 'blob']),
    updatedAt: isoDate.nullable(),
    /** The epoch the aggregator fences with; behind the brain's until it polled the new one. */
    aggregatorEpoch: z.int().nonnegative().nullable(),
  }),
  /** The newest incidents the brain returned (at most five), oldest first. */
  incidents: z.array(IncidentReportSchema),
  /** GPU time so far priced, plus the standby since the run started (cost-so-far.ts); null without usage. */
  costSoFar: CostSoFarSchema.nullable(),
  /** Why a part of the report is empty. */
  notes: z.array(z.string()),
});
export type StatusReport = z.infer<typeof StatusReportSchema>;

/** The run status as read from its source: absent until the aggregator first wrote it. */
export interface RunStatusRead {
  readonly source: 'aggregator' | 'blob';
  readonly status: RunStatus | undefined;
  /** Why there is none, when there is none. */
  readonly missing?: string;
}

/** AKS names nodes `aks-<pool>-<number>-vmss<instance>`; Karpenter's EC2 names (ip-...) do not carry the NodePool. */
const AKS_NODE_NAME = /^aks-([a-z][a-z0-9]{0,11})-\d+-vmss[0-9a-z]+$/;

/** The node pool a trainer's node belongs to, when its name says so. */
export function poolOfNode(nodeName: string | undefined): string | null {
  return AKS_NODE_NAME.exec(nodeName ?? '')?.[1] ?? null;
}

function cloudTrainers(run: RunStatus | undefined, cloud: Cloud): z.infer<typeof CloudTrainersSchema> {
  const trainers = (run?.trainers ?? []).filter((trainer: TrainerStatus) => trainer.cloud === cloud);
  const counts = new Map<string | null, number>();
  for (const trainer of trainers) counts.set(poolOfNode(trainer.nodeName), (counts.get(poolOfNode(trainer.nodeName)) ?? 0) + 1);
  const pools = [...counts].map(([pool, count]) => ({ pool, trainers: count }));
  // Named pools first, alphabetically; the unknown pool last.
  pools.sort((a, b) => (a.pool === null ? 1 : b.pool === null ? -1 : a.pool.localeCompare(b.pool)));
  return { registered: trainers.length, reporting: run?.reporting[cloud] ?? 0, pools };
}

const secondsBetween = (from: string, to: string) => Math.max(0, Math.round(Date.parse(to) - Date.parse(from))) / 1000;

function incidentReport(incident: Incident, transitions: readonly Transition[], asOf: string): IncidentReport {
  const end = incident.closedAt ?? asOf;
  const within = (at: string) => Date.parse(at) >= Date.parse(incident.openedAt) && Date.parse(at) <= Date.parse(end);
  const active = transitions.find((t) => t.to === 'azure-active' && t.outcome === 'completed' && within(t.at));
  return {
    id: incident.id,
    cause: incident.cause,
    openedAt: incident.openedAt,
    closedAt: incident.closedAt ?? null,
    ongoing: incident.closedAt === undefined,
    durationSeconds: secondsBetween(incident.openedAt, end),
    azureActiveAfterSeconds: active === undefined ? null : secondsBetween(incident.openedAt, active.at),
    outcome: incident.outcome ?? null,
    error: incident.error === undefined ? null : `${incident.error.code}: ${incident.error.message}`,
    traceId: incident.traceparent === undefined ? null : traceIdOf(incident.traceparent),
  };
}

/** The run's schedule, and whether its committed rounds keep up with the uniform-progress line to the deadline. */
function scheduleReport(schedule: { rounds: number; startedAt: string; deadlineAt?: string }, round: number, asOf: string): NonNullable<StatusReport['schedule']> {
  const { rounds, startedAt, deadlineAt } = schedule;
  if (deadlineAt === undefined) return { rounds, startedAt, deadlineAt: null, onTrack: null };
  const share = Math.min(1, (Date.parse(asOf) - Date.parse(startedAt)) / (Date.parse(deadlineAt) - Date.parse(startedAt)));
  return { rounds, startedAt, deadlineAt, onTrack: round >= rounds * share };
}

/** The status report of one moment: pure, from what the brain and the run status said at `asOf`. */
export function statusReport(brain: BrainStatus, run: RunStatusRead, asOf: Date): StatusReport {
  const at = asOf.toISOString();
  const status = run.status;
  const notes = [
    ...(brain.initialized ? [] : ['the brain has received no signal for this run yet: it is in its initial state']),
    ...(status === undefined ? [run.missing ?? 'no run status yet'] : []),
  ];
  const desiredNodes = brain.desiredAzureNodes;
  const capacity = brain.azureCapacity;
  const seen = capacity === 'spot' ? brain.pool : (brain.onDemandPool ?? { error: 'the brain shows no on-demand pool' });
  const pool = 'error' in seen ? { capacity, desiredNodes, error: seen.error } : { capacity, nodes: seen.count, desiredNodes, provisioningState: seen.provisioningState };
  return {
    version: 1,
    asOf: at,
    runId: brain.runId,
    phase: brain.phase,
    epoch: brain.epoch,
    phaseSince: brain.phaseSince,
    azurePool: pool,
    trainers: { aws: cloudTrainers(status, 'aws'), azure: cloudTrainers(status, 'azure') },
    round: status?.round ?? null,
    loss: status?.metrics?.loss ?? null,
    accuracy: status?.metrics?.accuracy ?? null,
    schedule: status?.schedule ? scheduleReport(status.schedule, status.round, at) : null,
    runStatus: { source: run.source, updatedAt: status?.updatedAt ?? null, aggregatorEpoch: status?.epoch ?? null },
    incidents: brain.incidents.map((incident) => incidentReport(incident, brain.transitions, at)),
    costSoFar: costSoFar(status, asOf),
    notes,
  };
}
