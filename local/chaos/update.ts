/** Model updates as a trainer (or an attacker holding the trainer key) builds them. */
import { AggregatorClient } from '../../fl-training/trainer/aggregator-client';
import { encodeFrame } from '../../fl-training/wire/frame';
import type { UpdateMeta } from '../../fl-training/wire/messages';
import { encodeWeights, sha256Hex } from '../../fl-training/wire/weights';
import type { Harness } from './harness';

/** Examples in a full round of one shard of the chaos run (600 blobs / 3 shards x 1 epoch). */
export const FULL_EXAMPLES = 200;

/** What to change in a genuine update. */
export interface UpdateChange {
  readonly meta?: Partial<UpdateMeta>;
  /** Every weight set to this value instead of the global model's. */
  readonly fill?: number;
  readonly payload?: (bytes: Buffer) => Buffer;
  /** The client whose model the update is built from (an attacker need not be served the round to push into it). */
  readonly modelFrom?: string;
}

const readers = new WeakMap<Harness, Promise<string>>();

/**
 * The one client that reads the global model for the cases, per harness. Many cases register on the same shard, and
 * a second client of a shard that another client took in the open round waits for the next round (the handover
 * rule), so each case reading the model itself would wait behind the last.
 */
export function modelReader(h: Harness): Promise<string> {
  let reader = readers.get(h);
  if (reader === undefined) {
    const clientId = `chaos-model-reader-${process.pid}`;
    reader = new AggregatorClient(h.aggregatorUrl(), h.keys.trainer).register({ clientId, cloud: 'aws', shard: 'pinned-aws', residency: 'aws' }).then(() => clientId);
    readers.set(h, reader);
  }
  return reader;
}

/** A frame (meta + weights) from `clientId` for the open round, built from the current global model. */
export async function updateFrame(h: Harness, clientId: string, shard: string, change: UpdateChange = {}): Promise<Buffer<ArrayBuffer>> {
  const reader = change.modelFrom ?? (await modelReader(h));
  const model = await new AggregatorClient(h.aggregatorUrl(), h.keys.trainer).fetchModel(reader, 0, 0);
  if (model.kind !== 'model') throw new Error(`no model for ${reader}: ${model.kind}`);
  const values = model.weights.map((w) => (change.fill === undefined ? w : new Float32Array(w.length).fill(change.fill)));
  const encoded = encodeWeights(values);
  const meta: UpdateMeta = {
    version: 1,
    runId: model.header.runId,
    clientId,
    round: model.header.round,
    baseRound: model.header.baseRound,
    epoch: model.header.epoch,
    examples: FULL_EXAMPLES,
    partial: false,
    cloud: 'aws',
    shard,
    weights: model.header.weights,
    sha256: sha256Hex(encoded),
    createdAt: new Date().toISOString(),
    ...change.meta,
  };
  return encodeFrame(meta, change.payload ? change.payload(encoded) : encoded);
}
