import { HttpRequest, type HttpResponseInit } from '@azure/functions';
import { MAX_SIGNAL_BYTES, type Signal } from '../../../protocol/signal';
import { sign } from '../../../protocol/signing';
import { createSignalsHandler } from '../../../azure-functions/src/handlers/signals';
import { TransientDependencyError } from '../../../azure-functions/src/errors';
import { fakes, INSTANCES, iso, quietContext, SECRET, signal, T0, type Fakes } from './helpers';

function post(body: string, headers: Record<string, string> = sign(SECRET, body, T0.getTime()) as unknown as Record<string, string>): HttpRequest {
  return new HttpRequest({ method: 'POST', url: 'https://brain.example/api/signals', body: { string: body }, headers: { 'content-type': 'application/json', ...headers } });
}

const signed = (value: Signal | string) => post(typeof value === 'string' ? value : JSON.stringify(value));

async function call(f: Fakes, request: HttpRequest): Promise<HttpResponseInit> {
  return createSignalsHandler(() => f.services)(request, quietContext('signals')) as Promise<HttpResponseInit>;
}

describe('POST /api/signals', () => {
  it('answers 202 with phase and epoch, writes the intent, PUTs the pool and queues the continuation', async () => {
    const f = fakes();
    const answer = await call(f, signed(signal('capacity-lost', 'sig-1', { instanceIds: [INSTANCES[0]] })));
    expect(answer).toStrictEqual({
      status: 202,
      headers: { 'cache-control': 'no-store' },
      jsonBody: {
        status: 'accepted',
        outcome: 'applied',
        reason: 'capacity-lost sig-1: fail over (partial) to 1 Azure GPU node',
        signalId: 'sig-1',
        runId: 'run-42',
        phase: 'failing-over',
        epoch: 1,
        coverage: 'partial',
        desiredAzureNodes: 1,
        pausedShards: [],
        pendingOperation: { id: 'op-1', purpose: 'failover', targetNodes: 1, stage: 'submitted' },
        drives: [{ operationId: 'op-1', continuationQueued: true, pool: 'submitted' }],
      },
    });
    expect(f.pool.requested).toStrictEqual([1]);
    expect(f.queue.sent).toStrictEqual([
      { message: { version: 1, kind: 'operation', runId: 'run-42', operationId: 'op-1', attempt: 0, enqueuedAt: iso(0) }, delaySeconds: 10 },
    ]);
    expect(f.store.state.pendingOperation).toMatchObject({ stage: 'submitted', resumeToken: 'token-1' });
    expect(f.trainers.calls).toStrictEqual([]);
  });

  it('answers 200 to a duplicate and changes nothing', async () => {
    const f = fakes();
    const body = JSON.stringify(signal('aws-unhealthy', 'sig-1'));
    await call(f, signed(body));
    const writes = f.store.writes;
    const again = await call(f, post(body));
    expect([again.status, (again.jsonBody as { status: string }).status, f.store.writes, f.pool.requested.length, f.queue.sent.length]).toStrictEqual([
      200, 'duplicate', writes, 1, 1,
    ]);
  });

  it('answers 415 to anything but application/json, before checking the signature', async () => {
    const f = fakes();
    const body = JSON.stringify(signal('aws-unhealthy', 'sig-1'));
    const as = (contentType: string | undefined) =>
      new HttpRequest({ method: 'POST', url: 'https://brain.example/api/signals', body: { string: body }, headers: { ...(contentType === undefined ? {} : { 'content-type': contentType }), ...(sign(SECRET, body, T0.getTime()) as unknown as Record<string, string>) } });
    const answers = await Promise.all(['text/plain', 'application/x-www-form-urlencoded', undefined].map((type) => call(f, as(type))));
    expect(answers.map((answer) => [answer.status, answer.jsonBody])).toStrictEqual(Array(3).fill([415, { error: 'unsupported-media-type', reason: 'signals are application/json' }]));
    expect([f.store.writes, (await call(f, as('Application/JSON; charset=utf-8'))).status]).toStrictEqual([0, 202]);
  });

  it('keeps at most 200 lost instances of a signal that names 1,000, and the state reads back', async () => {
    const f = fakes();
    const instanceIds = Array.from({ length: 1000 }, (_, i) => `i-${i.toString(16).padStart(17, '0')}`);
    expect((await call(f, signed(signal('aws-unhealthy', 'sig-1', { instanceIds })))).status).toBe(202);
    expect(f.store.state.incidents.at(-1)?.lostInstanceIds).toStrictEqual(instanceIds.slice(-200));
  });

  it('answers 413 before reading an oversize body, by its declared or actual length', async () => {
    const f = fakes();
    const big = 'x'.repeat(MAX_SIGNAL_BYTES + 1);
    expect(await call(f, post(big))).toStrictEqual({
      status: 413,
      headers: { 'cache-control': 'no-store' },
      jsonBody: { error: 'payload-too-large', reason: `body is ${MAX_SIGNAL_BYTES + 1} bytes; the limit is ${MAX_SIGNAL_BYTES}` },
    });
    const declared = await call(f, post('{}', { 'content-length': String(10 * MAX_SIGNAL_BYTES) }));
    expect([declared.status, (declared.jsonBody as { reason: string }).reason]).toStrictEqual([413, `body is ${10 * MAX_SIGNAL_BYTES} bytes; the limit is ${MAX_SIGNAL_BYTES}`]);
    expect(f.store.writes).toBe(0);
  });

  it('answers 401 with the reason to forged, expired, unsigned and tampered requests', async () => {
    const f = fakes();
    const body = JSON.stringify(signal('aws-unhealthy', 'sig-1'));
    const forged = sign('another-secret-of-some-length', body, T0.getTime()) as unknown as Record<string, string>;
    const expired = sign(SECRET, body, T0.getTime() - 301_000) as unknown as Record<string, string>;
    const tampered = sign(SECRET, body, T0.getTime()) as unknown as Record<string, string>;
    const answers = await Promise.all([
      call(f, post(body, forged)),
      call(f, post(body, expired)),
      call(f, post(body, {})),
      call(f, post(body.replace('aws-unhealthy', 'aws-recovered'), tampered)),
    ]);
    expect(answers.map((answer) => [answer.status, (answer.jsonBody as { reason: string }).reason])).toStrictEqual([
      [401, 'signature does not match'],
      [401, 'timestamp outside the 300 s window'],
      [401, 'missing or malformed x-spoton-timestamp'],
      [401, 'signature does not match'],
    ]);
    expect(f.store.writes).toBe(0);
  });

  it('re-queues the re-evaluation of a deferred signal when it is delivered again after the lease', async () => {
    const f = fakes({ policy: { failbackCooldownSeconds: 600 } });
    await call(f, signed(signal('aws-unhealthy', 'sig-1')));
    const recovered = JSON.stringify(signal('aws-recovered', 'sig-ok'));
    f.setTime(10);
    expect((await call(f, signed(recovered))).jsonBody).toMatchObject({ outcome: 'deferred', deferredUntil: iso(600) });
    f.setTime(20);
    await call(f, post(recovered, sign(SECRET, recovered, f.services.clock().getTime()) as unknown as Record<string, string>));
    f.setTime(60);
    const again = await call(f, post(recovered, sign(SECRET, recovered, f.services.clock().getTime()) as unknown as Record<string, string>));
    expect([again.status, f.queue.sent.filter((sent) => sent.message.kind === 'deferred').map((sent) => sent.delaySeconds)]).toStrictEqual([200, [590, 540]]);
  });

  it('answers 400 with the reason to bodies that are not v1 signals or are for another run', async () => {
    const f = fakes();
    const answers = await Promise.all([
      call(f, signed('{"version":1,')),
      call(f, signed(JSON.stringify({ ...signal('aws-unhealthy', 'sig-1'), type: 'meteor' }))),
      call(f, signed({ ...signal('aws-unhealthy', 'sig-1'), runId: 'run-7' })),
    ]);
    expect(answers.map((answer) => [answer.status, answer.jsonBody])).toStrictEqual([
      [400, { error: 'invalid-body', reason: expect.stringMatching(/^body is not JSON: /) }],
      [400, { error: 'invalid-body', reason: expect.stringMatching(/^not a v1 signal: type: Invalid option/) }],
      [400, { error: 'wrong-run', reason: 'signal is for run run-7; this brain serves run run-42' }],
    ]);
    expect(f.store.writes).toBe(0);
  });

  it('answers 503 with Retry-After when storage is unavailable, and the retry succeeds', async () => {
    const f = fakes();
    // The SDK's text names the address it could not reach; the answer names only the dependency.
    f.store.readFailures = [new TransientDependencyError('blob', 'reading state: connect ECONNREFUSED 10.101.2.4:443', { retryAfterSeconds: 7 })];
    const body = JSON.stringify(signal('aws-unhealthy', 'sig-1'));
    const busy = await call(f, signed(body));
    expect([busy.status, busy.headers, busy.jsonBody]).toStrictEqual([
      503,
      { 'cache-control': 'no-store', 'retry-after': '7' },
      { error: 'unavailable', reason: 'blob is unavailable' },
    ]);
    expect((await call(f, signed(body))).status).toBe(202);
  });

  it('answers 503 and releases its lease when the continuation cannot be queued, so the retry re-drives at once', async () => {
    const f = fakes();
    f.queue.failures = [new TransientDependencyError('queue', 'queue down')];
    const body = JSON.stringify(signal('aws-unhealthy', 'sig-1'));
    expect((await call(f, signed(body))).status).toBe(503);
    expect(f.pool.requested).toStrictEqual([]);
    expect(f.store.state.pendingOperation).toMatchObject({ id: 'op-1', stage: 'requested' });
    expect(f.store.state.pendingOperation?.leaseUntil).toBeUndefined();
    const retry = await call(f, post(body));
    expect([retry.status, f.pool.requested, f.queue.sent.length, f.store.state.pendingOperation?.stage]).toStrictEqual([200, [3], 1, 'submitted']);
  });

  it('answers 202 when the PUT fails after the continuation was queued (the continuation finishes it)', async () => {
    const f = fakes();
    const put = jest.spyOn(f.pool, 'requestScale').mockRejectedValueOnce(new TransientDependencyError('arm', 'ARM 503'));
    const answer = await call(f, signed(signal('aws-unhealthy', 'sig-1')));
    expect([answer.status, (answer.jsonBody as { drives: unknown }).drives]).toStrictEqual([
      202,
      [{ operationId: 'op-1', continuationQueued: true, retriedBy: 'continuation', error: 'ARM 503' }],
    ]);
    expect(put).toHaveBeenCalledTimes(1);
    expect(f.store.state.pendingOperation?.stage).toBe('requested');
  });

  it('records a quota rejection of the PUT as a failed transition and cleans up', async () => {
    const f = fakes();
    f.pool.scaleResults = [{ kind: 'rejected', error: { code: 'QuotaExceeded', message: 'exceeding approved LowPriorityCores quota' } }, { kind: 'already-at-target', pool: f.pool.view }];
    const answer = await call(f, signed(signal('aws-unhealthy', 'sig-1')));
    expect((answer.jsonBody as { phase: string; epoch: number }).phase).toBe('failing-back');
    expect(f.store.state.transitions.map((t) => [t.from, t.to, t.outcome, t.error?.code])).toStrictEqual([
      ['aws-primary', 'failing-over', 'started', undefined],
      ['failing-over', 'failing-back', 'failed', 'QuotaExceeded'],
    ]);
    expect(f.trainers.calls).toStrictEqual([0]);
  });

  it('survives lost compare-and-swap races by deciding again', async () => {
    const f = fakes();
    f.store.conflicts = 3;
    expect((await call(f, signed(signal('aws-unhealthy', 'sig-1')))).status).toBe(202);
    expect(f.store.state.seenSignalIds).toStrictEqual(['sig-1']);
  });

  it('drives its own intent when the state write committed but its answer was lost (no stall, one PUT)', async () => {
    const f = fakes();
    await call(f, signed(signal('checkpoint-flushed', 'sig-0'))); // the state document exists: the next write replaces it
    f.store.lostAnswers = 1;
    const answer = await call(f, signed(signal('aws-unhealthy', 'sig-1')));
    expect([answer.status, (answer.jsonBody as { outcome: string }).outcome]).toStrictEqual([202, 'applied']);
    expect(f.pool.requested).toStrictEqual([3]);
    expect(f.queue.sent.map((sent) => sent.message)).toStrictEqual([{ version: 1, kind: 'operation', runId: 'run-42', operationId: 'op-1', attempt: 0, enqueuedAt: iso(0) }]);
    expect(f.store.state.pendingOperation).toMatchObject({ id: 'op-1', stage: 'submitted' });
  });

  it('counts one PUT once when the answers to both the intent and the PUT record are lost', async () => {
    const f = fakes();
    await call(f, signed(signal('checkpoint-flushed', 'sig-0')));
    f.store.lostAnswers = 2; // the intent write, then the write that records the PUT
    const answer = await call(f, signed(signal('aws-unhealthy', 'sig-1')));
    expect([answer.status, f.pool.requested, f.store.state.pendingOperation?.putAttempts, f.store.state.transitions.length]).toStrictEqual([202, [3], 1, 1]);
  });

  it('rethrows what it cannot classify (the host answers 500 and logs it)', async () => {
    const f = fakes();
    f.store.readFailures = [new TypeError('bug')];
    await expect(call(f, signed(signal('aws-unhealthy', 'sig-1')))).rejects.toThrow(new TypeError('bug'));
  });
});
