import type { FetchFunction } from '../../../lambdas/adapters/http';
import { httpTrainerFlusher } from '../../../lambdas/adapters/trainer-flush';
import { FlushRequestSchema, type FlushRequest } from '../../../protocol/flush-request';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verify } from '../../../protocol/signing';
import { SECRET, staticKeys } from './helpers';

const DEADLINE = '2026-03-01T12:02:00.000Z';
const REQUEST: FlushRequest = { version: 1, requestId: 'evt-spot-a', reason: 'spot-interruption', deadline: DEADLINE, instanceId: 'i-0a00000000000000a' };
const TARGET = { name: 'trainer-a1', ip: '10.0.1.11' };
const at = (iso: string) => () => Date.parse(iso);

type Recorded = { url: string; init: RequestInit };

function answering(answer: (init: RequestInit) => Promise<Response>) {
  const calls: Recorded[] = [];
  const fetchFn: FetchFunction = (url, init) => {
    calls.push({ url, init });
    return answer(init);
  };
  return { fetchFn, calls };
}

describe('httpTrainerFlusher', () => {
  it('POSTs the flush request to the pod, signed so the trainer can verify it', async () => {
    const fake = answering(async () => new Response('{"flushing":true}', { status: 202 }));
    const flusher = httpTrainerFlusher({ port: 8080, keys: staticKeys(), fetch: fake.fetchFn, nowMs: at('2026-03-01T12:00:20Z') });

    expect(await flusher.flush(TARGET, REQUEST)).toStrictEqual({ outcome: 'flushed', status: 202 });

    const [call] = fake.calls;
    expect(call?.url).toBe('http://10.0.1.11:8080/checkpoint');
    expect(call?.init.method).toBe('POST');
    const headers = call?.init.headers as Record<string, string>;
    const body = String(call?.init.body);
    expect(FlushRequestSchema.parse(JSON.parse(body))).toStrictEqual(REQUEST);
    expect(headers['content-type']).toBe('application/json');
    expect(verify(SECRET, body, { timestamp: headers[TIMESTAMP_HEADER], signature: headers[SIGNATURE_HEADER] }, Date.parse('2026-03-01T12:00:21Z'))).toStrictEqual({ ok: true });
    expect(verify('another-secret', body, { timestamp: headers[TIMESTAMP_HEADER], signature: headers[SIGNATURE_HEADER] }, Date.parse('2026-03-01T12:00:21Z'))).toStrictEqual({
      ok: false,
      reason: 'signature does not match',
    });
  });

  it('brackets an IPv6 pod address', async () => {
    const fake = answering(async () => new Response(null, { status: 200 }));
    await httpTrainerFlusher({ port: 8080, keys: staticKeys(), fetch: fake.fetchFn, nowMs: at('2026-03-01T12:00:20Z') }).flush({ name: 'v6', ip: 'fd00::1' }, REQUEST);
    expect(fake.calls[0]?.url).toBe('http://[fd00::1]:8080/checkpoint');
  });

  it.each([
    [409, '{"error":"already flushing"}', { outcome: 'already-flushing', status: 409 }],
    [401, '{"error":"signature does not match"}', { outcome: 'rejected', status: 401, reason: 'signature does not match' }],
    [400, 'bad body', { outcome: 'rejected', status: 400, reason: 'bad body' }],
    [503, '{"reason":"saving"}', { outcome: 'failed', status: 503, reason: 'saving' }],
    [429, '', { outcome: 'failed', status: 429, reason: 'HTTP 429' }],
  ])('maps %i to %j', async (status, body, expected) => {
    const fake = answering(async () => new Response(body === '' ? null : body, { status }));
    const flusher = httpTrainerFlusher({ port: 8080, keys: staticKeys(), fetch: fake.fetchFn, nowMs: at('2026-03-01T12:00:20Z') });
    expect(await flusher.flush(TARGET, REQUEST)).toStrictEqual(expected);
  });

  it('gives up at the deadline: the request times out when the deadline comes', async () => {
    const fake = answering(
      (init) =>
        new Promise<Response>((_resolve, reject) => {
          init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        }),
    );
    const flusher = httpTrainerFlusher({ port: 8080, keys: staticKeys(), fetch: fake.fetchFn, nowMs: at('2026-03-01T12:01:59.970Z') });
    const started = Date.now();
    expect(await flusher.flush(TARGET, REQUEST)).toStrictEqual({ outcome: 'failed', reason: 'no answer within 30 ms' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('waits at most answerTimeoutMs for the answer when the deadline is further away', async () => {
    const fake = answering(
      (init) =>
        new Promise<Response>((_resolve, reject) => {
          init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        }),
    );
    const flusher = httpTrainerFlusher({ port: 8080, keys: staticKeys(), answerTimeoutMs: 25, fetch: fake.fetchFn, nowMs: at('2026-03-01T12:00:20Z') });
    expect(await flusher.flush(TARGET, REQUEST)).toStrictEqual({ outcome: 'failed', reason: 'no answer within 25 ms' });
  });

  it('does not send once the deadline has passed', async () => {
    const fake = answering(async () => new Response(null, { status: 200 }));
    const flusher = httpTrainerFlusher({ port: 8080, keys: staticKeys(), fetch: fake.fetchFn, nowMs: at('2026-03-01T12:02:00Z') });
    expect(await flusher.flush(TARGET, REQUEST)).toStrictEqual({ outcome: 'expired' });
    expect(fake.calls).toStrictEqual([]);
  });

  it('reports a network error as a failure worth retrying', async () => {
    const fake = answering(() => Promise.reject(new TypeError('fetch failed', { cause: { code: 'EHOSTUNREACH' } })));
    const flusher = httpTrainerFlusher({ port: 8080, keys: staticKeys(), fetch: fake.fetchFn, nowMs: at('2026-03-01T12:00:20Z') });
    expect(await flusher.flush(TARGET, REQUEST)).toStrictEqual({ outcome: 'failed', reason: 'fetch failed (EHOSTUNREACH)' });
  });
});
