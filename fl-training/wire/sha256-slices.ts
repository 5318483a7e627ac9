/**
 * SHA-256 of some parts, a slice at a time with the event loop let in between. A checkpoint hashes model.bin
 * while the upload of the same bytes is in flight: hashing 100 MB in one go (~90 ms) would leave the socket unfed
 * that whole time, while sliced the hash fills the gaps between socket writes and costs the upload almost nothing.
 *
 * Hand-written (a loop around node:crypto; no library hashes cooperatively). A worker thread was measured first and
 * was slower: every part has to be copied to reach the worker, and the copies cost more than the hash.
 */
import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** About a millisecond of hashing: short enough that queued I/O is never held up for long. */
const SLICE_BYTES = 1024 * 1024;

/** Hex SHA-256 of the parts concatenated, as `sha256Hex(Buffer.concat(parts))`. */
export async function sha256InSlices(parts: Iterable<Uint8Array>, sliceBytes: number = SLICE_BYTES): Promise<string> {
  if (!Number.isInteger(sliceBytes) || sliceBytes < 1) throw new RangeError(`slice of ${sliceBytes} bytes must be a positive integer`);
  const hash = createHash('sha256');
  for (const part of parts) {
    for (let start = 0; start < part.byteLength; start += sliceBytes) {
      // Before every slice, the first too: an upload started just after this call goes on the wire first.
      await nextTurn();
      hash.update(part.subarray(start, start + sliceBytes));
    }
  }
  return hash.digest('hex');
}
