import { httpSignalSender } from '../../../lambdas/adapters/signal-sender';
import type { FetchFunction } from '../../../lambdas/adapters/http';
import { createSignalHandler, validateSignalBody } from '../../../lambdas/handlers/signal-handler';
import { signalId } from '../../../lambdas/reflex/signal';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verify } from '../../../protocol/signing';
import type { Signal } from '../../../protocol/signal';
import { FakeDeadLetter, NOW, quietLogger, quietMetrics, SECRET, sqsEvent, sqsRecord, staticKeys } from './helpers';

const ENDPOINT = 'https://spot-on-brain.privatelink.azurewebsites.net/api/signals';
const TIMEOUT_MS = 40;

const signal = (eventId: string): Signal => ({
  version: 1,
  id: signalId(eventId, 'capacity-lost'),
  type: 'capacity-lost',
  runId: 'run-42',
  issuedAt: '2026-03-01T12:00:20.000Z',
  source: { eventId, source: 'aws.ec2', detailType: 'EC2 Spot Instance Interruption Warning', time: '2026-03-01T12:00:00Z' },
  instanceIds: ['i-0a00000000000000a'],
});

type Answer = { status: number; body?: unknown } | 'network-error' | 'hang';

/** A fake signals endpoint: answers by the signal's event id and checks every signature it receives. */
function fakeEndpoint(answers: Record<string, Answer>) {
  const received: { url: string; body: string; verified: boolean }[] = [];
  const fetchFn: FetchFunction = async (url, init) => {
    const body = String(init.body);
    const headers = init.headers as Record<string, string>;
    const verified = verify(SECRET, body, { timestamp: headers[TIMESTAMP_HEADER], signature: headers[SIGNATURE_HEADER] }, NOW.getTime()).ok;
    received.push({ url, body, verified });
    const answer = answers[(JSON.parse(body) as Signal).source.eventId] ?? { status: 202 };
    if (answer === 'network-error') throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
    if (answer === 'hang') {
      return new Promise<Response>((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    }
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status: answer.status });
  };
  return { fetchFn, received };
}

function setup(answers: Record<string, Answer>) {
  const endpoint = fakeEndpoint(answers);
  const deadLetter = new FakeDeadLetter();
  const handler = createSignalHandler({
    sender: httpSignalSender({ endpointUrl: ENDPOINT, keys: staticKeys(), timeoutMs: TIMEOUT_MS, fetch: endpoint.fetchFn, nowMs: () => NOW.getTime() }),
    deadLetter,
    logger: quietLogger(),
    metrics: quietMetrics(),
  });
  return { handler, deadLetter, received: endpoint.received };
}

describe('signal handler', () => {
  it('acks 202 and 200, dead-letters 400 and invalid bodies, retries 429, 503, timeouts and network errors', async () => {
    const t = setup({
      'evt-accepted': { status: 202, body: { state: 'failing-over', epoch: 3 } },
      'evt-duplicate': { status: 200, body: { duplicate: true } },
      'evt-bad': { status: 400, body: { error: 'instanceIds: too many' } },
      'evt-throttled': { status: 429 },
      'evt-down': { status: 503, body: { reason: 'state store busy' } },
      'evt-slow': 'hang',
      'evt-reset': 'network-error',
    });
    const invalid = JSON.stringify({ ...signal('evt-invalid'), type: 'panic' });
    const records = [
      sqsRecord('s1', signal('evt-accepted')),
      sqsRecord('s2', signal('evt-duplicate')),
      sqsRecord('s3', signal('evt-bad')),
      sqsRecord('s4', signal('evt-throttled')),
      sqsRecord('s5', signal('evt-down')),
      sqsRecord('s6', signal('evt-slow')),
      sqsRecord('s7', invalid),
      sqsRecord('s8', signal('evt-reset')),
    ];

    const response = await t.handler(sqsEvent(...records));

    expect(response).toStrictEqual({
      batchItemFailures: [{ itemIdentifier: 's4' }, { itemIdentifier: 's5' }, { itemIdentifier: 's6' }, { itemIdentifier: 's8' }],
    });
    expect(t.deadLetter.sent).toStrictEqual([
      { body: invalid, why: { errorName: 'InvalidSignalMessageError', reason: expect.stringMatching(/^not a v1 signal: type: /) } },
      { body: JSON.stringify(signal('evt-bad')), why: { errorName: 'SignalRejectedError', reason: 'signals endpoint answered 400: instanceIds: too many' } },
    ]);
    // Every valid signal went out once, byte for byte as queued, to the endpoint, with a valid signature.
    expect(t.received).toHaveLength(7);
    for (const request of t.received) {
      expect(request.url).toBe(ENDPOINT);
      expect(request.verified).toBe(true);
    }
    expect(t.received.map((r) => r.body).sort()).toStrictEqual(records.filter((r) => r.messageId !== 's7').map((r) => r.body).sort());
  });

  it('retries when the signing key cannot be read', async () => {
    const deadLetter = new FakeDeadLetter();
    const handler = createSignalHandler({
      sender: httpSignalSender({ endpointUrl: ENDPOINT, keys: { get: () => Promise.reject(new Error('AccessDenied')) }, timeoutMs: TIMEOUT_MS, fetch: fakeEndpoint({}).fetchFn }),
      deadLetter,
      logger: quietLogger(),
      metrics: quietMetrics(),
    });
    expect(await handler(sqsEvent(sqsRecord('k1', signal('evt-k'))))).toStrictEqual({ batchItemFailures: [{ itemIdentifier: 'k1' }] });
    expect(deadLetter.sent).toStrictEqual([]);
  });
});

describe('validateSignalBody', () => {
  it('accepts a v1 signal and returns its id', () => {
    expect(validateSignalBody(JSON.stringify(signal('evt-1')))).toBe(signalId('evt-1', 'capacity-lost'));
  });

  it.each([
    ['not JSON', '{', /^signal is not JSON: /],
    ['not a signal', '{"hello":1}', /^not a v1 signal: version: /],
    ['over 64 KiB', JSON.stringify({ ...signal('evt-1'), pad: 'x'.repeat(70_000) }), /^signal is \d+ bytes, over the 65536-byte limit$/],
  ])('rejects %s with InvalidSignalMessageError', (_name, body, message) => {
    expect(() => validateSignalBody(body)).toThrow(expect.objectContaining({ name: 'InvalidSignalMessageError', message: expect.stringMatching(message) }));
  });
});
