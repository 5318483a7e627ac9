/**
 * The aggregator's HTTP edge on loopback (in-memory store): every route, the rejections trainers can meet,
 * epoch fencing of a real trainer, residency refusal, and signed aws-silent / aws-recovered signals.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpSignalSender } from '../../../fl-training/aggregator/brain';
import { parseRunConfig } from '../../../fl-training/config';
import { ShardResidencyError } from '../../../fl-training/errors';
import { readCheckpoint } from '../../../fl-training/store/checkpoint';
import { MemoryCheckpointStore } from '../../../fl-training/store/memory-store';
import { AggregatorClient, AggregatorRejectedError } from '../../../fl-training/trainer/aggregator-client';
import { encodeFrame, FRAME_CONTENT_TYPE } from '../../../fl-training/wire/frame';
import type { UpdateMeta } from '../../../fl-training/wire/messages';
import { encodeWeights, sha256Hex } from '../../../fl-training/wire/weights';
import { blobPaths } from '../../../protocol/blob-layout';
import { requestBytes, sign, verify } from '../../../protocol/signing';
import { SignalSchema, type Signal } from '../../../protocol/signal';
import { makeTrainer, SECRET, startAggregator, TRAINER_KEY, type RunningAggregator } from './support/federation';

jest.setTimeout(60_000);

const config = parseRunConfig({
  task: 'blobs',
  runId: 'http-run',
  rounds: 3,
  quorum: { minTrainers: 2, fraction: 1 },
  shards: [
    { id: 'shard-0', residency: 'any' },
    { id: 'shard-1', residency: 'any' },
    { id: 'pinned', residency: 'aws' },
  ],
});

let running: RunningAggregator;
let store: MemoryCheckpointStore;
let url: string;
beforeEach(async () => {
  store = new MemoryCheckpointStore();
  running = await startAggregator(config, store);
  url = running.server.url;
});
afterEach(async () => {
  await running.server.close();
  await running.aggregator.close();
});

/** Signed with the trainer key, as a trainer signs (method, target and body). */
const signedBy = (key: string, method: string, target: string, body: string | Buffer = '') => sign(key, requestBytes(method, target, body)) as unknown as Record<string, string>;
const post = (path: string, body: string | Buffer<ArrayBuffer>, headers: Record<string, string> = { 'content-type': 'application/json' }, key = TRAINER_KEY) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { ...headers, ...signedBy(key, 'POST', path, body) }, body });
const get = (target: string, key = TRAINER_KEY) => fetch(`${url}${target}`, { headers: signedBy(key, 'GET', target) });
const register = (clientId: string, shard = 'shard-0', cloud = 'aws') => post('/register', JSON.stringify({ clientId, cloud, shard, residency: shard === 'pinned' ? 'aws' : 'any' }));

function updateFrame(meta: Partial<UpdateMeta> = {}, fill = 0.5) {
  const specs = running.aggregator.specs;
  const payload = encodeWeights(specs.map((s) => new Float32Array(s.shape.reduce((p, d) => p * d, 1)).fill(fill)));
  const full: UpdateMeta = { version: 1, runId: 'http-run', clientId: 'c-0', round: 1, baseRound: 0, epoch: 0, examples: 200, partial: false, cloud: 'aws', shard: 'shard-0', weights: specs, sha256: sha256Hex(payload), createdAt: new Date().toISOString(), ...meta };
  return encodeFrame(full, payload);
}
const pushUpdate = (frame: Buffer<ArrayBuffer>) => post('/update', frame, { 'content-type': FRAME_CONTENT_TYPE });
const errorOf = async (response: Response) => ({ status: response.status, ...((await response.json()) as object) });

describe('aggregator HTTP', () => {
  it('serves health, status, config and Prometheus metrics', async () => {
    expect(await (await fetch(`${url}/healthz`)).json()).toStrictEqual({ status: 'ok', runId: 'http-run', round: 0, openRound: 1, epoch: 0, done: false });
    const status = (await (await fetch(`${url}/status`)).json()) as { round: number; shards: unknown[] };
    expect(status.round).toBe(0);
    expect(status.shards).toHaveLength(3);
    const cfg = (await (await get('/config')).json()) as { config: unknown; configHash: string };
    expect(cfg).toStrictEqual({ config: JSON.parse(JSON.stringify(config)), configHash: running.aggregator.configHash });
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await metrics.text()).toMatch(/^# HELP spoton_fl_round Last committed round\.\n# TYPE spoton_fl_round gauge\nspoton_fl_round 0\n/);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
  });

  it('takes trainer requests only when signed with the trainer key, bound to their route and target', async () => {
    const body = JSON.stringify({ clientId: 'c-0', cloud: 'aws', shard: 'shard-0', residency: 'any' });
    const unsigned = await fetch(`${url}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(await errorOf(unsigned)).toStrictEqual({ status: 401, error: 'bad-signature', message: 'missing or malformed x-spoton-timestamp' });
    // The signal key (the aggregator's own, for the brain) or a flush key is not a trainer key.
    expect(await errorOf(await post('/register', body, undefined, SECRET))).toStrictEqual({ status: 401, error: 'bad-signature', message: 'signature does not match' });
    // A genuine /register signature replayed on /leave, or a model poll's signature on another client's poll.
    const registerHeaders = signedBy(TRAINER_KEY, 'POST', '/register', body);
    expect((await fetch(`${url}/leave`, { method: 'POST', headers: { 'content-type': 'application/json', ...registerHeaders }, body })).status).toBe(401);
    expect((await fetch(`${url}/model?clientId=c-1`, { headers: signedBy(TRAINER_KEY, 'GET', '/model?clientId=c-0') })).status).toBe(401);
    expect(running.aggregator.status().trainers).toStrictEqual([]);
    // Probes and scrapes stay open.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await register('c-0')).status).toBe(200);
  });

  it('answers each refusal with a clear 4xx', async () => {
    expect(await errorOf(await post('/register', '{"clientId":"x"'))).toStrictEqual({ status: 400, error: 'malformed', message: 'body is not JSON' });
    expect((await errorOf(await post('/register', JSON.stringify({ clientId: 'x' })))).status).toBe(400);
    expect(await errorOf(await register('az', 'pinned', 'azure'))).toStrictEqual({ status: 403, error: 'residency', message: 'shard pinned is pinned to aws; a trainer on azure may not process it' });
    expect(await errorOf(await pushUpdate(updateFrame()))).toMatchObject({ status: 403, error: 'unregistered' });
    expect((await register('c-0')).status).toBe(200);
    expect(await errorOf(await pushUpdate(Buffer.from('not a frame')))).toStrictEqual({ status: 400, error: 'malformed', message: 'frame does not start with "SPOT"' });
    expect(await errorOf(await pushUpdate(encodeFrame({ version: 2 }, Buffer.alloc(0))))).toMatchObject({ status: 400, error: 'malformed' });
    expect(await errorOf(await pushUpdate(updateFrame({ round: 2, baseRound: 1 })))).toMatchObject({ status: 409, error: 'future-round' });
    expect(await errorOf(await pushUpdate(updateFrame({ epoch: 1 })))).toMatchObject({ status: 409, error: 'future-epoch' });
    expect(await errorOf(await pushUpdate(updateFrame({ examples: 10_000 })))).toMatchObject({ status: 422, error: 'absurd-examples' });
    expect(await errorOf(await pushUpdate(updateFrame({}, Number.NaN)))).toMatchObject({ status: 422, error: 'non-finite' });
    expect(await errorOf(await pushUpdate(updateFrame({ weights: [{ name: 'hidden_0/kernel', shape: [4, 16], dtype: 'int32' }] })))).toMatchObject({ status: 422, error: 'wrong-dtype' });
    const tooBig = Buffer.concat([updateFrame(), Buffer.alloc(5 * 1024 * 1024)]);
    expect(await errorOf(await pushUpdate(tooBig))).toMatchObject({ status: 413, error: 'too-large' });
    expect((await pushUpdate(updateFrame())).status).toBe(202);
    expect(await errorOf(await pushUpdate(updateFrame()))).toMatchObject({ status: 409, error: 'duplicate' });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('spoton_fl_updates_rejected_total{reason="non-finite"} 1');
  });

  it('long-polls GET /model: 204 while waiting, the frame once the round opens', async () => {
    const client = new AggregatorClient(url, TRAINER_KEY);
    await client.register({ clientId: 'c-0', cloud: 'aws', shard: 'shard-0', residency: 'any' });
    await client.register({ clientId: 'c-1', cloud: 'aws', shard: 'shard-1', residency: 'any' });
    expect(await client.fetchModel('c-0', 2, 50)).toStrictEqual({ kind: 'none' });
    const model = await client.fetchModel('c-0', 0, 0);
    expect(model).toMatchObject({ kind: 'model', header: { round: 1, baseRound: 0, epoch: 0, runId: 'http-run' } });
    expect((await get('/model?minRound=0')).status).toBe(400);
    const waiting = client.fetchModel('c-0', 2, 10_000);
    expect((await pushUpdate(updateFrame({ clientId: 'c-0' }))).status).toBe(202);
    expect((await pushUpdate(updateFrame({ clientId: 'c-1', shard: 'shard-1' }))).status).toBe(202);
    expect(await waiting).toMatchObject({ kind: 'model', header: { round: 2, baseRound: 1 } });
    await expect(client.fetchModel('nobody', 0, 0)).rejects.toThrow(AggregatorRejectedError);
  });

  it('has no route that moves the epoch: only the brain\'s state blob does', async () => {
    const body = JSON.stringify({ version: 1, epoch: 2 ** 53 - 1, reason: 'failing-over' });
    expect((await post('/epoch', body, { ...sign(SECRET, body) })).status).toBe(404);
    expect(running.aggregator.epoch).toBe(0);
  });
});

describe('trainers against the aggregator', () => {
  it('keeps the work of a phase change that moved no shard: no stale-epoch, no redo; 410 after the last round', async () => {
    const rejected: Array<{ clientId?: string; code: string }> = [];
    running.aggregator.on('rejected', (r: { clientId?: string; code: string }) => rejected.push(r));
    let bumped = false;
    const trainers = ['shard-0', 'shard-1'].map((shard, i) =>
      makeTrainer(url, `t-${i}`, shard, {
        onBatch: async (p) => {
          if (p.clientId === 't-0' && p.round === 2 && p.batch === 3 && !bumped) {
            bumped = true;
            // The brain changes phase mid-round: its state blob carries the new epoch.
            await store.put(blobPaths.state(running.aggregator.runId), Buffer.from(JSON.stringify({ phase: 'failing-over', epoch: 1 })));
            await running.aggregator.refreshEpoch();
          }
        },
      }),
    );
    const results = await Promise.all(trainers.map((t) => t.run()));
    await Promise.all(trainers.map((t) => t.close()));
    // Both trainers kept their shards through the phase change: the round-2 work trained in epoch 0 counts.
    expect(rejected.filter((r) => r.code === 'stale-epoch')).toStrictEqual([]);
    expect(results[0]).toMatchObject({ exit: 'complete', rounds: [1, 2, 3], examplesDiscarded: 0, examplesRedone: 0 });
    expect((await readCheckpoint(store, 'http-run', 2)).manifest.epoch).toBe(1);
    expect((await readCheckpoint(store, 'http-run', 1)).manifest.epoch).toBe(0);
    expect(await errorOf(await get('/model?clientId=t-0'))).toStrictEqual({ status: 410, error: 'run-complete', message: 'run http-run is complete' });
  });

  it('refuses, on Azure, a shard pinned to AWS', async () => {
    const trainer = makeTrainer(url, 'azure-9', 'pinned', { cloud: 'azure' });
    const outcome = trainer.run();
    await expect(outcome).rejects.toThrow(ShardResidencyError);
    await expect(outcome).rejects.toThrow('shard pinned is pinned to aws; a trainer on azure refuses to process it');
    await trainer.close();
  });
});

describe('aws-silent signal', () => {
  it('sends signed aws-silent and aws-recovered signals to the brain', async () => {
    const received: Signal[] = [];
    const brain = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const ok = verify(SECRET, raw, { timestamp: req.headers['x-spoton-timestamp'] as string, signature: req.headers['x-spoton-signature'] as string }).ok;
        if (ok) received.push(SignalSchema.parse(JSON.parse(raw.toString())));
        res.writeHead(ok ? 202 : 401).end();
      });
    });
    await new Promise<void>((resolve) => brain.listen(0, '127.0.0.1', resolve));
    const brainUrl = `http://127.0.0.1:${(brain.address() as AddressInfo).port}/api/signals`;
    await running.server.close();
    await running.aggregator.close();
    const quick = { ...config, runId: 'silence-run', awsSilenceTimeoutMs: 300 };
    let clock = Date.now();
    running = await startAggregator(quick, new MemoryCheckpointStore(), { extra: { now: () => clock, signals: httpSignalSender({ url: brainUrl, secret: SECRET }) } });
    url = running.server.url;
    expect((await register('aws-1')).status).toBe(200);
    clock += 300; // the silence timeout passes on the aggregator's clock; the tick sends aws-silent
    await running.aggregator.tick();
    expect((await post('/heartbeat', JSON.stringify({ clientId: 'aws-1' }))).status).toBe(200);
    await running.aggregator.close();
    expect(received.map((s) => s.type)).toStrictEqual(['aws-silent', 'aws-recovered']);
    expect(received[0]).toMatchObject({ runId: 'silence-run', source: { source: 'spot-on.aggregator' } });
    await new Promise<void>((resolve) => brain.close(() => resolve()));
  });
});
