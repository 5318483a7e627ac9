/**
 * Model weights as plain float32 arrays with their specs (name, shape, dtype), and their byte form: the arrays
 * concatenated in spec order, float32 little-endian. The same bytes are model.bin, the body of GET /model and
 * of POST /update, and updates/<clientId>.bin.
 */
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import type { WeightSpec } from '../../protocol/checkpoint';
import { WireFormatError } from '../errors';

// Float32Array views use the platform's byte order; every platform Node supports in practice is little-endian.
if (endianness() !== 'LE') throw new Error('Spot-On weight encoding needs a little-endian platform');

/** A model's weights: one Float32Array per spec, in spec order. */
export interface Weights {
  readonly specs: readonly WeightSpec[];
  readonly values: readonly Float32Array[];
}

/** Number of elements a spec holds. */
export function elementCount(spec: Pick<WeightSpec, 'shape'>): number {
  return spec.shape.reduce((product, dim) => product * dim, 1);
}

/** Bytes of the encoded weights for these specs. */
export function encodedBytes(specs: readonly Pick<WeightSpec, 'shape'>[]): number {
  return specs.reduce((sum, spec) => sum + elementCount(spec) * 4, 0);
}

/** Concatenates the arrays into one buffer (float32 LE). */
export function encodeWeights(values: readonly Float32Array[]): Buffer {
  const total = values.reduce((sum, v) => sum + v.byteLength, 0);
  const out = Buffer.allocUnsafe(total);
  let offset = 0;
  for (const v of values) {
    out.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), offset);
    offset += v.byteLength;
  }
  return out;
}

/** The tensors' bytes as views (no copy), in order: encodeWeights without the concatenation. */
export function weightBytes(values: readonly ArrayBufferView[]): Uint8Array[] {
  return values.map((v) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
}

/**
 * The bytes encodeWeights would make, as parts of about `blockBytes`: views of the tensors (no copy), except that
 * tensors smaller than a block are gathered into one (a copy of at most a block) so that a model of many small
 * tensors does not become many tiny uploads.
 */
export function* weightBlocks(values: readonly ArrayBufferView[], blockBytes: number): Generator<Uint8Array> {
  let gathered: Uint8Array[] = [];
  let gatheredBytes = 0;
  const flush = function* (): Generator<Uint8Array> {
    if (gatheredBytes > 0) yield gathered.length === 1 ? gathered[0]! : Buffer.concat(gathered, gatheredBytes);
    gathered = [];
    gatheredBytes = 0;
  };
  for (const v of values) {
    const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    if (bytes.byteLength < blockBytes) {
      if (gatheredBytes + bytes.byteLength > blockBytes) yield* flush();
      gathered.push(bytes);
      gatheredBytes += bytes.byteLength;
      continue;
    }
    yield* flush();
    for (let start = 0; start < bytes.byteLength; start += blockBytes) yield bytes.subarray(start, Math.min(bytes.byteLength, start + blockBytes));
  }
  yield* flush();
}

/** Splits encoded weights back into arrays (copies, so each array is aligned and owns its memory). */
export function decodeWeights(bytes: Uint8Array, specs: readonly WeightSpec[]): Float32Array[] {
  const expected = encodedBytes(specs);
  if (bytes.byteLength !== expected) {
    throw new WireFormatError(`weights are ${bytes.byteLength} bytes; the specs need ${expected}`);
  }
  const values: Float32Array[] = [];
  let offset = 0;
  for (const spec of specs) {
    const count = elementCount(spec);
    const array = new Float32Array(count);
    new Uint8Array(array.buffer).set(bytes.subarray(offset, offset + count * 4));
    values.push(array);
    offset += count * 4;
  }
  return values;
}

/** Hex SHA-256 of some bytes. */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Describes the first difference between two spec lists, or undefined when they match. */
export function specMismatch(expected: readonly WeightSpec[], actual: readonly { name: string; shape: readonly number[]; dtype: string }[]): string | undefined {
  if (actual.length !== expected.length) return `expected ${expected.length} weights, got ${actual.length}`;
  for (let i = 0; i < expected.length; i++) {
    const want = expected[i]!;
    const got = actual[i]!;
    if (got.name !== want.name) return `weight ${i} is ${JSON.stringify(got.name)}, expected ${JSON.stringify(want.name)}`;
    if (got.shape.length !== want.shape.length || got.shape.some((d, k) => d !== want.shape[k])) {
      return `weight ${want.name} has shape [${got.shape.join(',')}], expected [${want.shape.join(',')}]`;
    }
  }
  return undefined;
}

/** The first non-finite value (NaN or +-Infinity) as `name[index]`, or undefined. */
export function findNonFinite(specs: readonly WeightSpec[], values: readonly Float32Array[]): string | undefined {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    for (let j = 0; j < v.length; j++) {
      if (!Number.isFinite(v[j]!)) return `${specs[i]?.name ?? `weight ${i}`}[${j}] = ${v[j]}`;
    }
  }
  return undefined;
}

/** A deep copy of weight values. */
export function cloneValues(values: readonly Float32Array[]): Float32Array[] {
  return values.map((v) => v.slice());
}
