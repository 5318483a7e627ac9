import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying the unix time (seconds) the request was signed at. */
export const TIMESTAMP_HEADER = 'x-spoton-timestamp';
/** Header carrying `v1=<hex HMAC-SHA256(secret, timestamp + "." + rawBody)>`. */
export const SIGNATURE_HEADER = 'x-spoton-signature';
/** Signatures older or newer than this are rejected, which bounds replays. */
export const SIGNATURE_WINDOW_SECONDS = 300;

export interface SignedHeaders {
  readonly [TIMESTAMP_HEADER]: string;
  readonly [SIGNATURE_HEADER]: string;
}

function digest(secret: string | Buffer, timestamp: string, rawBody: string | Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

/** Signs a raw body; the body must be sent byte for byte as signed. */
export function sign(secret: string | Buffer, rawBody: string | Buffer, nowMs = Date.now()): SignedHeaders {
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: `v1=${digest(secret, timestamp, rawBody).toString('hex')}`,
  };
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/** Verifies a signature in constant time and checks the timestamp window. */
export function verify(
  secret: string | Buffer,
  rawBody: string | Buffer,
  headers: { timestamp?: string | null; signature?: string | null },
  nowMs = Date.now(),
): VerifyResult {
  const { timestamp, signature } = headers;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: `missing or malformed ${TIMESTAMP_HEADER}` };
  const skew = Math.abs(nowMs / 1000 - Number(timestamp));
  if (skew > SIGNATURE_WINDOW_SECONDS) return { ok: false, reason: `timestamp outside the ${SIGNATURE_WINDOW_SECONDS} s window` };
  const match = /^v1=([0-9a-f]{64})$/.exec(signature ?? '');
  if (!match?.[1]) return { ok: false, reason: `missing or malformed ${SIGNATURE_HEADER}` };
  const expected = digest(secret, timestamp, rawBody);
  const given = Buffer.from(match[1], 'hex');
  return timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: 'signature does not match' };
}

/**
 * What a signed HTTP request covers when more than its body must be bound (trainer -> aggregator, where GET
 * /model has no body and the query names the client): `METHOD target\n` then the body, target being the path and
 * query exactly as sent. Sign and verify these bytes with sign / verify.
 */
export function requestBytes(method: string, target: string, body: string | Uint8Array = ''): Buffer {
  return Buffer.concat([Buffer.from(`${method.toUpperCase()} ${target}\n`, 'utf8'), typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength)]);
}
