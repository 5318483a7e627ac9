import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { SIGNATURE_HEADER, sign, TIMESTAMP_HEADER, verify } from '../../../protocol/signing';
import { SignalSchema } from '../../../protocol/signal';

const SECRET = 'test-secret-of-reasonable-length';
const NOW = Date.UTC(2026, 10, 29, 6, 0, 0);

const headersOf = (signed: ReturnType<typeof sign>) => ({ timestamp: signed[TIMESTAMP_HEADER], signature: signed[SIGNATURE_HEADER] });

describe('request signing', () => {
  it('signs HMAC-SHA256 over "timestamp.body" as documented', () => {
    // Independent computation of the documented formula, so a change of scheme cannot pass silently.
    const expected = createHmac('sha256', SECRET).update(`${NOW / 1000}.{"a":1}`).digest('hex');
    expect(sign(SECRET, '{"a":1}', NOW)).toStrictEqual({ [TIMESTAMP_HEADER]: String(NOW / 1000), [SIGNATURE_HEADER]: `v1=${expected}` });
  });

  it('accepts its own signatures within the window', () => {
    const signed = sign(SECRET, 'body', NOW);
    expect(verify(SECRET, 'body', headersOf(signed), NOW + 299_000)).toStrictEqual({ ok: true });
    expect(verify(SECRET, 'body', headersOf(signed), NOW - 299_000)).toStrictEqual({ ok: true });
  });

  it.each<[string, () => ReturnType<typeof verify>, string]>([
    ['an expired signature', () => verify(SECRET, 'body', headersOf(sign(SECRET, 'body', NOW)), NOW + 301_000), 'timestamp outside the 300 s window'],
    ['a tampered body', () => verify(SECRET, 'body!', headersOf(sign(SECRET, 'body', NOW)), NOW), 'signature does not match'],
    ['another secret', () => verify('other', 'body', headersOf(sign(SECRET, 'body', NOW)), NOW), 'signature does not match'],
    ['a missing timestamp', () => verify(SECRET, 'body', { signature: 'v1=00' }, NOW), 'missing or malformed x-spoton-timestamp'],
    ['a malformed signature', () => verify(SECRET, 'body', { timestamp: String(NOW / 1000), signature: 'sha256=abc' }, NOW), 'missing or malformed x-spoton-signature'],
  ])('rejects %s', (_what, check, reason) => {
    expect(check()).toStrictEqual({ ok: false, reason });
  });

  it('rejects any change of the timestamp (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 299 }), (body, shift) => {
        const signed = sign(SECRET, body, NOW);
        const moved = String(Number(signed[TIMESTAMP_HEADER]) + shift);
        return !verify(SECRET, body, { timestamp: moved, signature: signed[SIGNATURE_HEADER] }, NOW).ok;
      }),
    );
  });
});

describe('SignalSchema', () => {
  const signal = {
    version: 1,
    id: 'sig-1',
    type: 'capacity-lost',
    runId: 'mnist-2026',
    issuedAt: '2026-11-29T06:00:00Z',
    source: { eventId: 'e-1', source: 'aws.ec2', detailType: 'EC2 Spot Instance Interruption Warning', time: '2026-11-29T05:59:58Z' },
    instanceIds: ['i-0abcd1234ef567890'],
  };

  it('accepts a v1 signal', () => {
    expect(SignalSchema.parse(signal)).toStrictEqual(signal);
  });

  it.each<[string, Record<string, unknown>]>([
    ['an unknown type', { type: 'panic' }],
    ['another version', { version: 2 }],
    ['an unknown field', { extra: true }],
    ['a runId with a slash', { runId: '../state' }],
    ['a bad instance id', { instanceIds: ['node-1'] }],
  ])('rejects %s', (_what, change) => {
    expect(SignalSchema.safeParse({ ...signal, ...change }).success).toBe(false);
  });
});
