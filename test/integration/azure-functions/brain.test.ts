/**
 * The failover brain against real parts: Azurite (blob state with ETag compare-and-swap, the continuation queue),
 * the ARM emulator through the real @azure/arm-containerservice client, and a Kubernetes API stand-in over HTTPS.
 * Services are built from environment settings only (createBrainServices(loadConfig(env))), as the local drill
 * and Azure build them; the queue trigger is played by a small driver that reads the queue like the host does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { startAzurite, type Azurite } from '../../../local/azurite';
import { startArmEmulator, type ArmEmulator } from '../../../local/arm';
import { blobPaths } from '../../../protocol/blob-layout';
import type { RunStatus } from '../../../protocol/run-status';
import type { Signal, SignalType } from '../../../protocol/signal';
import { sign } from '../../../protocol/signing';
import { createBrainServices } from '../../../azure-functions/src/app-context';
import { loadConfig } from '../../../azure-functions/src/config';
import type { FailoverState } from '../../../azure-functions/src/domain/state';
import { createContinuationHandler } from '../../../azure-functions/src/handlers/continuation';
import { createSignalsHandler } from '../../../azure-functions/src/handlers/signals';
import { createStatusHandler } from '../../../azure-functions/src/handlers/status';
import type { StatusView } from '../../../azure-functions/src/use-cases/read-status';
import type { BrainServices } from '../../../azure-functions/src/use-cases/services';
import { StateConflictError } from '../../../azure-functions/src/errors';
import { AKS_AAD_SERVER_SCOPE } from '../../../azure-functions/src/adapters/trainer-scaler';
import { ArmRefusedError, armGpuPool } from '../../../azure-functions/src/adapters/agent-pool';
import { ContainerServiceClient } from '@azure/arm-containerservice';
import { emulatorCredential } from '../../../local/arm';
import { startKubeStandIn, type KubeStandIn } from './kube-stand-in';
import { freePort } from '../../../local/net';

const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';
const RG = 'ai-fl-mc-dev-rg';
const CLUSTER = 'ai-fl-mc-dev-aks';
const SECRET = 'integration-signal-key-of-32-characters';
const INSTANCES = ['i-0a00000000000000a', 'i-0b00000000000000b', 'i-0c00000000000000c'];
const spotPool = (name: string, autoscale = false) => ({
  name,
  mode: 'User' as const,
  vmSize: 'Standard_NC4as_T4_v3',
  count: 0,
  scaleSetPriority: 'Spot' as const,
  ...(autoscale ? { enableAutoScaling: true, minCount: 0, maxCount: 5 } : {}),
});

let azurite: Azurite;
let arm: ArmEmulator;
let kube: KubeStandIn;
let tempDir: string;
const scopes: string[] = [];

/** What the managed identity would do: hand out tokens, here recording the scopes asked for. */
const recordingCredential: TokenCredential = {
  getToken: async (scope): Promise<AccessToken> => {
    scopes.push(...(Array.isArray(scope) ? scope : [scope]));
    return { token: 'entra-token-for-aks', expiresOnTimestamp: Date.now() + 3600_000 };
  },
};

beforeAll(async () => {
  [azurite, arm, kube] = await Promise.all([
    startAzurite(),
    startArmEmulator({
      seed: {
        clusters: [
          {
            subscriptionId: SUBSCRIPTION,
            resourceGroup: RG,
            name: CLUSTER,
            agentPools: [
              { name: 'system', mode: 'System', vmSize: 'Standard_B2s', count: 1 },
              ...['gpucas', 'gpucrash', 'gpuredrive', 'gputhrot', 'gpufail', 'gpusig', 'gpuadapt'].map((name) => spotPool(name)),
              spotPool('gpuauto', true),
              spotPool('gpudead', true),
              { name: 'gpuondem', mode: 'User', vmSize: 'Standard_NC4as_T4_v3', count: 0, enableAutoScaling: true, minCount: 0, maxCount: 5 },
            ],
          },
        ],
      },
      provisioningDelayMs: 400,
      updateDelayMs: 100,
      asyncRetryAfterSeconds: 0,
      putThrottle: false,
    }),
    startKubeStandIn(),
  ]);
  tempDir = mkdtempSync(path.join(tmpdir(), 'spot-on-brain-'));
  writeFileSync(path.join(tempDir, 'arm-ca.pem'), arm.caPem);
  writeFileSync(path.join(tempDir, 'kube-ca.pem'), kube.caPem);
});

afterAll(async () => {
  await Promise.all([azurite?.stop(), arm?.stop(), kube?.stop()]);
  if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
});

afterEach(() => arm.faults.clear());

/** The app settings of one scenario: its own run, pool and queue. */
function settings(name: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    SPOTON_SIGNAL_KEYS: SECRET,
    SPOTON_SUBSCRIPTION_ID: SUBSCRIPTION,
    SPOTON_RESOURCE_GROUP: RG,
    SPOTON_CLUSTER_NAME: CLUSTER,
    SPOTON_GPU_POOL_NAME: name,
    SPOTON_TRAINER_NAMESPACE: 'fl',
    SPOTON_TRAINER_DEPLOYMENT: `trainer-${name}`,
    SPOTON_STORAGE_CONNECTION_STRING: azurite.connectionString,
    SPOTON_CONTAINER: 'spot-on',
    SPOTON_CONTINUATION_QUEUE: `cont-${name}`,
    SPOTON_RUN_ID: `run-${name}`,
    SPOTON_MAX_AZURE_NODES: '3',
    SPOTON_MIN_AWS_TRAINERS: '2',
    SPOTON_CONTINUATION_DELAY_SECONDS: '0',
    SPOTON_CONTINUATION_MAX_DELAY_SECONDS: '1',
    SPOTON_ARM_ENDPOINT: arm.url,
    SPOTON_ARM_CA_FILE: path.join(tempDir, 'arm-ca.pem'),
    SPOTON_KUBERNETES_ENDPOINT: kube.url,
    SPOTON_KUBERNETES_CA_FILE: path.join(tempDir, 'kube-ca.pem'),
    ...overrides,
  };
}

/** A fresh "process": new clients and adapters from the settings (what a restart of the function app does). */
const boot = (env: Record<string, string>, clock?: () => Date): BrainServices =>
  createBrainServices(loadConfig(env), { credential: recordingCredential, ...(clock === undefined ? {} : { clock }) });

const context = (name: string, dequeueCount = 1) => new InvocationContext({ functionName: name, logHandler: () => undefined, triggerMetadata: { dequeueCount } });

function signalOf(runId: string, type: SignalType, id: string, extra: Partial<Signal> = {}): Signal {
  const now = new Date().toISOString();
  return { version: 1, id, type, runId, issuedAt: now, source: { eventId: `evt-${id}`, source: 'aws.ec2', detailType: 'EC2 Spot Instance Interruption Warning', time: now }, ...extra };
}

function request(body: string, headers: Record<string, string> = sign(SECRET, body) as unknown as Record<string, string>): HttpRequest {
  return new HttpRequest({ method: 'POST', url: 'http://localhost/api/signals', body: { string: body }, headers: { 'content-type': 'application/json', ...headers } });
}

async function post(services: BrainServices, body: string, headers?: Record<string, string>): Promise<HttpResponseInit> {
  return (await createSignalsHandler(() => services)(request(body, headers), context('signals'))) as HttpResponseInit;
}

async function status(services: BrainServices): Promise<StatusView> {
  const answer = (await createStatusHandler(() => services)(new HttpRequest({ method: 'GET', url: 'http://localhost/api/status', query: { transitions: '50' } }), context('status'))) as HttpResponseInit;
  return answer.jsonBody as StatusView;
}

async function readState(services: BrainServices): Promise<FailoverState | undefined> {
  return (await services.stateStore.read(services.settings.runId))?.state;
}

async function writeRunStatus(runId: string, status: RunStatus): Promise<void> {
  const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('spot-on');
  await container.createIfNotExists();
  const body = JSON.stringify(status);
  await container.getBlockBlobClient(blobPaths.status(runId)).upload(body, Buffer.byteLength(body));
}

function runStatusFor(runId: string, reportingAws: number): RunStatus {
  const at = new Date().toISOString();
  return {
    version: 1,
    runId,
    round: 3,
    epoch: 0,
    updatedAt: at,
    trainers: INSTANCES.map((instanceId, index) => ({ clientId: `aws-${index}`, cloud: 'aws', shard: `shard-${index}`, residency: index === 0 ? 'aws' : 'any', instanceId, lastSeenAt: at })),
    shards: INSTANCES.map((_, index) => ({ shard: `shard-${index}`, residency: index === 0 ? 'aws' : 'any', movableToAzure: index !== 0 })),
    reporting: { aws: reportingAws, azure: 0 },
  };
}

/**
 * Plays the Functions host's queue trigger: receives due messages, base64-decodes and JSON-parses them, calls the
 * handler, deletes a message on success and makes it visible again on failure; until `done()` or the timeout.
 */
async function drain(env: Record<string, string>, services: () => BrainServices, done: (state: FailoverState | undefined) => boolean, timeoutMs = 15_000): Promise<FailoverState> {
  const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(env.SPOTON_CONTINUATION_QUEUE ?? '');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await readState(services());
    if (done(state) && state !== undefined) return state;
    if (Date.now() > deadline) throw new Error(`continuations did not finish in ${timeoutMs} ms; state ${JSON.stringify(state)}`);
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 8, visibilityTimeout: 10 });
    for (const item of receivedMessageItems) {
      const entry = JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8')) as unknown;
      try {
        await createContinuationHandler(services)(entry, context('continuation', item.dequeueCount));
        await queue.deleteMessage(item.messageId, item.popReceipt);
      } catch {
        await queue.updateMessage(item.messageId, item.popReceipt, undefined, 0);
      }
    }
    if (receivedMessageItems.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const poolNamed = (name: string) => arm.getPool({ subscriptionId: SUBSCRIPTION, resourceGroup: RG, cluster: CLUSTER, pool: name });
const scaleCallsOf = (name: string) => kube.calls.filter((call) => call.path.endsWith(`/deployments/trainer-${name}/scale`)).map((call) => call.replicas);
const operationsOn = (name: string) => arm.operations().filter((operation) => operation.pool.pool === name);

describe('failover brain with Azurite, the ARM emulator and a Kubernetes stand-in', () => {
  it('makes exactly one transition per incident under 20 concurrent copies and conflicting signals (CAS, no lost update)', async () => {
    const env = settings('gpucas');
    const services = boot(env);
    await writeRunStatus(env.SPOTON_RUN_ID ?? '', runStatusFor(env.SPOTON_RUN_ID ?? '', 3));
    const runId = env.SPOTON_RUN_ID ?? '';
    const lost = JSON.stringify(signalOf(runId, 'capacity-lost', 'sig-lost', { instanceIds: [INSTANCES[1] ?? ''] }));
    const bodies = [
      ...Array.from({ length: 20 }, () => lost),
      ...Array.from({ length: 5 }, () => JSON.stringify(signalOf(runId, 'aws-unhealthy', 'sig-alarm', { alarmName: 'aws-training-unhealthy' }))),
      ...Array.from({ length: 5 }, () => JSON.stringify(signalOf(runId, 'aws-recovered', 'sig-ok', { alarmName: 'aws-training-unhealthy' }))),
      ...Array.from({ length: 5 }, () => JSON.stringify(signalOf(runId, 'checkpoint-flushed', 'sig-flushed', { instanceIds: [INSTANCES[1] ?? ''] }))),
    ];
    // Each request in its own "process" so nothing is shared but the blob; count the races lost on the ETag.
    let conflicts = 0;
    const counting = (error: unknown): never => {
      if (error instanceof StateConflictError) conflicts += 1;
      throw error;
    };
    const contender = (): BrainServices => {
      const own = boot(env);
      const store = own.stateStore;
      return { ...own, stateStore: { read: (id) => store.read(id), create: (state) => store.create(state).catch(counting), replace: (state, etag) => store.replace(state, etag).catch(counting) } };
    };
    const answers = await Promise.all(bodies.map((body) => post(contender(), body)));
    expect(conflicts).toBeGreaterThan(0);
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((code) => code !== 200 && code !== 202)).toStrictEqual([]);
    expect(statuses.filter((code) => code === 202)).toHaveLength(4);

    const state = await readState(services);
    expect([...(state?.seenSignalIds ?? [])].sort()).toStrictEqual(['sig-alarm', 'sig-flushed', 'sig-lost', 'sig-ok']);
    expect(state?.transitions.map((t) => [t.from, t.to, t.outcome])).toStrictEqual([['aws-primary', 'failing-over', 'started']]);
    expect(state?.incidents).toHaveLength(1);
    // However the race went, the end is a full failover: the movable shards (2) on Azure, the pinned one paused.
    // aws-recovered was ignored (it came first), deferred (cooldown) or superseded by the alarm: never lost.
    expect([state?.coverage, state?.desiredAzureNodes, state?.pausedShards]).toStrictEqual(['full', 2, ['shard-0']]);
    expect([undefined, 'sig-ok']).toContain(state?.deferredSignal?.id);

    const done = await drain(env, () => services, (s) => s?.phase === 'azure-active');
    expect(done.transitions.map((t) => [t.from, t.to, t.outcome, t.epoch])).toStrictEqual([
      ['aws-primary', 'failing-over', 'started', 1],
      ['failing-over', 'azure-active', 'completed', 2],
    ]);
    expect([poolNamed('gpucas')?.count, poolNamed('gpucas')?.provisioningState, scaleCallsOf('gpucas').at(-1)]).toStrictEqual([2, 'Succeeded', 2]);
    expect(kube.calls.find((call) => call.path.includes('trainer-gpucas'))).toMatchObject({
      path: '/apis/apps/v1/namespaces/fl/deployments/trainer-gpucas/scale',
      contentType: 'application/merge-patch+json',
      authorization: 'Bearer entra-token-for-aks',
    });
    expect(scopes).toContain(AKS_AAD_SERVER_SCOPE);
  });

  it('finishes a crash between the pool PUT and the state write through the continuation, after a restart', async () => {
    const env = settings('gpucrash');
    const crashing = boot(env);
    let putDone = false;
    const requestScale = crashing.pool.requestScale.bind(crashing.pool);
    const replace = crashing.stateStore.replace.bind(crashing.stateStore);
    const services: BrainServices = {
      ...crashing,
      pool: { ...crashing.pool, requestScale: async (target) => ((putDone = true), requestScale(target)) },
      // The process dies right after ARM accepted the PUT: the write of "submitted" never happens.
      stateStore: { ...crashing.stateStore, replace: async (state, etag) => (putDone ? Promise.reject(new Error('process killed')) : replace(state, etag)) },
    };
    await expect(post(services, JSON.stringify(signalOf(env.SPOTON_RUN_ID ?? '', 'aws-unhealthy', 'sig-crash')))).rejects.toThrow('process killed');
    expect((await readState(boot(env)))?.pendingOperation).toMatchObject({ stage: 'requested', targetNodes: 2 });
    expect(poolNamed('gpucrash')?.count).toBe(2);

    const restarted = boot(env);
    const done = await drain(env, () => restarted, (s) => s?.phase === 'azure-active');
    expect([done.epoch, operationsOn('gpucrash').length, scaleCallsOf('gpucrash')]).toStrictEqual([2, 1, [2]]);
  });

  it('finishes an intent whose writer died before queueing anything, on the next delivery of the signal', async () => {
    const env = settings('gpuredrive', { SPOTON_LEASE_SECONDS: '1' });
    const dying = boot(env);
    const services: BrainServices = { ...dying, continuations: { send: () => Promise.reject(new Error('process killed')) } };
    const body = JSON.stringify(signalOf(env.SPOTON_RUN_ID ?? '', 'aws-silent', 'sig-silent'));
    await expect(post(services, body)).rejects.toThrow('process killed');
    expect(operationsOn('gpuredrive')).toHaveLength(0);

    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the dead writer's lease runs out
    const again = await post(boot(env), JSON.stringify({ ...JSON.parse(body) }));
    expect([again.status, (again.jsonBody as { status: string }).status]).toStrictEqual([200, 'duplicate']);
    const done = await drain(env, () => boot(env), (s) => s?.phase === 'azure-active');
    expect([done.epoch, operationsOn('gpuredrive').length, poolNamed('gpuredrive')?.count]).toStrictEqual([2, 1, 2]);
  });

  it('refuses forged, expired and late-replayed signatures (401) and bad bodies (400/413), changing nothing', async () => {
    const env = settings('gpusig');
    const services = boot(env);
    const runId = env.SPOTON_RUN_ID ?? '';
    const body = JSON.stringify(signalOf(runId, 'aws-unhealthy', 'sig-1'));
    const forged = sign('not-the-shared-secret-at-all', body) as unknown as Record<string, string>;
    const expired = sign(SECRET, body, Date.now() - 600_000) as unknown as Record<string, string>;
    const captured = sign(SECRET, body) as unknown as Record<string, string>;
    const later = boot(env, () => new Date(Date.now() + 400_000));
    const answers = [
      await post(services, body, forged),
      await post(services, body, expired),
      await post(later, body, captured),
      await post(services, '{"version":1,"id":', undefined),
      await post(services, JSON.stringify({ ...JSON.parse(body), version: 2 })),
      await post(services, JSON.stringify({ ...JSON.parse(body), runId: 'run-other' })),
      await post(services, 'x'.repeat(70_000)),
    ];
    expect(answers.map((answer) => [answer.status, (answer.jsonBody as { error: string }).error])).toStrictEqual([
      [401, 'unauthorized'],
      [401, 'unauthorized'],
      [401, 'unauthorized'],
      [400, 'invalid-body'],
      [400, 'invalid-body'],
      [400, 'wrong-run'],
      [413, 'payload-too-large'],
    ]);
    expect((answers[1]?.jsonBody as { reason: string }).reason).toBe('timestamp outside the 300 s window');
    expect(await readState(services)).toBeUndefined();
    expect(operationsOn('gpusig')).toHaveLength(0);

    // Inside the window, a byte-identical replay is an at-least-once redelivery: 200 duplicate, nothing changes.
    expect((await post(services, body, captured)).status).toBe(202);
    const before = await services.stateStore.read(runId);
    const replay = await post(services, body, captured);
    expect([replay.status, (await services.stateStore.read(runId))?.etag]).toStrictEqual([200, before?.etag]);
  });

  it('answers 503 with Retry-After, naming the dependency but not its address, when the queue is down on a fresh host', async () => {
    const closed = await freePort();
    const connectionString = azurite.connectionString.replace(/QueueEndpoint=[^;]+/, `QueueEndpoint=http://127.0.0.1:${closed}/devstoreaccount1`);
    expect(connectionString).not.toBe(azurite.connectionString);
    const services = boot(settings('gpuqdown', { SPOTON_STORAGE_CONNECTION_STRING: connectionString }));
    const answer = await post(services, JSON.stringify(signalOf(services.settings.runId, 'aws-unhealthy', 'sig-1')));
    expect([answer.status, answer.jsonBody, Number((answer.headers as Record<string, string>)['retry-after']) >= 1]).toStrictEqual([503, { error: 'unavailable', reason: 'queue is unavailable' }, true]);
    expect(await readState(boot(settings('gpuqdown')))).toBeUndefined();
  });

  it('survives ARM throttling (429) and a restart of the function app in the middle of the operation', async () => {
    const env = settings('gputhrot', { SPOTON_MIN_AWS_TRAINERS: '3' });
    // More 429s than the SDK retries (3): the first drive gives up as "busy", the continuation PUTs later.
    arm.faults.enqueue({ kind: 'throttle', count: 5, retryAfterSeconds: 0 });
    const first = boot(env);
    const answer = await post(first, JSON.stringify(signalOf(env.SPOTON_RUN_ID ?? '', 'aws-unhealthy', 'sig-throttled')));
    expect([answer.status, (answer.jsonBody as { drives: { pool: string }[] }).drives[0]?.pool]).toStrictEqual([202, 'busy']);
    expect((await readState(first))?.pendingOperation?.lastObservation).toMatch(/^PUT not taken now: throttled by ARM \(Throttled\)/);

    // One continuation in the first process: the PUT now gets through (after one more 429) and the operation runs.
    let restarted: BrainServices | undefined;
    const done = await drain(env, () => {
      if (restarted !== undefined) return restarted;
      if (poolNamed('gputhrot')?.provisioningState === 'Scaling') restarted = boot(env); // "restart" mid-operation
      return restarted ?? first;
    }, (s) => s?.phase === 'azure-active');
    expect(restarted).toBeDefined();
    const puts = arm.requests().filter((entry) => entry.method === 'PUT' && entry.url.includes('/agentPools/gputhrot?'));
    expect(puts.map((entry) => entry.status)).toStrictEqual([429, 429, 429, 429, 429, 200]);
    expect([done.epoch, poolNamed('gputhrot')?.count, scaleCallsOf('gputhrot')]).toStrictEqual([2, 3, [3]]);
  });

  it('turns a capacity failure (OverconstrainedAllocationRequest) into a failed transition visible in /api/status', async () => {
    const env = settings('gpufail');
    const services = boot(env);
    arm.faults.enqueue({ kind: 'operation-failure', code: 'OverconstrainedAllocationRequest', pool: 'gpufail' });
    expect((await post(services, JSON.stringify(signalOf(env.SPOTON_RUN_ID ?? '', 'aws-unhealthy', 'sig-fail')))).status).toBe(202);
    await drain(env, () => services, (s) => s?.phase === 'aws-primary' && s.epoch > 0);

    const view = await status(services);
    expect(view.transitions.map((t) => [t.from, t.to, t.outcome, t.error?.code])).toStrictEqual([
      ['aws-primary', 'failing-over', 'started', undefined],
      ['failing-over', 'failing-back', 'failed', 'OverconstrainedAllocationRequest'],
      ['failing-back', 'aws-primary', 'completed', undefined],
    ]);
    expect(view.lastFailure).toMatchObject({ code: 'OverconstrainedAllocationRequest', purpose: 'failover', message: expect.stringMatching(/^Allocation failed\./) });
    expect(view.incidents.at(-1)).toMatchObject({ id: 'sig-fail', outcome: 'failed', error: { code: 'OverconstrainedAllocationRequest' } });
    expect([view.phase, view.epoch, view.pool]).toStrictEqual(['aws-primary', 3, expect.objectContaining({ count: 0 })]);
    expect(scaleCallsOf('gpufail')).toStrictEqual([0, 0]);
  });

  it('runs a whole cycle on an autoscaled pool: minCount up on failover, back to 0 on failback', async () => {
    const env = settings('gpuauto', { SPOTON_FAILBACK_COOLDOWN_SECONDS: '0', SPOTON_MIN_PHASE_DURATION_SECONDS: '0' });
    const services = boot(env);
    const runId = env.SPOTON_RUN_ID ?? '';
    await writeRunStatus(runId, runStatusFor(runId, 0));
    await post(services, JSON.stringify(signalOf(runId, 'aws-silent', 'sig-silent')));
    kube.failNext(1, 503); // the API server hiccups once: the continuation is delivered again and completes
    await drain(env, () => services, (s) => s?.phase === 'azure-active');
    expect([poolNamed('gpuauto')?.spec.minCount, poolNamed('gpuauto')?.count, poolNamed('gpuauto')?.spec.enableAutoScaling]).toStrictEqual([2, 2, true]);

    await writeRunStatus(runId, runStatusFor(runId, 3));
    const back = await post(services, JSON.stringify(signalOf(runId, 'aws-recovered', 'sig-recovered')));
    expect((back.jsonBody as { phase: string }).phase).toBe('failing-back');
    const done = await drain(env, () => services, (s) => s?.phase === 'aws-primary');
    expect([done.epoch, poolNamed('gpuauto')?.spec.minCount, scaleCallsOf('gpuauto'), done.incidents.at(-1)?.outcome]).toStrictEqual([4, 0, [2, 0, 0], 'recovered']);
  });

  it('moves a failover the Spot pool refuses to the on-demand pool when the run is behind its deadline, and releases both', async () => {
    const env = settings('gpudead', { SPOTON_ON_DEMAND_POOL_NAME: 'gpuondem', SPOTON_FAILBACK_COOLDOWN_SECONDS: '0', SPOTON_MIN_PHASE_DURATION_SECONDS: '0' });
    const services = boot(env);
    const runId = env.SPOTON_RUN_ID ?? '';
    // Round 3 of 20 an hour into a two-hour deadline: behind the uniform progress line.
    const startedAt = new Date(Date.now() - 3600_000);
    const behind = (reportingAws: number): RunStatus => ({
      ...runStatusFor(runId, reportingAws),
      schedule: { rounds: 20, startedAt: startedAt.toISOString(), deadlineAt: new Date(startedAt.getTime() + 2 * 3600_000).toISOString() },
    });
    await writeRunStatus(runId, behind(0));
    arm.faults.enqueue({ kind: 'operation-failure', code: 'SkuNotAvailable', pool: 'gpudead' });
    await post(services, JSON.stringify(signalOf(runId, 'aws-silent', 'sig-deadline')));
    const active = await drain(env, () => services, (s) => s?.phase === 'azure-active');
    expect([active.epoch, active.azureCapacity, active.notes.some((note) => note.kind === 'safety-net')]).toStrictEqual([2, 'on-demand', true]);
    expect([poolNamed('gpudead')?.spec.minCount, poolNamed('gpuondem')?.spec.minCount, poolNamed('gpuondem')?.count]).toStrictEqual([0, 2, 2]);

    await writeRunStatus(runId, behind(3));
    await post(services, JSON.stringify(signalOf(runId, 'aws-recovered', 'sig-deadline-recovered')));
    const done = await drain(env, () => services, (s) => s?.phase === 'aws-primary');
    expect([done.epoch, 'azureCapacity' in done, poolNamed('gpuondem')?.spec.minCount, done.incidents.at(-1)?.outcome]).toStrictEqual([4, false, 0, 'recovered']);
  });
});

describe('the ARM agent-pool adapter against the emulator', () => {
  const adapter = (pool: string) =>
    armGpuPool({
      client: new ContainerServiceClient(emulatorCredential(), SUBSCRIPTION, { endpoint: arm.url, tlsOptions: { ca: arm.caPem }, retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 50 } }),
      resourceGroup: RG,
      clusterName: CLUSTER,
      poolName: pool,
      timeoutMs: 5_000,
    });
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('starts the operation without waiting, then reads its outcome through the resume token', async () => {
    const pool = adapter('gpuadapt');
    const submitted = await pool.requestScale(2);
    expect(submitted).toMatchObject({ kind: 'submitted', resumeToken: expect.stringContaining('operations') });
    expect(poolNamed('gpuadapt')).toMatchObject({ provisioningState: 'Scaling', count: 2, readyNodeCount: 0 });
    const token = submitted.kind === 'submitted' ? (submitted.resumeToken ?? '') : '';
    // While it runs: another request is "busy" (the GET shows Scaling, no PUT is sent), the token says running.
    expect(await pool.requestScale(3)).toStrictEqual({ kind: 'busy', reason: 'an operation runs on agent pool ai-fl-mc-dev-aks/gpuadapt (Scaling)' });
    expect(await pool.checkOperation(token)).toStrictEqual({ status: 'running' });
    await wait(500);
    expect(await pool.checkOperation(token)).toStrictEqual({ status: 'succeeded' });
    expect(await pool.requestScale(2)).toMatchObject({ kind: 'already-at-target' });

    arm.faults.enqueue({ kind: 'operation-failure', code: 'SkuNotAvailable', pool: 'gpuadapt' });
    const failing = await pool.requestScale(3);
    await wait(500);
    expect(await pool.checkOperation(failing.kind === 'submitted' ? (failing.resumeToken ?? '') : '')).toStrictEqual({
      status: 'failed',
      error: { code: 'SkuNotAvailable', message: expect.stringMatching(/^The requested VM size/) },
    });
    expect(await pool.read()).toMatchObject({ provisioningState: 'Failed', count: 2 });
  });

  it('reports a lost eTag race as busy and permanent ARM errors as rejected, with the code', async () => {
    const pool = adapter('gpuadapt');
    await wait(150);
    // Two writers read the same eTag: one PUT wins, the other gets 412 and is told to look again.
    const [first, second] = await Promise.all([pool.requestScale(1), pool.requestScale(1)]);
    expect([first.kind, second.kind].sort()).toStrictEqual(['busy', 'submitted']);
    expect([first, second].find((result) => result.kind === 'busy')).toStrictEqual({
      kind: 'busy',
      reason: 'agent pool ai-fl-mc-dev-aks/gpuadapt changed since it was read (eTag): will read it again',
    });
    expect(await adapter('nopool').requestScale(1)).toMatchObject({ kind: 'rejected', error: { code: 'ResourceNotFound' } });
    await expect(adapter('nopool').read()).rejects.toBeInstanceOf(ArmRefusedError);
    arm.faults.enqueue({ kind: 'server-error', count: 10, status: 503 });
    await expect(adapter('gpuadapt').read()).rejects.toMatchObject({ name: 'TransientDependencyError', dependency: 'arm' });
  });
});
