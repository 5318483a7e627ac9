/**
 * The HMAC keys of Spot-On: one per purpose, so a key taken from one component cannot speak for another. Each
 * verifier accepts only its own purpose's keys; a key that leaks is replaced for its purpose alone.
 *
 * | purpose | signed by | verified by | where it lives |
 * |---|---|---|---|
 * | `flush` | interruption Lambda (`POST /checkpoint`) | AWS trainers | AWS Secrets Manager only |
 * | `signal` | signal Lambda, aggregator (`POST /api/signals`) | brain | Secrets Manager, copied to Key Vault |
 * | `trainer` | trainers, both clouds (every aggregator route they use) | aggregator | Secrets Manager, copied to Key Vault |
 *
 * Each secret holds a **key ring**: one to three keys separated by commas. Signers sign with the first; verifiers
 * accept any. Rotation therefore needs no second setting and no downtime (docs/SECURITY.md):
 * 1. `old,new`: verifiers learn the new key while every signer still signs with the old one;
 * 2. `new,old`: signers switch, verifiers still accept the old one from signers that have not re-read yet;
 * 3. `new`: the old key is gone.
 * Wait between steps until every reader has re-read the secret (each component's refresh is in docs/SECURITY.md).
 */
import { z } from 'zod';
import { verify, type VerifyResult } from './signing';

export const KEY_PURPOSES = ['flush', 'signal', 'trainer'] as const;
export type KeyPurpose = (typeof KEY_PURPOSES)[number];

/** The setting (environment variable) a component reads a purpose's key ring from. */
export const KEY_RING_SETTINGS: Readonly<Record<KeyPurpose, string>> = {
  flush: 'SPOTON_FLUSH_KEYS',
  signal: 'SPOTON_SIGNAL_KEYS',
  trainer: 'SPOTON_TRAINER_KEYS',
};

/** Shortest key: 256 bits as hex, or 43+ base62 characters (the stack generates 64 letters and digits). */
export const MIN_KEY_LENGTH = 32;
/** Most keys in a ring: the rotation above needs two; a third allows overlapping rotations. */
export const MAX_RING_KEYS = 3;

const KeySchema = z
  .string()
  .min(MIN_KEY_LENGTH, `each key needs at least ${MIN_KEY_LENGTH} characters`)
  .max(512, 'a key is at most 512 characters')
  .regex(/^[A-Za-z0-9_\-+/=.]+$/, 'a key is letters, digits and _-+/=. only (no spaces or commas)');

/** A parsed key ring: `signing` signs, every key in `accepted` (signing first) verifies. */
export interface KeyRing {
  readonly purpose: KeyPurpose;
  readonly signing: string;
  readonly accepted: readonly string[];
}

/** A key ring setting that cannot be used; the message names the setting, never the key. */
export class KeyRingError extends Error {
  override readonly name = 'KeyRingError';
  constructor(
    readonly setting: string,
    /** What is wrong, without the setting's name (for validators that add it themselves). */
    readonly reason: string,
  ) {
    super(`${setting}: ${reason}`);
  }
}

/**
 * Parses a key ring as stored (`key` or `key1,key2`). Refuses an unresolved Azure Key Vault reference (App Service
 * leaves `@Microsoft.KeyVault(...)` in place when it cannot resolve it) and anything that is not 1-3 valid keys.
 */
export function parseKeyRing(purpose: KeyPurpose, text: string | undefined): KeyRing {
  const setting = KEY_RING_SETTINGS[purpose];
  if (text === undefined || text.length === 0) throw new KeyRingError(setting, `the ${purpose} key ring is not set`);
  if (/^\s*@Microsoft\.KeyVault\(/i.test(text)) throw new KeyRingError(setting, `an unresolved Key Vault reference, not a key (check the app's identity and the vault's network rules)`);
  const keys = text.split(',');
  if (keys.length > MAX_RING_KEYS) throw new KeyRingError(setting, `${keys.length} keys; a ring holds at most ${MAX_RING_KEYS}`);
  keys.forEach((key, index) => {
    const checked = KeySchema.safeParse(key);
    if (!checked.success) throw new KeyRingError(setting, `key ${index + 1} of ${keys.length}: ${checked.error.issues[0]?.message ?? 'invalid'}`);
  });
  if (new Set(keys).size !== keys.length) throw new KeyRingError(setting, `the same key appears twice`);
  return { purpose, signing: keys[0] as string, accepted: keys };
}

/** A setting holding `purpose`'s key ring, parsed as given (never trimmed); its issue names what is wrong, not the key. */
export const keyRingSetting = (purpose: KeyPurpose) =>
  z.string().transform((value, ctx): KeyRing => {
    try {
      return parseKeyRing(purpose, value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof KeyRingError ? error.reason : String(error) });
      return z.NEVER;
    }
  });

/** The CloudFormation output that names a purpose's key ring secret: `FlushKeysSecretArn`, ... */
export const keyRingOutputName = (purpose: KeyPurpose): string => `${purpose.charAt(0).toUpperCase()}${purpose.slice(1)}KeysSecretArn`;

/**
 * Verifies a signature against every key of the ring (each in constant time); the timestamp window is checked
 * once. A mismatch says so without saying which keys were tried.
 */
export function verifyWithRing(ring: KeyRing, rawBody: string | Buffer, headers: { timestamp?: string | null; signature?: string | null }, nowMs = Date.now()): VerifyResult {
  let last: VerifyResult = { ok: false, reason: 'signature does not match' };
  for (const key of ring.accepted) {
    last = verify(key, rawBody, headers, nowMs);
    if (last.ok || last.reason !== 'signature does not match') return last;
  }
  return last;
}
