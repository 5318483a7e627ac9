/** The aggregator core without HTTP, on the in-memory store, with a controlled clock. */
import { Aggregator, type AggregatorOptions, type CommitInfo } from '../../../fl-training/aggregator/aggregator';
import type { SignalSender } from '../../../fl-training/aggregator/brain';
import { parseRunConfig, type RunConfig } from '../../../fl-training/config';
import { ConfigError } from '../../../fl-training/errors';
import { readCheckpoint } from '../../../fl-training/store/checkpoint';
import { MemoryCheckpointStore } from '../../../fl-training/store/memory-store';
import { storeUpdate } from '../../../fl-training/store/updates';
import { weightedAverage } from '../../../fl-training/strategy/aggregate';
import { initialWeights, modelShape } from '../../../fl-training/task/topology';
import type { UpdateMeta } from '../../../fl-training/wire/messages';
import { encodeWeights, sha256Hex } from '../../../fl-training/wire/weights';
import { blobPaths } from '../../../protocol/blob-layout';
import { RunStatusSchema } from '../../../protocol/run-status';
import type { Signal } from '../../../protocol/signal';

const baseConfig = parseRunConfig({
  task: 'blobs',
  runId: 'unit-run',
  rounds: 3,
  evaluate: false,
  quorum: { minTrainers: 2, fraction: 0.5 },
  shards: [
    { id: 'shard-0', residency: 'any' },
    { id: 'shard-1', residency: 'any' },
    { id: 'shard-aws', residency: 'aws' },
  ],
});
const FULL = 200; // 600 examples / 3 shards x 1 local epoch

let clock = Date.UTC(2025, 0, 1);
const now = () => clock;
const open: Aggregator[] = [];
afterEach(async () => {
  for (const a of open.splice(0)) await a.close();
});

async function start(store = new MemoryCheckpointStore(), config: RunConfig = baseConfig, extra: Partial<AggregatorOptions> = {}) {
  const aggregator = await Aggregator.open({ config, store, now, tickMs: 3_600_000, statePollMs: 0, scanMs: 3_600_000, ...(process.env.DEBUG_AGG ? { log: console.log } : {}), ...extra });
  open.push(aggregator);
  return { aggregator, store };
}

const register = (a: Aggregator, clientId: string, shard = 'shard-0', cloud: 'aws' | 'azure' = 'aws') =>
  a.register({ clientId, cloud, shard, residency: baseConfig.shards.find((s) => s.id === shard)?.residency ?? 'any' });

function update(a: Aggregator, clientId: string, fill: number, extra: Partial<UpdateMeta> = {}) {
  const values = a.specs.map((s) => new Float32Array(s.shape.reduce((p, d) => p * d, 1)).fill(fill));
  const payload = encodeWeights(values);
  const meta: UpdateMeta = {
    version: 1,
    runId: a.runId,
    clientId,
    round: a.openRound,
    baseRound: a.committedRound,
    epoch: a.epoch,
    examples: FULL,
    partial: false,
    cloud: 'aws',
    shard: 'shard-0',
    weights: a.specs,
    sha256: sha256Hex(payload),
    createdAt: new Date(clock).toISOString(),
    ...extra,
  };
  return { meta, payload, values };
}

const nextCommit = (a: Aggregator) => new Promise<CommitInfo>((resolve) => a.once('committed', resolve));

describe('Aggregator', () => {
  it("writes the run's schedule to status.json and keeps its start across a restart, so the deadline does not move", async () => {
    const config = { ...baseConfig, deadlineMs: 48 * 3_600_000 };
    const startedAt = clock;
    const first = await start(new MemoryCheckpointStore(), config);
    register(first.aggregator, 'a1');
    await first.aggregator.flushWrites();
    first.aggregator.kill();
    clock += 3_600_000; // an hour later, another aggregator resumes the run
    const second = await start(first.store, config);
    const schedule = { rounds: 3, startedAt: new Date(startedAt).toISOString(), deadlineAt: new Date(startedAt + 48 * 3_600_000).toISOString() };
    expect(second.aggregator.status().schedule).toStrictEqual(schedule);
    const { schedule: withoutDeadline } = (await start(new MemoryCheckpointStore(), baseConfig)).aggregator.status();
    expect(withoutDeadline).toStrictEqual({ rounds: 3, startedAt: new Date(clock).toISOString() });
  });

  it('starts a fresh run with the seeded round 0 checkpoint and opens round 1', async () => {
    const { aggregator, store } = await start();
    expect([aggregator.committedRound, aggregator.openRound, aggregator.epoch, aggregator.done]).toStrictEqual([0, 1, 0, false]);
    const round0 = await readCheckpoint(store, 'unit-run', 0);
    expect(round0.weights).toStrictEqual(initialWeights(modelShape(baseConfig), baseConfig.seed));
    expect(round0.manifest).toMatchObject({ round: 0, epoch: 0, participants: [], configHash: aggregator.configHash });
  });

  it('registers trainers and refuses unknown shards and residency violations', async () => {
    const { aggregator } = await start();
    expect(register(aggregator, 'a')).toStrictEqual({ runId: 'unit-run', shard: 'shard-0', round: 1, epoch: 0, configHash: aggregator.configHash, submitted: false });
    expect(register(aggregator, 'b', 'shard-9')).toMatchObject({ status: 422, code: 'unknown-shard' });
    expect(register(aggregator, 'c', 'shard-aws', 'azure')).toStrictEqual({ status: 403, code: 'residency', message: 'shard shard-aws is pinned to aws; a trainer on azure may not process it' });
    expect(aggregator.register({ clientId: 'd', cloud: 'aws', shard: 'shard-aws', residency: 'any' })).toMatchObject({ status: 409, code: 'wrong-shard' });
  });

  it('assigns shards to trainers that register without one: free shards their cloud may process, kept on re-registration', async () => {
    const { aggregator } = await start();
    const shardOf = (reply: ReturnType<Aggregator['register']>) => ('shard' in reply ? reply.shard : reply.code);
    register(aggregator, 'aws-0', 'shard-0');
    expect(shardOf(aggregator.register({ clientId: 'pod-a', cloud: 'azure' }))).toBe('shard-1');
    // shard-aws is pinned to AWS and shard-0/1 are held: a second Azure pod has nothing to do yet.
    expect(aggregator.register({ clientId: 'pod-b', cloud: 'azure' })).toMatchObject({ status: 409, code: 'no-free-shard' });
    expect(shardOf(aggregator.register({ clientId: 'pod-a', cloud: 'azure' }))).toBe('shard-1');
    expect(shardOf(aggregator.register({ clientId: 'aws-x', cloud: 'aws' }))).toBe('shard-aws');
    // aws-0 is lost (silent past the liveness timeout): its shard goes to the waiting pod.
    clock += baseConfig.trainerTimeoutMs + 1;
    aggregator.heartbeat('pod-a');
    aggregator.heartbeat('aws-x');
    expect(shardOf(aggregator.register({ clientId: 'pod-b', cloud: 'azure' }))).toBe('shard-0');
    // A replacement AWS trainer takes back a shard only Azure covers (AWS is primary: that is how failback starts).
    expect(shardOf(aggregator.register({ clientId: 'aws-replacement', cloud: 'aws' }))).toBe('shard-0');
  });

  it('commits a round when every live trainer reported: FedAvg weights, manifest, status.json', async () => {
    const { aggregator, store } = await start();
    register(aggregator, 'a');
    register(aggregator, 'b', 'shard-1');
    const a = update(aggregator, 'a', 1);
    const b = update(aggregator, 'b', 4, { shard: 'shard-1', examples: FULL });
    const committed = nextCommit(aggregator);
    expect(await aggregator.submit(a.meta, a.payload)).toStrictEqual({ round: 1, pending: 1 });
    expect(await aggregator.submit(b.meta, b.payload)).toStrictEqual({ round: 1, pending: 2 });
    const info = await committed;
    expect(info).toMatchObject({ round: 1, reason: 'all-reported', examples: 2 * FULL });
    expect(info.participants.map((p) => [p.clientId, p.examples, p.partial, p.baseRound])).toStrictEqual([
      ['a', FULL, false, 0],
      ['b', FULL, false, 0],
    ]);
    const expected = weightedAverage([
      { clientId: 'a', examples: FULL, values: a.values },
      { clientId: 'b', examples: FULL, values: b.values },
    ]);
    expect(aggregator.globalWeights()).toStrictEqual(expected);
    expect((await readCheckpoint(store, 'unit-run', 1)).weights).toStrictEqual(expected);
    await aggregator.flushWrites();
    const status = RunStatusSchema.parse(JSON.parse((await store.get(blobPaths.status('unit-run')))!.data.toString()));
    expect(status).toMatchObject({ round: 1, epoch: 0, reporting: { aws: 2, azure: 0 } });
    expect(status.trainers.map((t) => [t.clientId, t.lastRound])).toStrictEqual([
      ['a', 1],
      ['b', 1],
    ]);
    expect(status.shards).toStrictEqual([
      { shard: 'shard-0', residency: 'any', movableToAzure: true },
      { shard: 'shard-1', residency: 'any', movableToAzure: true },
      { shard: 'shard-aws', residency: 'aws', movableToAzure: false },
    ]);
    expect(aggregator.openRound).toBe(2);
  });

  it('rejects unregistered, duplicate and stale updates and counts them in /metrics', async () => {
    const { aggregator } = await start();
    const stranger = update(aggregator, 'x', 1);
    expect(await aggregator.submit(stranger.meta, stranger.payload)).toMatchObject({ status: 403, code: 'unregistered' });
    register(aggregator, 'a');
    register(aggregator, 'b', 'shard-1');
    register(aggregator, 'c', 'shard-1');
    const a = update(aggregator, 'a', 1);
    await aggregator.submit(a.meta, a.payload);
    expect(await aggregator.submit(a.meta, a.payload)).toMatchObject({ status: 409, code: 'duplicate' });
    const committed = nextCommit(aggregator);
    const b = update(aggregator, 'b', 1, { shard: 'shard-1' });
    const c = update(aggregator, 'c', 1, { shard: 'shard-1' });
    await aggregator.submit(b.meta, b.payload);
    // c holds shard-1 too: b's update covers it, so c's is refused and the round does not wait for c
    expect(await aggregator.submit(c.meta, c.payload)).toMatchObject({ status: 409, code: 'shard-covered' });
    await committed;
    // a retry of an update that is in the round just committed is a duplicate (it counted); other work is stale
    expect(await aggregator.submit(b.meta, b.payload)).toMatchObject({ status: 409, code: 'duplicate', message: 'update of b is already in committed round 1' });
    const late = update(aggregator, 'b', 9, { shard: 'shard-1', round: 1, baseRound: 0 });
    expect(await aggregator.submit(late.meta, late.payload)).toMatchObject({ status: 409, code: 'stale-round' });
    const metrics = await aggregator.metricsText();
    expect(metrics).toContain('spoton_fl_updates_rejected_total{reason="unregistered"} 1');
    expect(metrics).toContain('spoton_fl_updates_rejected_total{reason="duplicate"} 2');
    expect(metrics).toContain('spoton_fl_updates_rejected_total{reason="stale-round"} 1');
    expect(metrics).toContain('spoton_fl_updates_rejected_total{reason="shard-covered"} 1');
    expect(metrics).toContain('spoton_fl_updates_accepted_total 2');
    expect(metrics).toContain('spoton_fl_round 1\n');
    expect(metrics).toContain('spoton_fl_trainers_reporting{cloud="aws"} 3');
  });

  it('commits with a quorum at the deadline and skips trainers that went silent', async () => {
    const config = { ...baseConfig, roundDeadlineMs: 10_000, trainerTimeoutMs: 60_000, quorum: { minTrainers: 1, fraction: 0.6 } };
    const { aggregator } = await start(undefined, config);
    for (const [id, shard] of [['a', 'shard-0'], ['b', 'shard-1'], ['c', 'shard-aws']] as const) register(aggregator, id, shard);
    const a = update(aggregator, 'a', 1);
    await aggregator.submit(a.meta, a.payload);
    clock += 10_000;
    aggregator.tick(); // 1 of 3 live: below ceil(0.6 x 3) = 2
    expect(aggregator.openRound).toBe(1);
    const b = update(aggregator, 'b', 3, { shard: 'shard-1' });
    const committed = nextCommit(aggregator);
    await aggregator.submit(b.meta, b.payload);
    expect(await committed).toMatchObject({ round: 1, reason: 'deadline', examples: 2 * FULL });
    // round 2: c never reports again; after the liveness window it is no longer waited for
    const a2 = update(aggregator, 'a', 1);
    const b2 = update(aggregator, 'b', 1, { shard: 'shard-1' });
    await aggregator.submit(a2.meta, a2.payload);
    await aggregator.submit(b2.meta, b2.payload);
    expect(aggregator.openRound).toBe(2);
    clock += 61_000;
    const second = nextCommit(aggregator);
    aggregator.tick();
    expect(await second).toMatchObject({ round: 2, reason: 'all-reported' });
  });

  it('commits the same bits after a restart mid-round as without one, whatever order the updates arrived in', async () => {
    // a and b cancel, so the mean is c's: a float64 sum that met c before the cancellation would have rounded it away.
    const fills = { a: 1e6, b: -1e6, c: 1e-5 } as const;
    const shards = { a: 'shard-0', b: 'shard-1', c: 'shard-aws' } as const;
    const clients = ['a', 'b', 'c'] as const;
    const submit = async (aggregator: Aggregator, clientId: keyof typeof fills) => {
      const u = update(aggregator, clientId, fills[clientId], { shard: shards[clientId] });
      return aggregator.submit(u.meta, u.payload);
    };
    // a and b are accepted (folded, and stored), then the aggregator goes; its successor folds them again from Blob.
    const first = await start();
    for (const clientId of clients) register(first.aggregator, clientId, shards[clientId]);
    await submit(first.aggregator, 'a');
    await submit(first.aggregator, 'b');
    await first.aggregator.close();
    const { aggregator: resumed } = await start(first.store);
    const afterRestart = nextCommit(resumed);
    for (const clientId of clients) register(resumed, clientId, shards[clientId]);
    await submit(resumed, 'c');
    await afterRestart;
    // Uninterrupted, in the opposite order.
    const { aggregator: straight } = await start();
    const committed = nextCommit(straight);
    for (const clientId of clients) register(straight, clientId, shards[clientId]);
    for (const clientId of ['c', 'b', 'a'] as const) await submit(straight, clientId);
    await committed;
    expect(resumed.committedRound).toBe(1);
    expect(resumed.globalWeights()).toStrictEqual(straight.globalWeights());
  });

  it('hands a shard over between rounds: a newcomer waits while the holder trains the open round, then takes the next', async () => {
    const { aggregator } = await start();
    register(aggregator, 'old');
    register(aggregator, 'other', 'shard-1');
    expect(await aggregator.model('old', 1, 0)).toMatchObject({ kind: 'model' });
    register(aggregator, 'new'); // shard-0 again: the replacement arrives while 'old' trains round 1
    expect(await aggregator.model('new', 1, 0)).toStrictEqual({ kind: 'none' });
    const committed = nextCommit(aggregator);
    for (const clientId of ['old', 'other']) {
      const u = update(aggregator, clientId, 1, { shard: clientId === 'old' ? 'shard-0' : 'shard-1' });
      await aggregator.submit(u.meta, u.payload);
    }
    // The round does not wait for the newcomer: its shard's work for round 1 came from 'old'.
    expect((await committed).participants.map((p) => p.clientId)).toStrictEqual(['old', 'other']);
    expect(await aggregator.model('new', 2, 0)).toMatchObject({ kind: 'model' });
    // Now the old holder is the one that waits: a second copy of shard-0's round 2 would be refused.
    expect(await aggregator.model('old', 2, 0)).toStrictEqual({ kind: 'none' });
    expect(await aggregator.metricsText()).not.toContain('shard-covered');
  });

  it('takes a partial update as the trainer leaving: the round does not wait for it', async () => {
    const { aggregator } = await start();
    register(aggregator, 'a');
    register(aggregator, 'b', 'shard-1');
    const committed = nextCommit(aggregator);
    const a = update(aggregator, 'a', 2);
    const b = update(aggregator, 'b', 6, { shard: 'shard-1', partial: true, examples: 50 });
    await aggregator.submit(a.meta, a.payload);
    await aggregator.submit(b.meta, b.payload);
    const info = await committed;
    expect(info.participants.map((p) => [p.clientId, p.examples, p.partial])).toStrictEqual([
      ['a', FULL, false],
      ['b', 50, true],
    ]);
    expect(aggregator.globalWeights()[0]![0]).toBeCloseTo((2 * FULL + 6 * 50) / (FULL + 50), 6);
    expect(aggregator.status().reporting).toStrictEqual({ aws: 1, azure: 0 });
  });

  it('resumes exactly from LATEST: weights, FedAdam state, trainers, epoch and stored updates', async () => {
    const config = { ...baseConfig, strategy: { name: 'fedadam' as const, eta: 0.05, beta1: 0.9, beta2: 0.99, tau: 1e-3 } };
    const { aggregator, store } = await start(undefined, config);
    register(aggregator, 'a');
    register(aggregator, 'b', 'shard-1');
    await store.put(blobPaths.state('unit-run'), Buffer.from(JSON.stringify({ epoch: 2 })));
    await aggregator.refreshEpoch();
    const committed = nextCommit(aggregator);
    for (const [id, shard, fill] of [['a', 'shard-0', 1], ['b', 'shard-1', 2]] as const) {
      const u = update(aggregator, id, fill, { shard });
      await aggregator.submit(u.meta, u.payload);
    }
    await committed;
    const a2 = update(aggregator, 'a', 5); // accepted in round 2, then the aggregator crashes
    await aggregator.submit(a2.meta, a2.payload);
    await aggregator.flushWrites();
    aggregator.kill();

    const { aggregator: resumed } = await start(store, config);
    expect([resumed.committedRound, resumed.openRound, resumed.epoch]).toStrictEqual([1, 2, 2]);
    expect(resumed.globalWeights()).toStrictEqual(aggregator.globalWeights());
    expect(resumed.status().trainers.map((t) => t.clientId)).toStrictEqual(['a', 'b']);
    expect(resumed.register({ clientId: 'a', cloud: 'aws', shard: 'shard-0', residency: 'any' })).toMatchObject({ submitted: true });
    expect(await resumed.submit(a2.meta, a2.payload)).toMatchObject({ code: 'duplicate' });
    const next = nextCommit(resumed);
    const b2 = update(resumed, 'b', 7, { shard: 'shard-1' });
    await resumed.submit(b2.meta, b2.payload);
    expect((await next).participants.map((p) => p.clientId)).toStrictEqual(['a', 'b']);
    const round2 = await readCheckpoint(store, 'unit-run', 2);
    expect(round2.strategyState?.step).toBe(2);
    expect(round2.manifest.epoch).toBe(2);
  });

  it('refuses to resume a run under another configuration', async () => {
    const { store } = await start();
    await expect(start(store, { ...baseConfig, learningRate: 0.5 })).rejects.toThrow(ConfigError);
  });

  it('moves the epoch forward only, fences updates per shard, and reads the brain state blob', async () => {
    const { aggregator, store } = await start(undefined, baseConfig, { statePollMs: 1 });
    register(aggregator, 'a');
    register(aggregator, 'b', 'shard-1');
    const stale = update(aggregator, 'a', 1);
    const kept = update(aggregator, 'b', 1, { shard: 'shard-1' });
    const brainState = (epoch: number) => store.put(blobPaths.state('unit-run'), Buffer.from(JSON.stringify({ phase: 'failing-over', epoch })));
    await brainState(1);
    expect(await aggregator.refreshEpoch()).toBe(1);
    await brainState(0); // never backwards, whatever the blob says
    expect(await aggregator.refreshEpoch()).toBe(1);
    // shard-0 goes to another trainer in epoch 1: a's epoch-0 work for it no longer counts; b kept shard-1, so its does.
    register(aggregator, 'c', 'shard-0', 'azure');
    expect(await aggregator.submit(stale.meta, stale.payload)).toMatchObject({ status: 409, code: 'stale-epoch', message: 'update carries epoch 0; shard shard-0 was assigned again in epoch 1' });
    expect(await aggregator.submit(kept.meta, kept.payload)).toMatchObject({ round: 1 });
    await store.put(blobPaths.state('unit-run'), Buffer.from(JSON.stringify({ phase: 'azure-active', epoch: 3, other: 'fields' })));
    clock += 10;
    await aggregator.tick();
    expect(aggregator.epoch).toBe(3);
  });

  it('signals aws-silent when AWS trainers stop reporting and aws-recovered when they return', async () => {
    const sent: Signal[] = [];
    const signals: SignalSender = { send: async (signal) => (sent.push(signal), 'delivered') };
    const { aggregator } = await start(undefined, { ...baseConfig, awsSilenceTimeoutMs: 30_000 }, { signals });
    register(aggregator, 'azure-1', 'shard-0', 'azure');
    aggregator.tick();
    expect(sent).toStrictEqual([]); // no AWS trainer ever reported
    register(aggregator, 'aws-1');
    const lastAws = clock;
    clock += 30_000;
    aggregator.heartbeat('azure-1');
    aggregator.tick();
    aggregator.tick();
    expect(await aggregator.metricsText()).toContain('spoton_fl_aws_silent 1');
    clock += 5_000;
    aggregator.heartbeat('aws-1');
    await aggregator.close();
    expect(sent.map((s) => [s.type, s.id])).toStrictEqual([
      ['aws-silent', `aws-silent-unit-run-${lastAws}`],
      ['aws-recovered', `aws-recovered-unit-run-${clock}`],
    ]);
    expect(await aggregator.metricsText()).toContain('spoton_fl_signals_total{type="aws-silent"} 1');
  });

  it('signals azure-silent once when, under the brain\'s azure-active, Azure trainers that reported go quiet', async () => {
    const sent: Signal[] = [];
    const signals: SignalSender = { send: async (signal) => (sent.push(signal), 'delivered') };
    const { aggregator, store } = await start(undefined, { ...baseConfig, awsSilenceTimeoutMs: 60_000 }, { signals, statePollMs: 10 });
    await store.put(blobPaths.state('unit-run'), Buffer.from(JSON.stringify({ phase: 'azure-active', epoch: 2, desiredAzureNodes: 1 })));
    register(aggregator, 'azure-1', 'shard-0', 'azure');
    clock += 10;
    await aggregator.tick(); // reads the cover
    clock += 10;
    await aggregator.tick(); // the Azure trainer is live under it
    clock += 30_001; // past the liveness window: quiet from here
    await aggregator.tick();
    const quietSince = clock;
    clock += 59_999;
    await aggregator.tick();
    expect(sent).toStrictEqual([]);
    clock += 1;
    await aggregator.tick();
    clock += 60_000;
    await aggregator.tick(); // once per silence
    await aggregator.close();
    expect(sent.map((signal) => [signal.type, signal.id])).toStrictEqual([['azure-silent', `azure-silent-unit-run-${quietSince}`]]);
  });

  it('delivers aws-silent after a 10-minute brain outage that outlasts the sender\'s own retries', async () => {
    const delivered: Signal[] = [];
    let brainUpAt = Infinity;
    const signals: SignalSender = { send: async (signal) => (clock < brainUpAt ? 'failed' : (delivered.push(signal), 'delivered')) };
    const { aggregator } = await start(undefined, { ...baseConfig, awsSilenceTimeoutMs: 30_000 }, { signals, signalRetry: { retryMs: 15_000, maxRetryMs: 60_000 } });
    register(aggregator, 'aws-1');
    clock += 30_000;
    aggregator.tick(); // silent: the first send gives up
    brainUpAt = clock + 10 * 60_000;
    for (let second = 0; second < 12 * 60; second++) {
      clock += 1000;
      aggregator.tick();
      await Promise.resolve();
    }
    await aggregator.close();
    expect(delivered.map((s) => s.type)).toStrictEqual(['aws-silent']);
  });

  it('signals capacity-lost with the silent trainers\' instances when AWS falls below its minimum without any AWS event', async () => {
    const sent: Signal[] = [];
    const signals: SignalSender = { send: async (signal) => (sent.push(signal), 'delivered') };
    const { aggregator } = await start(undefined, baseConfig, { signals, minAwsTrainers: 2 });
    aggregator.register({ clientId: 'aws-1', cloud: 'aws', shard: 'shard-0', residency: 'any', instanceId: 'i-0aaaaaaaaaaaaaaa1' });
    aggregator.register({ clientId: 'aws-2', cloud: 'aws', shard: 'shard-1', residency: 'any', instanceId: 'i-0aaaaaaaaaaaaaaa2' });
    aggregator.tick(); // the minimum is reached: from now on a shortfall is a loss
    clock += baseConfig.trainerTimeoutMs + 1; // aws-2's node is reclaimed without a warning: it just stops
    aggregator.heartbeat('aws-1');
    aggregator.tick();
    aggregator.tick();
    await aggregator.close();
    expect(sent.map((s) => [s.type, s.instanceIds])).toStrictEqual([['capacity-lost', ['i-0aaaaaaaaaaaaaaa2']]]);
  });

  it('signals run-complete once the last round is committed, so that the brain releases any Azure capacity', async () => {
    const sent: Signal[] = [];
    const signals: SignalSender = { send: async (signal) => (sent.push(signal), 'delivered') };
    const { aggregator } = await start(undefined, { ...baseConfig, rounds: 1 }, { signals });
    register(aggregator, 'a');
    register(aggregator, 'b', 'shard-1');
    const a = update(aggregator, 'a', 1);
    const b = update(aggregator, 'b', 2, { shard: 'shard-1' });
    const committed = nextCommit(aggregator);
    await aggregator.submit(a.meta, a.payload);
    await aggregator.submit(b.meta, b.payload);
    await committed;
    await aggregator.close();
    expect(aggregator.done).toBe(true);
    expect(sent.map((s) => [s.type, s.id])).toStrictEqual([['run-complete', 'run-complete-unit-run']]);
  });

  it('keeps status.json current between commits: instance ids on registration, reporting counts when a trainer goes quiet', async () => {
    const { aggregator, store } = await start();
    const readStatus = async () => RunStatusSchema.parse(JSON.parse((await store.get(blobPaths.status(aggregator.runId)))!.data.toString('utf8')));
    aggregator.register({ clientId: 'aws-1', cloud: 'aws', shard: 'shard-0', residency: 'any', instanceId: 'i-0aaaaaaaaaaaaaaa1' });
    aggregator.register({ clientId: 'aws-2', cloud: 'aws', shard: 'shard-1', residency: 'any', instanceId: 'i-0aaaaaaaaaaaaaaa2' });
    await aggregator.flushWrites();
    expect((await readStatus()).trainers.map((t) => t.instanceId)).toStrictEqual(['i-0aaaaaaaaaaaaaaa1', 'i-0aaaaaaaaaaaaaaa2']);
    expect((await readStatus()).reporting).toStrictEqual({ aws: 2, azure: 0 });
    clock += baseConfig.trainerTimeoutMs / 2;
    aggregator.heartbeat('aws-1');
    clock += baseConfig.trainerTimeoutMs / 2 + 1; // aws-2 is now past its liveness timeout; no round has committed
    aggregator.tick();
    await aggregator.flushWrites();
    expect((await readStatus()).reporting).toStrictEqual({ aws: 1, azure: 0 });
  });

  it('keeps a live trainer\'s id its own: a registration from another node is refused, a restart on its node is not', async () => {
    const { aggregator } = await start();
    const on = (nodeName: string, instanceId: string) => ({ clientId: 'a', cloud: 'aws' as const, shard: 'shard-0', residency: 'any' as const, nodeName, instanceId });
    expect(aggregator.register(on('ip-10-0-0-1', 'i-0a00000000000000a'))).toMatchObject({ shard: 'shard-0' });
    expect(aggregator.register({ ...on('ip-10-0-0-2', 'i-0b00000000000000b'), shard: 'shard-1' })).toMatchObject({ status: 409, code: 'identity-taken' });
    expect(aggregator.register(on('ip-10-0-0-1', 'i-0a00000000000000a'))).toMatchObject({ shard: 'shard-0' });
    expect(aggregator.leave('a', 'SIGTERM')).toBeUndefined();
    expect(aggregator.register({ ...on('ip-10-0-0-2', 'i-0b00000000000000b'), shard: 'shard-1' })).toMatchObject({ shard: 'shard-1' });
  });

  it('refuses an update past the run\'s bounds, with the bound it broke', async () => {
    const { aggregator } = await start(undefined, { ...baseConfig, updateBounds: { maxAbsValue: 1e6, maxDeltaNorm: 1e3 } });
    register(aggregator, 'a');
    const enormous = update(aggregator, 'a', 3e38);
    expect(await aggregator.submit(enormous.meta, enormous.payload)).toMatchObject({ status: 422, code: 'out-of-bounds', message: expect.stringContaining('updateBounds.maxAbsValue') });
    const far = update(aggregator, 'a', 1e5);
    expect(await aggregator.submit(far.meta, far.payload)).toMatchObject({ status: 422, code: 'out-of-bounds', message: expect.stringContaining('updateBounds.maxDeltaNorm') });
    expect(await aggregator.metricsText()).toContain('spoton_fl_updates_rejected_total{reason="out-of-bounds"} 2');
  });

  it('counts one update per shard and round: a second client on a flushed shard waits for the next round', async () => {
    const { aggregator } = await start();
    register(aggregator, 'a');
    register(aggregator, 'b', 'shard-1');
    const flushed = update(aggregator, 'a', 2, { partial: true, examples: 50 });
    await aggregator.submit(flushed.meta, flushed.payload);
    register(aggregator, 'replacement'); // shard-0 again, while round 1 is open
    expect(await aggregator.model('replacement', 0, 0)).toStrictEqual({ kind: 'none' });
    const second = update(aggregator, 'replacement', 4);
    expect(await aggregator.submit(second.meta, second.payload)).toMatchObject({ status: 409, code: 'shard-covered', message: 'shard shard-0 already has an update from a in round 1; counting both would weigh its data twice' });
    const committed = nextCommit(aggregator);
    const waiting = aggregator.model('replacement', 0, 5_000);
    const b = update(aggregator, 'b', 6, { shard: 'shard-1' });
    await aggregator.submit(b.meta, b.payload);
    expect((await committed).participants.map((p) => p.clientId)).toStrictEqual(['a', 'b']);
    expect(await waiting).toMatchObject({ kind: 'model', header: { round: 2 } });
  });

  it('waits for a trainer already training a shard that another covers, and refuses its update as shard-covered', async () => {
    const { aggregator } = await start();
    register(aggregator, 'a');
    register(aggregator, 'b', 'shard-1');
    register(aggregator, 'newcomer'); // shard-0 again: a handover while 'a' is still training
    expect(await aggregator.model('newcomer', 0, 0)).toMatchObject({ kind: 'model', header: { round: 1 } });
    const flushed = update(aggregator, 'a', 2, { partial: true, examples: 50 });
    await aggregator.submit(flushed.meta, flushed.payload);
    const b = update(aggregator, 'b', 6, { shard: 'shard-1' });
    await aggregator.submit(b.meta, b.payload);
    expect(aggregator.openRound).toBe(1); // not closed under the newcomer, whose work would then be dropped as stale
    const committed = nextCommit(aggregator);
    const late = update(aggregator, 'newcomer', 4);
    expect(await aggregator.submit(late.meta, late.payload)).toMatchObject({ status: 409, code: 'shard-covered' });
    // Answered for: the round no longer waits for the newcomer and commits with a's partial and b.
    expect((await committed).participants.map((p) => p.clientId)).toStrictEqual(['a', 'b']);
  });

  it('answers long-polls: nothing yet, the model once the round opens, done at the end', async () => {
    const { aggregator } = await start(undefined, { ...baseConfig, rounds: 1 });
    register(aggregator, 'a');
    register(aggregator, 'b', 'shard-1');
    expect(await aggregator.model('a', 2, 5)).toStrictEqual({ kind: 'none' });
    const first = await aggregator.model('a', 0, 0);
    expect(first).toMatchObject({ kind: 'model', header: { round: 1, baseRound: 0, epoch: 0, fit: { localEpochs: 1, batchSize: 16, learningRate: 0.1, optimizer: 'sgd' } } });
    expect(await aggregator.model('nobody', 0, 0)).toMatchObject({ code: 'unregistered' });
    const waiting = aggregator.model('a', 2, 5_000);
    for (const [id, shard] of [['a', 'shard-0'], ['b', 'shard-1']] as const) {
      const u = update(aggregator, id, 1, { shard });
      await aggregator.submit(u.meta, u.payload);
    }
    expect(await waiting).toStrictEqual({ kind: 'done' });
    expect(aggregator.done).toBe(true);
  });

  it('picks up a partial update a trainer stored in Blob itself', async () => {
    const { aggregator, store } = await start(undefined, baseConfig, { scanMs: 0 });
    register(aggregator, 'a');
    register(aggregator, 'b', 'shard-1');
    const a = update(aggregator, 'a', 1);
    await aggregator.submit(a.meta, a.payload);
    const b = update(aggregator, 'b', 3, { shard: 'shard-1', partial: true, examples: 20 });
    await storeUpdate(store, b.meta, b.payload);
    const committed = nextCommit(aggregator);
    clock += 1;
    aggregator.tick();
    expect((await committed).participants.map((p) => [p.clientId, p.examples, p.partial])).toStrictEqual([
      ['a', FULL, false],
      ['b', 20, true],
    ]);
  });
});
