/**
 * Where a (re)started aggregator picks its run up: the committed base from LATEST (falling back a round when it is
 * corrupt, rolling forward to a complete newer manifest), or round 0 written from the seeded initial model; then
 * what status.json and the brain's state blob remember (trainers, the AWS report clock, the epoch).
 */
import { z } from 'zod';
import { blobPaths } from '../../protocol/blob-layout';
import type { WeightSpec } from '../../protocol/checkpoint';
import { RunStatusSchema, type RunStatus } from '../../protocol/run-status';
import { parseTraceparent } from '../../protocol/tracing';
import type { RunConfig } from '../config';
import { ConfigError } from '../errors';
import { advanceLatest, resolveLatest, writeCheckpoint, type Checkpoint } from '../store/checkpoint';
import type { CheckpointStore } from '../store/checkpoint-store';
import type { Strategy, StrategyState } from '../strategy/strategy';
import { initialWeights, modelShape } from '../task/topology';

/** The last committed round: what the open round starts from. */
export interface Base {
  readonly round: number;
  /** Update digest by client of the round's participants: a late retry of one of them is a duplicate, not stale. */
  readonly participants: ReadonlyMap<string, string>;
  readonly weights: Float32Array[];
  readonly state: StrategyState | undefined;
  readonly metrics: { loss?: number | undefined; accuracy?: number | undefined };
}

export interface Resumed {
  readonly base: Base;
  /** Past every round with any data: create-only paths are never reused. */
  readonly openRound: number;
  /** The epoch of the base's manifest (0 for a new run). */
  readonly epoch: number;
}

export interface RunIdentity {
  readonly config: RunConfig;
  readonly store: CheckpointStore;
  readonly configHash: string;
  readonly topologyHash: string;
  readonly specs: readonly WeightSpec[];
  readonly strategy: Strategy;
  readonly evaluate: (weights: readonly Float32Array[]) => { loss?: number; accuracy?: number };
  readonly log: (line: string) => void;
}

/** Resumes the run from its checkpoints, or starts it by writing round 0; ConfigError if the checkpoints are of another configuration. */
export async function resumeRun(run: RunIdentity): Promise<Resumed> {
  const { config, store, log } = run;
  const runId = config.runId;
  const resolved = await resolveLatest(store, runId);
  for (const note of resolved.notes) log(`resume: ${note}`);
  let checkpoint: Checkpoint | undefined = resolved.checkpoint;
  let epoch = 0;
  if (checkpoint) {
    const { manifest } = checkpoint;
    if (manifest.configHash !== run.configHash) {
      throw new ConfigError(`run ${runId} was started with another configuration (config hash ${manifest.configHash.slice(0, 12)}, now ${run.configHash.slice(0, 12)}); use a new runId`);
    }
    if (manifest.topologyHash !== run.topologyHash) throw new ConfigError(`run ${runId} checkpoints have another model topology`);
    if (resolved.pointerRound !== undefined && resolved.pointerRound < manifest.round) await advanceLatest(store, runId, manifest.round, checkpoint.manifestSha256);
    epoch = manifest.epoch;
    log(`resumed run ${runId} from round ${manifest.round} (${store.description})`);
  } else {
    const weights = initialWeights(modelShape(config), config.seed);
    checkpoint = await writeCheckpoint(store, {
      runId,
      round: 0,
      epoch: 0,
      configHash: run.configHash,
      topologyHash: run.topologyHash,
      specs: [...run.specs],
      weights,
      strategyState: run.strategy.initialState(weights),
      participants: [],
      metrics: { examples: 0, ...run.evaluate(weights) },
    });
    log(`started run ${runId}: round 0 is the seeded initial model (${store.description})`);
  }
  const { manifest } = checkpoint;
  const base: Base = {
    round: manifest.round,
    participants: new Map(manifest.participants.map((p) => [p.clientId, p.updateDigest])),
    weights: checkpoint.weights,
    state: checkpoint.strategyState,
    metrics: { loss: manifest.metrics.loss, accuracy: manifest.metrics.accuracy },
  };
  return { base, openRound: Math.max(resolved.nextRound, base.round + 1), epoch };
}

/** status.json as the last aggregator wrote it; undefined when absent or unreadable (trainers then register again). */
export async function readRunStatus(store: CheckpointStore, runId: string, log: (line: string) => void): Promise<RunStatus | undefined> {
  const object = await store.get(blobPaths.status(runId));
  if (!object) return undefined;
  const parsed = RunStatusSchema.safeParse(safeJson(object.data));
  if (!parsed.success) log('resume: status.json is unreadable; trainers must register again');
  return parsed.success ? parsed.data : undefined;
}

/** Loose view of the brain's state/<runId>.json: the epoch (fencing), Azure's cover (azure-silence.ts), the open incident's trace. */
const BrainStateSchema = z.looseObject({
  epoch: z.number().int().nonnegative(),
  phase: z.string().optional(),
  desiredAzureNodes: z.number().int().nonnegative().optional(),
  incidents: z.array(z.looseObject({ closedAt: z.string().optional(), traceparent: z.string().optional() })).optional(),
});

/** What the aggregator reads of the brain's state. */
export interface BrainView {
  /** Bumped by the brain on every phase change. */
  readonly epoch: number;
  readonly phase: string | undefined;
  readonly desiredAzureNodes: number;
  /** The open incident's trace (protocol/tracing.ts), when the brain recorded one. */
  readonly incidentTraceparent: string | undefined;
}

/** The brain's state/<runId>.json as the aggregator needs it; undefined when unknown. */
export async function readBrainView(store: CheckpointStore, runId: string): Promise<BrainView | undefined> {
  const object = await store.get(blobPaths.state(runId));
  const parsed = object && BrainStateSchema.safeParse(safeJson(object.data));
  if (!parsed?.success) return undefined;
  const incident = parsed.data.incidents?.at(-1);
  const incidentTraceparent = incident?.closedAt === undefined ? parseTraceparent(incident?.traceparent) : undefined;
  return { epoch: parsed.data.epoch, phase: parsed.data.phase, desiredAzureNodes: parsed.data.desiredAzureNodes ?? 0, incidentTraceparent };
}

function safeJson(data: Buffer): unknown {
  try {
    return JSON.parse(data.toString('utf8'));
  } catch {
    return undefined;
  }
}
