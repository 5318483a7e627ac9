/**
 * Whether an update may enter the open round: pure checks, one rejection code each, with the HTTP status the
 * aggregator answers. Order matters: identity first, then round and epoch, then content.
 */
import type { WeightSpec } from '../../protocol/checkpoint';
import type { Cloud, Residency } from '../../protocol/run-status';
import { mayProcess } from '../config';
import type { RejectionCode, UpdateMeta } from '../wire/messages';
import { deltaNorm } from '../strategy/robust';
import { decodeWeights, encodedBytes, findNonFinite, sha256Hex, specMismatch } from '../wire/weights';

export interface Rejection {
  readonly status: 400 | 401 | 403 | 404 | 409 | 410 | 413 | 422;
  readonly code: RejectionCode;
  readonly message: string;
}

const reject = (status: Rejection['status'], code: RejectionCode, message: string): Rejection => ({ status, code, message });

export interface UpdateContext {
  readonly runId: string;
  /** The round being trained now. */
  readonly openRound: number;
  /** The committed round the open round starts from. */
  readonly baseRound: number;
  readonly epoch: number;
  /** True while the open round is being committed. */
  readonly committing: boolean;
  readonly specs: readonly WeightSpec[];
  /** Residency of each shard in the run. */
  readonly shards: ReadonlyMap<string, Residency>;
  /** Examples in a full local round of each shard (shard size x local epochs). */
  readonly fullExamples: ReadonlyMap<string, number>;
  /** How the sender registered, or undefined when it has not. */
  readonly registration: { readonly cloud: Cloud; readonly shard: string } | undefined;
  /** True when this client already has an update (accepted or being stored) in the open round. */
  readonly alreadySubmitted: boolean;
  /** Another client with an update for `shard` in the open round, if any: one update per (round, shard). */
  readonly shardCoveredBy?: (shard: string) => string | undefined;
  /** True for an update the aggregator accepted before (reloaded from Blob): the epoch was checked then. */
  readonly acceptedBefore?: boolean;
  /** The epoch in which each shard was last assigned to a trainer (0 when never reassigned). */
  readonly assignedEpoch?: (shard: string) => number;
}

/**
 * Epoch fencing per shard: an update trained in an earlier epoch still counts if its shard was not handed to another
 * trainer since (`assignedEpoch`: the epoch of the shard's latest assignment). A phase change alone (the brain adding
 * or removing Azure capacity) no longer makes every trainer redo its round; only the work of a shard that moved is
 * refused. A flush on a Spot warning, which races with the brain's first phase change, is the same case.
 */
export function epochAllows(meta: Pick<UpdateMeta, 'epoch'>, epoch: number, assignedEpoch: number): boolean {
  return meta.epoch <= epoch && meta.epoch >= assignedEpoch;
}

/** Checks an update's meta against the round; undefined when it may be accepted (payload still to check). */
export function checkUpdateMeta(meta: UpdateMeta, ctx: UpdateContext): Rejection | undefined {
  if (meta.runId !== ctx.runId) return reject(409, 'wrong-run', `update is for run ${meta.runId}; this aggregator runs ${ctx.runId}`);
  if (!ctx.registration) return reject(403, 'unregistered', `client ${meta.clientId} has not registered (POST /register first)`);
  if (ctx.registration.shard !== meta.shard || ctx.registration.cloud !== meta.cloud) {
    return reject(409, 'wrong-shard', `client ${meta.clientId} registered shard ${ctx.registration.shard} on ${ctx.registration.cloud}, update says ${meta.shard} on ${meta.cloud}`);
  }
  const residency = ctx.shards.get(meta.shard);
  if (!residency) return reject(422, 'unknown-shard', `shard ${meta.shard} is not in this run`);
  if (!mayProcess(meta.cloud, residency)) return reject(403, 'residency', `shard ${meta.shard} is pinned to ${residency}; ${meta.cloud} may not process it`);
  if (meta.round < ctx.openRound) return reject(409, 'stale-round', `round ${meta.round} is already committed; the open round is ${ctx.openRound}`);
  if (meta.round > ctx.openRound) return reject(409, 'future-round', `round ${meta.round} is not open yet; the open round is ${ctx.openRound}`);
  // Before round-closed: a retry of an update the closing round already holds is a duplicate (it counts).
  if (ctx.alreadySubmitted) return reject(409, 'duplicate', `client ${meta.clientId} already has an update in round ${meta.round}`);
  const holder = ctx.shardCoveredBy?.(meta.shard);
  if (holder !== undefined) return reject(409, 'shard-covered', `shard ${meta.shard} already has an update from ${holder} in round ${meta.round}; counting both would weigh its data twice`);
  if (ctx.committing) return reject(409, 'round-closed', `round ${meta.round} closed (it is being committed)`);
  if (meta.baseRound !== ctx.baseRound) return reject(409, 'wrong-base', `update starts from round ${meta.baseRound}; round ${ctx.openRound} starts from ${ctx.baseRound}`);
  if (!ctx.acceptedBefore) {
    if (meta.epoch > ctx.epoch) return reject(409, 'future-epoch', `update carries epoch ${meta.epoch}; the current epoch is ${ctx.epoch}`);
    const assigned = ctx.assignedEpoch?.(meta.shard) ?? ctx.epoch;
    if (!epochAllows(meta, ctx.epoch, assigned)) return reject(409, 'stale-epoch', `update carries epoch ${meta.epoch}; shard ${meta.shard} was assigned again in epoch ${assigned}`);
  }
  const dtype = meta.weights.find((w) => w.dtype !== 'float32');
  if (dtype) return reject(422, 'wrong-dtype', `weight ${dtype.name} is ${dtype.dtype}; only float32 is accepted`);
  const mismatch = specMismatch(ctx.specs, meta.weights);
  if (mismatch) return reject(422, 'wrong-shape', mismatch);
  const full = ctx.fullExamples.get(meta.shard) ?? 0;
  if (meta.examples < 1 || meta.examples > full || (!meta.partial && meta.examples !== full)) {
    return reject(422, 'absurd-examples', `${meta.examples} examples: ${meta.partial ? 'a partial' : 'a full'} update of shard ${meta.shard} must carry ${meta.partial ? `1..${full}` : full}`);
  }
  return undefined;
}

/** How far an update may be from sane: RunConfig.updateBounds, and the global weights it must stay near. */
export interface PayloadBounds {
  readonly maxAbsValue: number;
  readonly maxDeltaNorm?: number | undefined;
  /** The global weights the round started from. */
  readonly current: readonly Float32Array[];
}

/** Checks the payload against the declared specs, digest and bounds; returns the decoded weights or a rejection. */
export function checkPayload(meta: UpdateMeta, payload: Uint8Array, specs: readonly WeightSpec[], bounds: PayloadBounds): { values: Float32Array[] } | Rejection {
  const expected = encodedBytes(specs);
  if (payload.byteLength !== expected) return reject(422, 'wrong-shape', `payload is ${payload.byteLength} bytes; the model needs ${expected}`);
  if (sha256Hex(payload) !== meta.sha256) return reject(400, 'digest-mismatch', 'payload does not match the SHA-256 in the meta');
  const values = decodeWeights(payload, specs);
  const bad = findNonFinite(specs, values);
  if (bad) return reject(422, 'non-finite', `non-finite value ${bad}`);
  const largest = values.reduce((max, tensor) => tensor.reduce((m, v) => Math.max(m, Math.abs(v)), max), 0);
  if (largest > bounds.maxAbsValue) return reject(422, 'out-of-bounds', `a weight of magnitude ${largest.toExponential(2)} exceeds updateBounds.maxAbsValue ${bounds.maxAbsValue}`);
  if (bounds.maxDeltaNorm !== undefined) {
    const norm = deltaNorm(values, bounds.current);
    if (norm > bounds.maxDeltaNorm) return reject(422, 'out-of-bounds', `the update moves the model by an L2 norm of ${norm.toExponential(2)}, over updateBounds.maxDeltaNorm ${bounds.maxDeltaNorm}`);
  }
  return { values };
}

/** Narrows a checkPayload result. */
export const isRejection = (value: unknown): value is Rejection => typeof value === 'object' && value !== null && 'code' in value && 'status' in value;
