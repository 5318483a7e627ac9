/**
 * The failover brain's signal handling against real parts, in one run: Azurite (state blob with ETag CAS, the
 * continuation queue), the ARM emulator through the real @azure/arm-containerservice client, and the Kubernetes
 * API server of the cluster simulator (the trainer Deployment fl/fl-trainer). The services are built from settings
 * only (createBrainServices(loadConfig(env))), as Azure and the local drill build them, and the production handlers
 * run unchanged: `createSignalsHandler` over `HttpRequest`s signed with protocol/signing.ts, and
 * `createContinuationHandler` over the queue messages, read the way the Functions host's queue trigger reads them.
 *
 * Measured:
 * - signals: latency of N signals that change no phase: `drill` signals with fresh ids (202 recorded) alternating
 *   with re-sends of one id (200 duplicate), on a warm process;
 * - failoverSignal: latency of the `aws-unhealthy` signal that starts a failover (CAS intent, continuation queued,
 *   pool GET + PUT accepted), each on a fresh run with its own pool, on a warm process;
 * - armCalls: the ARM requests of one complete failover (signal to azure-active) and one failback (aws-recovered
 *   to aws-primary), by method and resource. The GET-pool count depends on how long the pool operation runs
 *   against the continuation interval (here 1 s, provisioning 1.2 s; in Azure 15 s x1.5 up to 120 s against
 *   minutes of GPU node provisioning).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { startAzurite, type Azurite } from '../../local/azurite';
import { spotOnDevSeed, startArmEmulator, type ArmEmulator, type ArmSeed, type RequestLogEntry } from '../../local/arm';
import { startKubeApiServer, type KubeApiServer } from '../../local/cluster/kube-api';
import { ClusterState } from '../../local/cluster/state';
import { blobPaths } from '../../protocol/blob-layout';
import type { RunStatus } from '../../protocol/run-status';
import type { Signal, SignalType } from '../../protocol/signal';
import { sign } from '../../protocol/signing';
import { createBrainServices } from '../../azure-functions/src/app-context';
import { loadConfig } from '../../azure-functions/src/config';
import type { FailoverState } from '../../azure-functions/src/domain/state';
import { createContinuationHandler } from '../../azure-functions/src/handlers/continuation';
import { createSignalsHandler } from '../../azure-functions/src/handlers/signals';
import type { BrainServices } from '../../azure-functions/src/use-cases/services';

/** ARM requests of one operation, by `<METHOD> <resource>`: `GET pool`, `PUT pool`, `GET operation`, ... */
export interface ArmCalls {
  readonly total: number;
  readonly byMethod: Readonly<Record<string, number>>;
}

export interface SignalBench {
  /** Signals that change no phase: fresh `drill` ids (202) and re-sends of one id (200 duplicate). */
  readonly signals: { readonly n: number; readonly p50Ms: number; readonly p95Ms: number; readonly maxMs: number };
  /** The `aws-unhealthy` signal that starts a failover, each on a fresh run and pool. */
  readonly failoverSignal: { readonly n: number; readonly p50Ms: number; readonly p95Ms: number };
  /** ARM requests of one complete failover (to azure-active) and one failback (to aws-primary). */
  readonly armCalls: { readonly failover: ArmCalls; readonly failback: ArmCalls };
}

const SECRET = 'bench-signal-key-not-a-real-one-32-chars';
const NAMESPACE = 'fl';
const DEPLOYMENT = 'fl-trainer';
const FAILOVER_REPEATS = 10;
const INSTANCES = ['i-0a00000000000000a', 'i-0b00000000000000b', 'i-0c00000000000000c'];
/** Fast ARM operations; a continuation every second, so an operation is looked at once or twice. */
const PROVISIONING_DELAY_MS = 1_200;
const UPDATE_DELAY_MS = 200;

/** Nearest-rank percentile of ascending `sorted`. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const round = (ms: number) => Number(ms.toFixed(2));

/** The dev seed, plus one copy of its GPU Spot pool per timed failover, so each starts from a pool at 0 nodes. */
function benchSeed(copies: number): { seed: ArmSeed; subscriptionId: string; resourceGroup: string; cluster: string; gpuPool: string } {
  const seed = spotOnDevSeed();
  const cluster = seed.clusters?.[0];
  const gpu = cluster?.agentPools.find((pool) => pool.scaleSetPriority === 'Spot');
  if (cluster === undefined || gpu === undefined) throw new Error('spotOnDevSeed() has no cluster with a Spot pool');
  const clones = Array.from({ length: copies }, (_, index) => ({ ...gpu, name: `gpufo${index}` }));
  return {
    seed: { ...seed, clusters: [{ ...cluster, agentPools: [...cluster.agentPools, ...clones] }] },
    subscriptionId: cluster.subscriptionId,
    resourceGroup: cluster.resourceGroup,
    cluster: cluster.name,
    gpuPool: gpu.name,
  };
}

function runStatus(runId: string, reportingAws: number): RunStatus {
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

function signalBody(runId: string, type: SignalType, id: string): string {
  const now = new Date().toISOString();
  const signal: Signal = {
    version: 1,
    id,
    type,
    runId,
    issuedAt: now,
    source: { eventId: `evt-${id}`, source: 'aws.cloudwatch', detailType: 'CloudWatch Alarm State Change', time: now },
    ...(type === 'aws-unhealthy' || type === 'aws-recovered' ? { alarmName: 'aws-training-unhealthy' } : {}),
  };
  return JSON.stringify(signal);
}

const context = (functionName: string, dequeueCount = 1) => new InvocationContext({ functionName, logHandler: () => undefined, triggerMetadata: { dequeueCount } });

/** The ARM resource a request addressed. */
function resourceOf(entry: RequestLogEntry): string {
  const pathname = entry.url.split('?')[0] ?? '';
  if (/\/operations\/[^/]+$/i.test(pathname)) return 'operation';
  if (/\/agentPools\/[^/]+$/i.test(pathname)) return 'pool';
  if (/\/agentPools$/i.test(pathname)) return 'pools';
  if (/\/managedClusters\/[^/]+$/i.test(pathname)) return 'cluster';
  return pathname.split('/').filter(Boolean).at(-1) ?? 'other';
}

function armCallsOf(entries: readonly RequestLogEntry[]): ArmCalls {
  const byMethod: Record<string, number> = {};
  for (const entry of entries) {
    const key = `${entry.method} ${resourceOf(entry)}`;
    byMethod[key] = (byMethod[key] ?? 0) + 1;
  }
  return { total: entries.length, byMethod };
}

/** Times the signal handler over `numberOfSignals` fresh-drill / duplicate signals and the failover signal, and counts the ARM calls of one cycle. */
export async function benchSignals(options: { signals?: number } = {}): Promise<SignalBench> {
  const signalCount = options.signals ?? 200;
  if (!Number.isInteger(signalCount) || signalCount < 1) throw new RangeError(`signals must be a positive integer, got ${signalCount}`);
  const topology = benchSeed(FAILOVER_REPEATS);

  const cluster = new ClusterState('ai-fl-mc-dev-aks');
  cluster.addDeployment({ namespace: NAMESPACE, name: DEPLOYMENT, replicas: 0, podsReadyAtOnce: true });
  const started = await Promise.allSettled([
    startAzurite(),
    startArmEmulator({
      seed: topology.seed,
      provisioningDelayMs: PROVISIONING_DELAY_MS,
      updateDelayMs: UPDATE_DELAY_MS,
      asyncRetryAfterSeconds: 0,
      requestLogSize: 100_000,
    }),
    startKubeApiServer(cluster, 'anonymous'),
  ]);
  const [azuriteStart, armStart, kubeStart] = started;
  const azurite: Azurite | undefined = azuriteStart.status === 'fulfilled' ? azuriteStart.value : undefined;
  const arm: ArmEmulator | undefined = armStart.status === 'fulfilled' ? armStart.value : undefined;
  const kube: KubeApiServer | undefined = kubeStart.status === 'fulfilled' ? kubeStart.value : undefined;
  let tempDir: string | undefined;
  try {
    const failure = started.find((result) => result.status === 'rejected');
    if (failure !== undefined || azurite === undefined || arm === undefined || kube === undefined) {
      throw new Error('could not start the local Azure side', { cause: failure?.status === 'rejected' ? failure.reason : undefined });
    }
    tempDir = mkdtempSync(path.join(tmpdir(), 'spot-on-bench-signals-'));
    const armCa = path.join(tempDir, 'arm-ca.pem');
    const kubeCa = path.join(tempDir, 'kube-ca.pem');
    writeFileSync(armCa, arm.caPem);
    writeFileSync(kubeCa, kube.caPem);

    /** The app settings of one run: its own pool and continuation queue. */
    const settings = (runId: string, pool: string, overrides: Record<string, string> = {}): Record<string, string> => ({
      SPOTON_SIGNAL_KEYS: SECRET,
      SPOTON_SUBSCRIPTION_ID: topology.subscriptionId,
      SPOTON_RESOURCE_GROUP: topology.resourceGroup,
      SPOTON_CLUSTER_NAME: topology.cluster,
      SPOTON_GPU_POOL_NAME: pool,
      SPOTON_TRAINER_NAMESPACE: NAMESPACE,
      SPOTON_TRAINER_DEPLOYMENT: DEPLOYMENT,
      SPOTON_STORAGE_CONNECTION_STRING: azurite.connectionString,
      SPOTON_CONTAINER: 'spot-on',
      SPOTON_CONTINUATION_QUEUE: `cont-${runId}`,
      SPOTON_RUN_ID: runId,
      SPOTON_MAX_AZURE_NODES: '3',
      SPOTON_MIN_AWS_TRAINERS: '2',
      SPOTON_CONTINUATION_DELAY_SECONDS: '1',
      SPOTON_CONTINUATION_MAX_DELAY_SECONDS: '1',
      SPOTON_ARM_ENDPOINT: arm.url,
      SPOTON_ARM_CA_FILE: armCa,
      SPOTON_KUBERNETES_ENDPOINT: kube.url,
      SPOTON_KUBERNETES_CA_FILE: kubeCa,
      SPOTON_KUBERNETES_AUTH: 'none',
      ...overrides,
    });
    const boot = (env: Record<string, string>): BrainServices => createBrainServices(loadConfig(env));

    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('spot-on');
    await container.createIfNotExists();
    const writeRunStatus = async (status: RunStatus): Promise<void> => {
      const body = JSON.stringify(status);
      await container.getBlockBlobClient(blobPaths.status(status.runId)).upload(body, Buffer.byteLength(body));
    };

    /** One signed POST /api/signals; the time is the handler's alone (signing and building the request excluded). */
    const post = async (services: BrainServices, body: string): Promise<{ answer: HttpResponseInit; ms: number }> => {
      const request = new HttpRequest({
        method: 'POST',
        url: 'http://localhost/api/signals',
        body: { string: body },
        headers: { 'content-type': 'application/json', ...sign(SECRET, body) },
      });
      const handler = createSignalsHandler(() => services);
      const t0 = performance.now();
      const answer = (await handler(request, context('signals'))) as HttpResponseInit;
      return { answer, ms: performance.now() - t0 };
    };
    const expectAnswer = (answer: HttpResponseInit, status: number, fields: Record<string, unknown>, what: string): void => {
      const body = (answer.jsonBody ?? {}) as Record<string, unknown>;
      const wrong = Object.entries(fields).filter(([key, value]) => JSON.stringify(body[key]) !== JSON.stringify(value));
      if (answer.status !== status || wrong.length > 0) throw new Error(`${what}: expected ${status} ${JSON.stringify(fields)}, got ${answer.status} ${JSON.stringify(body)}`);
    };
    /** Warms a process: storage clients (container and queue ensured), signing, the ARM connection. */
    const warm = async (services: BrainServices, runId: string): Promise<string> => {
      const body = signalBody(runId, 'drill', 'drill-warm-up');
      expectAnswer((await post(services, body)).answer, 202, { outcome: 'recorded' }, 'warm-up drill');
      await services.pool.read();
      return body;
    };

    /** Plays the queue trigger (as the Functions host does): receive, base64-decode, parse, handle, delete. */
    const drain = async (env: Record<string, string>, services: BrainServices, done: (state: FailoverState | undefined) => boolean, timeoutMs = 20_000): Promise<FailoverState> => {
      const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(env.SPOTON_CONTINUATION_QUEUE ?? '');
      const handler = createContinuationHandler(() => services);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const state = (await services.stateStore.read(services.settings.runId))?.state;
        if (state !== undefined && done(state)) return state;
        if (Date.now() > deadline) throw new Error(`continuations did not finish in ${timeoutMs} ms; state ${JSON.stringify(state)}`);
        const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 8, visibilityTimeout: 10 });
        for (const item of receivedMessageItems) {
          const entry = JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8')) as unknown;
          try {
            await handler(entry, context('continuation', item.dequeueCount));
            await queue.deleteMessage(item.messageId, item.popReceipt);
          } catch {
            await queue.updateMessage(item.messageId, item.popReceipt, undefined, 0);
          }
        }
        if (receivedMessageItems.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };

    // (a) Signals that change no phase, on one warm process.
    const steadyRun = 'bench-signals';
    const steady = boot(settings(steadyRun, topology.gpuPool));
    await writeRunStatus(runStatus(steadyRun, 3));
    const repeated = await warm(steady, steadyRun);
    const latencies: number[] = [];
    for (let i = 0; i < signalCount; i += 1) {
      const duplicate = i % 2 === 1;
      const { answer, ms } = await post(steady, duplicate ? repeated : signalBody(steadyRun, 'drill', `drill-${i}`));
      expectAnswer(answer, duplicate ? 200 : 202, { outcome: duplicate ? 'duplicate' : 'recorded', phase: 'aws-primary', epoch: 0 }, `signal ${i}`);
      latencies.push(ms);
    }
    latencies.sort((a, b) => a - b);

    // (b) The signal that starts a failover: a fresh run and a pool at 0 nodes each time.
    const failoverLatencies: number[] = [];
    for (let i = 0; i < FAILOVER_REPEATS; i += 1) {
      const runId = `bench-failover-${i}`;
      const services = boot(settings(runId, `gpufo${i}`));
      await writeRunStatus(runStatus(runId, 0));
      await warm(services, runId);
      const { answer, ms } = await post(services, signalBody(runId, 'aws-unhealthy', `unhealthy-${i}`));
      expectAnswer(answer, 202, { outcome: 'applied', phase: 'failing-over', epoch: 1 }, `failover signal ${i}`);
      const drives = (answer.jsonBody as { drives?: { pool?: string }[] }).drives ?? [];
      if (drives[0]?.pool !== 'submitted') throw new Error(`failover signal ${i}: the pool PUT was not accepted: ${JSON.stringify(answer.jsonBody)}`);
      failoverLatencies.push(ms);
    }
    failoverLatencies.sort((a, b) => a - b);

    // (c) ARM requests of one whole cycle on the dev seed's GPU pool.
    const cycleRun = 'bench-cycle';
    const cycleEnv = settings(cycleRun, topology.gpuPool, { SPOTON_FAILBACK_COOLDOWN_SECONDS: '0', SPOTON_MIN_PHASE_DURATION_SECONDS: '0' });
    const cycle = boot(cycleEnv);
    await writeRunStatus(runStatus(cycleRun, 0));
    await warm(cycle, cycleRun);

    let before = arm.requests().length;
    expectAnswer((await post(cycle, signalBody(cycleRun, 'aws-unhealthy', 'cycle-unhealthy'))).answer, 202, { phase: 'failing-over' }, 'cycle failover');
    await drain(cycleEnv, cycle, (state) => state?.phase === 'azure-active');
    const failover = armCallsOf(arm.requests().slice(before));
    if (cluster.deployment(NAMESPACE, DEPLOYMENT)?.replicas !== 2) throw new Error('failover: the Azure trainers were not scaled to 2');

    await writeRunStatus(runStatus(cycleRun, 3));
    before = arm.requests().length;
    expectAnswer((await post(cycle, signalBody(cycleRun, 'aws-recovered', 'cycle-recovered'))).answer, 202, { phase: 'failing-back' }, 'cycle failback');
    await drain(cycleEnv, cycle, (state) => state?.phase === 'aws-primary');
    const failback = armCallsOf(arm.requests().slice(before));
    if (cluster.deployment(NAMESPACE, DEPLOYMENT)?.replicas !== 0) throw new Error('failback: the Azure trainers were not scaled to 0');

    return {
      signals: { n: latencies.length, p50Ms: round(percentile(latencies, 50)), p95Ms: round(percentile(latencies, 95)), maxMs: round(latencies.at(-1) ?? Number.NaN) },
      failoverSignal: { n: failoverLatencies.length, p50Ms: round(percentile(failoverLatencies, 50)), p95Ms: round(percentile(failoverLatencies, 95)) },
      armCalls: { failover, failback },
    };
  } finally {
    await Promise.allSettled([azurite?.stop(), arm?.stop(), kube?.stop()]);
    if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
  }
}
