/**
 * One staged part of a run's data (a shard, or the test set) as one object: a SPOT frame (wire/frame.ts) whose
 * header says which part of which data it is, and whose payload is the features then the one-hot labels, float32
 * little-endian. The header's SHA-256 of the payload catches a torn or altered object; its `dataId` catches data
 * staged for another configuration (another seed, split or task), which would otherwise train silently on the
 * wrong examples.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson, type RunConfig } from '../config';
import { DataCorruptError, WireFormatError } from '../errors';
import type { Dataset } from '../task/dataset';
import { decodeFrame, encodeFrame } from '../wire/frame';

export const DATA_FORMAT = 'spot-on-data/1';
/** The part that holds the test set; every other part is a shard id. */
export const TEST_PART = 'test';

const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);
const Count = z.number().int().nonnegative();

export const DataPartHeaderSchema = z.strictObject({
  format: z.literal(DATA_FORMAT),
  dataId: Sha256Schema,
  part: z.string().min(1),
  size: Count,
  features: Count,
  classes: Count,
  /** SHA-256 of the payload. */
  sha256: Sha256Schema,
});
export type DataPartHeader = z.infer<typeof DataPartHeaderSchema>;

export type DataIdentity = Pick<RunConfig, 'task' | 'data' | 'seed' | 'shards'>;

/** What determines every example of every part: the task, the data sizes, the seed and the split into shards. */
export function dataId(config: DataIdentity): string {
  const identity = { task: config.task, data: config.data, seed: config.seed, shards: config.shards.map((s) => s.id) };
  return createHash('sha256').update(canonicalJson(identity)).digest('hex');
}

/** The object name of a part, under the store's prefix. */
export function dataObjectName(part: string): string {
  return part === TEST_PART ? 'test.spoton' : `shards/${part}.spoton`;
}

function bytesOf(array: Float32Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

/** The object for one part. */
export function encodeDataPart(id: string, part: string, data: Dataset): Buffer {
  const payload = Buffer.concat([bytesOf(data.x), bytesOf(data.y)]);
  const header: DataPartHeader = { format: DATA_FORMAT, dataId: id, part, size: data.size, features: data.features, classes: data.classes, sha256: createHash('sha256').update(payload).digest('hex') };
  return encodeFrame(header, payload);
}

/** Reads one part and checks it is the one expected, whole; DataCorruptError otherwise. */
export function decodeDataPart(bytes: Uint8Array, expected: { location: string; dataId: string; part: string; features: number; classes: number }): Dataset {
  const fail = (message: string, cause?: unknown): never => {
    throw new DataCorruptError(expected.location, message, cause === undefined ? undefined : { cause });
  };
  let frame: ReturnType<typeof decodeFrame>;
  try {
    frame = decodeFrame(bytes);
  } catch (error) {
    return fail(error instanceof WireFormatError ? error.message : 'not a data object', error);
  }
  const parsed = DataPartHeaderSchema.safeParse(frame.header);
  if (!parsed.success) return fail(`not a ${DATA_FORMAT} object: ${z.prettifyError(parsed.error)}`);
  const header = parsed.data;
  if (header.part !== expected.part) fail(`holds part ${header.part}, not ${expected.part}`);
  if (header.dataId !== expected.dataId) fail('was staged for another run configuration (task, data sizes, seed or shards differ): stage the data again');
  if (header.features !== expected.features || header.classes !== expected.classes) fail(`has ${header.features} features and ${header.classes} classes; the task has ${expected.features} and ${expected.classes}`);
  const xLength = header.size * header.features;
  const yLength = header.size * header.classes;
  if (frame.payload.byteLength !== (xLength + yLength) * 4) fail(`payload of ${frame.payload.byteLength} bytes; ${header.size} examples need ${(xLength + yLength) * 4}`);
  if (createHash('sha256').update(frame.payload).digest('hex') !== header.sha256) fail('payload does not match its SHA-256 (torn or altered)');
  // One copy: the payload's offset inside the frame need not be 4-byte aligned for a Float32Array view.
  const values = new Float32Array(xLength + yLength);
  bytesOf(values).set(frame.payload);
  return { x: values.subarray(0, xLength), y: values.subarray(xLength), size: header.size, features: header.features, classes: header.classes };
}
