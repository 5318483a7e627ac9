/**
 * Client updates at rest: runs/<runId>/rounds/<r>/updates/<clientId>.bin (the weights) and .json (the meta,
 * with the payload's SHA-256), both create-only, data first. The aggregator stores every update it accepts
 * before answering 202 (so an aggregator crash loses no accepted work); a trainer that cannot reach the
 * aggregator while flushing writes its partial update here itself, and the aggregator picks it up.
 */
import { blobPaths } from '../../protocol/blob-layout';
import { ObjectExistsError, WireFormatError } from '../errors';
import { StoredUpdateMetaSchema, type StoredUpdateMeta } from '../wire/messages';
import { sha256Hex } from '../wire/weights';
import type { CheckpointStore } from './checkpoint-store';

/** Stores an update; 'exists' when this client already has one for the round (same data or not). */
export async function storeUpdate(store: CheckpointStore, meta: StoredUpdateMeta, payload: Uint8Array): Promise<'stored' | 'exists'> {
  try {
    await store.create(blobPaths.updateData(meta.runId, meta.round, meta.clientId), payload);
  } catch (error) {
    if (!(error instanceof ObjectExistsError)) throw error;
    // A previous attempt may have died between .bin and .json: finish it if the data is the same.
    const existing = await store.get(blobPaths.updateData(meta.runId, meta.round, meta.clientId));
    if (!existing || sha256Hex(existing.data) !== meta.sha256) return 'exists';
  }
  try {
    await store.create(blobPaths.updateMeta(meta.runId, meta.round, meta.clientId), Buffer.from(JSON.stringify(meta)));
    return 'stored';
  } catch (error) {
    if (error instanceof ObjectExistsError) return 'exists';
    throw error;
  }
}

/** Client ids with a complete stored update (a .json) in the round. */
export async function listStoredUpdates(store: CheckpointStore, runId: string, round: number): Promise<string[]> {
  const prefix = `${blobPaths.round(runId, round)}updates/`;
  return (await store.list(prefix)).filter((p) => p.endsWith('.json')).map((p) => p.slice(prefix.length, -'.json'.length));
}

/** Reads a stored update and checks its payload digest; WireFormatError when it is damaged. */
export async function loadStoredUpdate(store: CheckpointStore, runId: string, round: number, clientId: string): Promise<{ meta: StoredUpdateMeta; payload: Buffer } | undefined> {
  const metaObject = await store.get(blobPaths.updateMeta(runId, round, clientId));
  if (!metaObject) return undefined;
  let meta: StoredUpdateMeta;
  try {
    meta = StoredUpdateMetaSchema.parse(JSON.parse(metaObject.data.toString('utf8')));
  } catch (error) {
    throw new WireFormatError(`stored update ${clientId} in round ${round} has an invalid meta`, { cause: error });
  }
  const data = await store.get(blobPaths.updateData(runId, round, clientId));
  if (!data || sha256Hex(data.data) !== meta.sha256) throw new WireFormatError(`stored update ${clientId} in round ${round} has missing or damaged weights`);
  return { meta, payload: data.data };
}
