/**
 * Checkpoints on a CheckpointStore (docs: fl-training/README.md, "Checkpoint format").
 *
 * Writer: model.bin, then optimizer.bin (when the strategy keeps state), both create-only; then
 * manifest.json (create-only, with their SHA-256); then LATEST `{round, manifestSha256}`, replaced with
 * If-Match. Re-writing an identical round is a no-op, so a commit interrupted anywhere can simply be redone;
 * a different round under the same number is a CheckpointConflictError (another aggregator won).
 *
 * Reader: follows LATEST and verifies every digest; a corrupt or missing checkpoint falls back one round.
 * A manifest newer than LATEST (a crash between manifest and pointer) is complete and verified, so it is
 * adopted (rolled forward).
 */
import { blobPaths, roundOf } from '../../protocol/blob-layout';
import { CheckpointManifestSchema, LatestPointerSchema, type CheckpointManifest, type LatestPointer, type Participant, type WeightSpec } from '../../protocol/checkpoint';
import { CheckpointConflictError, CheckpointCorruptError, CheckpointUnrecoverableError, ObjectExistsError, PreconditionFailedError } from '../errors';
import type { StrategyState } from '../strategy/strategy';
import { decodeFrame, encodeFrame } from '../wire/frame';
import { sha256InSlices } from '../wire/sha256-slices';
import { decodeWeights, encodeWeights, sha256Hex, weightBytes } from '../wire/weights';
import type { CheckpointStore } from './checkpoint-store';

export interface CheckpointInput {
  readonly runId: string;
  readonly round: number;
  readonly epoch: number;
  readonly configHash: string;
  readonly topologyHash: string;
  readonly specs: readonly WeightSpec[];
  readonly weights: readonly Float32Array[];
  readonly strategyState?: StrategyState | undefined;
  readonly participants: readonly Participant[];
  readonly metrics: CheckpointManifest['metrics'];
  readonly createdAt?: Date;
  /** LATEST's ETag from this writer's previous commit: LATEST is then replaced without being read first. */
  readonly latestEtag?: string | undefined;
}

/** A verified checkpoint. */
export interface Checkpoint {
  readonly manifest: CheckpointManifest;
  readonly manifestSha256: string;
  readonly weights: Float32Array[];
  readonly strategyState?: StrategyState | undefined;
  /** LATEST's ETag after this write (for the next write's `latestEtag`); absent when read back. */
  readonly latestEtag?: string;
}

/** optimizer.bin: a frame whose header names the state and lists its tensor lengths. */
export function encodeStrategyState(state: StrategyState): Buffer {
  return encodeFrame({ version: 1, name: state.name, step: state.step, lengths: state.tensors.map((t) => t.length) }, encodeWeights(state.tensors));
}

export function decodeStrategyState(bytes: Uint8Array): StrategyState {
  const { header, payload } = decodeFrame(bytes);
  const h = header as { name?: unknown; step?: unknown; lengths?: unknown };
  if (typeof h.name !== 'string' || typeof h.step !== 'number' || !Array.isArray(h.lengths)) throw new Error('optimizer state header is malformed');
  const specs = (h.lengths as number[]).map((n, i) => ({ name: `t${i}`, shape: [n], dtype: 'float32' as const }));
  return { name: h.name, step: h.step, tensors: decodeWeights(payload, specs) };
}

async function createOrVerify(store: CheckpointStore, path: string, data: Buffer, round: number): Promise<void> {
  try {
    await store.create(path, data);
  } catch (error) {
    if (!(error instanceof ObjectExistsError)) throw error;
    const existing = await store.get(path);
    if (!existing || !existing.data.equals(data)) throw new CheckpointConflictError(round, `${path} exists with other content`, { cause: error });
  }
}

/**
 * Points LATEST at `round` (If-Match on the version read; never backwards); resolves its new ETag. With `knownEtag`
 * (what this writer's last advance returned) it replaces without reading: if nobody wrote LATEST since, it still
 * points at this writer's earlier round, so moving it forward is right; if somebody did, the ETag fails to match
 * and LATEST is read as usual.
 */
export async function advanceLatest(store: CheckpointStore, runId: string, round: number, manifestSha256: string, knownEtag?: string): Promise<string | undefined> {
  const path = blobPaths.latest(runId);
  const body = Buffer.from(JSON.stringify({ round, manifestSha256 } satisfies LatestPointer));
  if (knownEtag !== undefined) {
    try {
      return (await store.replace(path, body, knownEtag)).etag;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await store.get(path);
    try {
      if (!current) return (await store.create(path, body)).etag;
      const pointer = parsePointer(current.data);
      if (pointer && pointer.round > round) throw new CheckpointConflictError(round, `LATEST already points at round ${pointer.round}`);
      if (pointer && pointer.round === round) {
        if (pointer.manifestSha256 === manifestSha256) return current.etag;
        throw new CheckpointConflictError(round, 'LATEST points at another manifest for this round');
      }
      return (await store.replace(path, body, current.etag)).etag;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError || error instanceof ObjectExistsError)) throw error;
    }
  }
  throw new CheckpointConflictError(round, 'LATEST kept changing while it was being replaced');
}

/**
 * model.bin, create-only, sent straight from the weight tensors (no copy into one buffer) and hashed while it is in
 * flight; an existing one must have the same bytes. Resolves the SHA-256 and the size.
 */
async function writeModel(store: CheckpointStore, path: string, weights: readonly Float32Array[], round: number): Promise<{ sha256: string; bytes: number }> {
  const parts = weightBytes(weights);
  const bytes = parts.reduce((sum, part) => sum + part.byteLength, 0);
  // Started first, it runs in the gaps the upload leaves on this thread (never ahead of it), and never rejects.
  const digest = sha256InSlices(parts);
  try {
    await store.createFromParts(path, parts);
    return { sha256: await digest, bytes };
  } catch (error) {
    if (!(error instanceof ObjectExistsError)) throw error;
    const existing = await store.get(path);
    const sha256 = await digest;
    if (!existing || sha256Hex(existing.data) !== sha256) throw new CheckpointConflictError(round, `${path} exists with other content`, { cause: error });
    return { sha256, bytes };
  }
}

/** Writes a round: data first, manifest second, LATEST last. Idempotent for identical content. */
export async function writeCheckpoint(store: CheckpointStore, input: CheckpointInput): Promise<Checkpoint> {
  const { runId, round } = input;
  const model = await writeModel(store, blobPaths.model(runId, round), input.weights, round);
  const modelSha256 = model.sha256;
  let optimizer: CheckpointManifest['optimizer'];
  if (input.strategyState) {
    const stateBytes = encodeStrategyState(input.strategyState);
    await createOrVerify(store, blobPaths.optimizer(runId, round), stateBytes, round);
    optimizer = { name: input.strategyState.name, sha256: sha256Hex(stateBytes), bytes: stateBytes.length };
  }
  const manifest = CheckpointManifestSchema.parse({
    version: 1,
    runId,
    round,
    epoch: input.epoch,
    createdAt: (input.createdAt ?? new Date()).toISOString(),
    configHash: input.configHash,
    topologyHash: input.topologyHash,
    weights: [...input.specs],
    modelSha256,
    modelBytes: model.bytes,
    ...(optimizer ? { optimizer } : {}),
    participants: [...input.participants],
    metrics: input.metrics,
  } satisfies CheckpointManifest);
  let manifestBytes: Buffer = Buffer.from(JSON.stringify(manifest, null, 2));
  let committed = manifest;
  try {
    await store.create(blobPaths.manifest(runId, round), manifestBytes);
  } catch (error) {
    if (!(error instanceof ObjectExistsError)) throw error;
    // A previous attempt got this far: adopt its manifest if it describes the same bytes.
    const existing = await store.get(blobPaths.manifest(runId, round));
    const parsed = existing && safeManifest(existing.data);
    if (!existing || !parsed || parsed.modelSha256 !== modelSha256 || parsed.optimizer?.sha256 !== optimizer?.sha256) {
      throw new CheckpointConflictError(round, 'manifest.json exists for other weights', { cause: error });
    }
    manifestBytes = existing.data;
    committed = parsed;
  }
  const manifestSha256 = sha256Hex(manifestBytes);
  const latestEtag = await advanceLatest(store, runId, round, manifestSha256, input.latestEtag);
  return { manifest: committed, manifestSha256, weights: [...input.weights], strategyState: input.strategyState, ...(latestEtag === undefined ? {} : { latestEtag }) };
}

function parsePointer(data: Buffer): LatestPointer | undefined {
  try {
    const result = LatestPointerSchema.safeParse(JSON.parse(data.toString('utf8')));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

function safeManifest(data: Buffer): CheckpointManifest | undefined {
  try {
    const result = CheckpointManifestSchema.safeParse(JSON.parse(data.toString('utf8')));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

/** Reads and verifies one round; CheckpointCorruptError when a part is missing or a digest differs. */
export async function readCheckpoint(store: CheckpointStore, runId: string, round: number, expectedManifestSha256?: string): Promise<Checkpoint> {
  const manifestObject = await store.get(blobPaths.manifest(runId, round));
  if (!manifestObject) throw new CheckpointCorruptError(round, 'manifest.json is missing');
  const manifestSha256 = sha256Hex(manifestObject.data);
  if (expectedManifestSha256 && manifestSha256 !== expectedManifestSha256) throw new CheckpointCorruptError(round, 'manifest.json does not match the SHA-256 in LATEST');
  const manifest = safeManifest(manifestObject.data);
  if (!manifest) throw new CheckpointCorruptError(round, 'manifest.json is not a valid manifest');
  if (manifest.runId !== runId || manifest.round !== round) throw new CheckpointCorruptError(round, `manifest.json describes ${manifest.runId} round ${manifest.round}`);
  const model = await store.get(blobPaths.model(runId, round));
  if (!model) throw new CheckpointCorruptError(round, 'model.bin is missing');
  if (model.data.length !== manifest.modelBytes || sha256Hex(model.data) !== manifest.modelSha256) throw new CheckpointCorruptError(round, 'model.bin does not match its SHA-256');
  let weights: Float32Array[];
  try {
    weights = decodeWeights(model.data, manifest.weights);
  } catch (error) {
    throw new CheckpointCorruptError(round, 'model.bin does not fit the weight specs', { cause: error });
  }
  let strategyState: StrategyState | undefined;
  if (manifest.optimizer) {
    const state = await store.get(blobPaths.optimizer(runId, round));
    if (!state) throw new CheckpointCorruptError(round, 'optimizer.bin is missing');
    if (sha256Hex(state.data) !== manifest.optimizer.sha256) throw new CheckpointCorruptError(round, 'optimizer.bin does not match its SHA-256');
    try {
      strategyState = decodeStrategyState(state.data);
    } catch (error) {
      throw new CheckpointCorruptError(round, 'optimizer.bin cannot be decoded', { cause: error });
    }
  }
  return { manifest, manifestSha256, weights, strategyState };
}

export interface ResolvedCheckpoint {
  /** The checkpoint to resume from, or undefined for a fresh run. */
  readonly checkpoint: Checkpoint | undefined;
  /** The next round number: past every round that has any data (create-only paths are never reused). */
  readonly nextRound: number;
  /** Round LATEST pointed at (undefined when absent or unreadable). */
  readonly pointerRound: number | undefined;
  /** What the reader had to do: fall back, roll forward. */
  readonly notes: readonly string[];
}

/** Finds the checkpoint to resume from: LATEST, else the round before it, then any verified newer manifest. */
export async function resolveLatest(store: CheckpointStore, runId: string): Promise<ResolvedCheckpoint> {
  const notes: string[] = [];
  const names = await store.list(blobPaths.rounds(runId));
  const committedPart = /\/(model\.bin|manifest\.json|optimizer\.bin)$/;
  const dataRounds = names.filter((n) => committedPart.test(n)).map((n) => roundOf(n)!);
  const manifestRounds = [...new Set(names.filter((n) => n.endsWith('/manifest.json')).map((n) => roundOf(n)!))].sort((a, b) => a - b);
  const pointerObject = await store.get(blobPaths.latest(runId));
  const pointer = pointerObject && parsePointer(pointerObject.data);
  if (pointerObject && !pointer) notes.push('LATEST is unreadable; using the newest manifest');

  const fallBack = async (from: number, error: unknown): Promise<Checkpoint> => {
    notes.push(`round ${from}: ${error instanceof Error ? error.message : String(error)}; falling back one round`);
    const previous = manifestRounds.filter((r) => r < from).at(-1);
    if (previous === undefined) throw new CheckpointUnrecoverableError(`round ${from} is unreadable and no earlier round exists`, { cause: error });
    try {
      return await readCheckpoint(store, runId, previous);
    } catch (inner) {
      throw new CheckpointUnrecoverableError(`rounds ${from} and ${previous} are both unreadable`, { cause: inner });
    }
  };
  const readOrFallBack = async (round: number, sha?: string): Promise<Checkpoint> => {
    try {
      return await readCheckpoint(store, runId, round, sha);
    } catch (error) {
      if (!(error instanceof CheckpointCorruptError)) throw error;
      return fallBack(round, error);
    }
  };

  let checkpoint: Checkpoint | undefined;
  if (pointer) checkpoint = await readOrFallBack(pointer.round, pointer.manifestSha256);
  else if (manifestRounds.length > 0) checkpoint = await readOrFallBack(manifestRounds.at(-1)!);

  if (checkpoint) {
    for (const round of manifestRounds.filter((r) => r > checkpoint!.manifest.round)) {
      try {
        checkpoint = await readCheckpoint(store, runId, round);
        notes.push(`round ${round}: manifest newer than LATEST is complete; rolled forward`);
      } catch {
        break;
      }
    }
  }
  const highest = Math.max(-1, checkpoint?.manifest.round ?? -1, ...dataRounds);
  return { checkpoint, nextRound: highest + 1, pointerRound: pointer?.round, notes };
}
