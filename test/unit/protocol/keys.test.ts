/** Key rings: one per purpose, signed with the first key, verified with any (protocol/keys.ts). */
import { KeyRingError, parseKeyRing, verifyWithRing } from '../../../protocol/keys';
import { requestBytes, sign } from '../../../protocol/signing';

const OLD = 'o'.repeat(40);
const NEW = 'N3w'.repeat(15);
const NOW = Date.parse('2026-12-03T12:00:00Z');

describe('parseKeyRing', () => {
  it('signs with the first key and accepts every key of the ring', () => {
    expect(parseKeyRing('signal', `${NEW},${OLD}`)).toStrictEqual({ purpose: 'signal', signing: NEW, accepted: [NEW, OLD] });
    expect(parseKeyRing('flush', OLD)).toStrictEqual({ purpose: 'flush', signing: OLD, accepted: [OLD] });
  });

  it.each([
    [undefined, 'SPOTON_TRAINER_KEYS: the trainer key ring is not set'],
    ['', 'SPOTON_TRAINER_KEYS: the trainer key ring is not set'],
    ['@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/spoton-trainer-keys/)', 'SPOTON_TRAINER_KEYS: an unresolved Key Vault reference, not a key (check the app\'s identity and the vault\'s network rules)'],
    [`${OLD},${NEW},${'x'.repeat(32)},${'y'.repeat(32)}`, 'SPOTON_TRAINER_KEYS: 4 keys; a ring holds at most 3'],
    [`${OLD},short-but-secret`, 'SPOTON_TRAINER_KEYS: key 2 of 2: each key needs at least 32 characters'],
    [`${OLD},`, 'SPOTON_TRAINER_KEYS: key 2 of 2: each key needs at least 32 characters'],
    [` ${OLD}`, 'SPOTON_TRAINER_KEYS: key 1 of 1: a key is letters, digits and _-+/=. only (no spaces or commas)'],
    [`${OLD},${OLD}`, 'SPOTON_TRAINER_KEYS: the same key appears twice'],
  ])('refuses %j, naming the setting and never the key', (text, message) => {
    expect(() => parseKeyRing('trainer', text)).toThrow(KeyRingError);
    expect(() => parseKeyRing('trainer', text)).toThrow(new Error(message));
  });
});

describe('verifyWithRing', () => {
  const body = '{"version":1}';
  const headersOf = (key: string, at = NOW) => {
    const signed = sign(key, body, at);
    return { timestamp: signed['x-spoton-timestamp'], signature: signed['x-spoton-signature'] };
  };

  it('accepts a signature by any key of the ring: rotation needs no second setting', () => {
    const ring = parseKeyRing('signal', `${NEW},${OLD}`);
    expect(verifyWithRing(ring, body, headersOf(OLD), NOW)).toStrictEqual({ ok: true });
    expect(verifyWithRing(ring, body, headersOf(NEW), NOW)).toStrictEqual({ ok: true });
  });

  it('refuses a key of another purpose or ring, and a stale timestamp before trying keys', () => {
    const ring = parseKeyRing('signal', NEW);
    expect(verifyWithRing(ring, body, headersOf(OLD), NOW)).toStrictEqual({ ok: false, reason: 'signature does not match' });
    expect(verifyWithRing(ring, body, headersOf(NEW, NOW - 600_000), NOW)).toStrictEqual({ ok: false, reason: 'timestamp outside the 300 s window' });
  });

  it('binds method and target of a signed request: the same body on another route does not verify', () => {
    const ring = parseKeyRing('trainer', NEW);
    const signed = sign(NEW, requestBytes('POST', '/leave', body), NOW);
    const headers = { timestamp: signed['x-spoton-timestamp'], signature: signed['x-spoton-signature'] };
    expect(verifyWithRing(ring, requestBytes('post', '/leave', body), headers, NOW)).toStrictEqual({ ok: true });
    expect(verifyWithRing(ring, requestBytes('POST', '/heartbeat', body), headers, NOW)).toStrictEqual({ ok: false, reason: 'signature does not match' });
  });
});
