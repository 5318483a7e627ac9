/**
 * The binary frame used on the wire (GET /model, POST /update) and for optimizer.bin:
 *
 *   bytes 0-3   ASCII "SPOT"
 *   bytes 4-7   uint32 LE: length H of the JSON header
 *   bytes 8..   H bytes of UTF-8 JSON (the header), then the payload (float32 LE weights) to the end
 *
 * Content-Type `application/vnd.spoton.frame`. One self-describing body keeps the header and the weights
 * in a single request, so an update is accepted or rejected as a whole.
 */
import { WireFormatError } from '../errors';

export const FRAME_CONTENT_TYPE = 'application/vnd.spoton.frame';
const MAGIC = Buffer.from('SPOT', 'ascii');
/** Largest JSON header accepted (specs of models with thousands of tensors fit easily). */
export const MAX_FRAME_HEADER_BYTES = 4 * 1024 * 1024;

/** Builds a frame from a JSON-serialisable header and a payload. */
export function encodeFrame(header: unknown, payload: Uint8Array): Buffer<ArrayBuffer> {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.allocUnsafe(8);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(json.length, 4);
  return Buffer.concat([prefix, json, payload]);
}

/** Splits a frame into its parsed (unvalidated) header and its payload (a view, not a copy). */
export function decodeFrame(frame: Uint8Array): { header: unknown; payload: Uint8Array } {
  if (frame.byteLength < 8) throw new WireFormatError(`frame of ${frame.byteLength} bytes is shorter than its 8-byte prefix`);
  const bytes = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  if (!bytes.subarray(0, 4).equals(MAGIC)) throw new WireFormatError('frame does not start with "SPOT"');
  const headerLength = bytes.readUInt32LE(4);
  if (headerLength > MAX_FRAME_HEADER_BYTES) throw new WireFormatError(`frame header of ${headerLength} bytes exceeds ${MAX_FRAME_HEADER_BYTES}`);
  if (8 + headerLength > bytes.length) throw new WireFormatError(`frame header of ${headerLength} bytes runs past the end of the frame`);
  let header: unknown;
  try {
    header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  } catch (error) {
    throw new WireFormatError('frame header is not JSON', { cause: error });
  }
  return { header, payload: bytes.subarray(8 + headerLength) };
}
