/**
 * The failover brain against real parts, for the brain benchmarks: Azurite (state blob with ETag CAS, continuation
 * queues), the ARM emulator through the real @azure/arm-containerservice client, and the Kubernetes API server of
 * the cluster simulator (the trainer Deployment fl/fl-trainer). Services are built from settings only
 * (createBrainServices(loadConfig(env))), as Azure and the local drill build them, and the production handlers run
 * unchanged: `createSignalsHandler` over signed `HttpRequest`s, `createContinuationHandler` over queue messages read
 * the way the Functions host's queue trigger reads them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { startAzurite, type Azurite } from '../../local/azurite';
import { spotOnDevSeed, startArmEmulator, type ArmEmulator, type ArmSeed } from '../../local/arm';
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

const SECRET = 'bench-signal-key-not-a-real-one-32-chars';
export const NAMESPACE = 'fl';
export const DEPLOYMENT = 'fl-trainer';
const INSTANCES = ['i-0a00000000000000a', 'i-0b00000000000000b', 'i-0c00000000000000c'];

/** Nearest-rank percentile of ascending `sorted`. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export const roundMs = (ms: number) => Number(ms.toFixed(2));

/** The dev seed, plus `copies` clones of its GPU Spot pool (`gpufo0`, `gpufo1`, ...), each at 0 nodes. */
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

/** The aggregator's status of a run with three AWS trainers, `reportingAws` of which report. */
export function runStatus(runId: string, reportingAws: number): RunStatus {
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

/** A signal's JSON body, as the signal Lambda sends it. */
export function signalBody(runId: string, type: SignalType, id: string, instanceIds?: readonly string[]): string {
  const now = new Date().toISOString();
  const signal: Signal = {
    version: 1,
    id,
    type,
    runId,
    issuedAt: now,
    source: { eventId: `evt-${id}`, source: 'aws.cloudwatch', detailType: 'CloudWatch Alarm State Change', time: now },
    ...(type === 'aws-unhealthy' || type === 'aws-recovered' ? { alarmName: 'aws-training-unhealthy' } : {}),
    ...(instanceIds ? { instanceIds: [...instanceIds] } : {}),
  };
  return JSON.stringify(signal);
}

const context = (functionName: string, dequeueCount = 1) => new InvocationContext({ functionName, logHandler: () => undefined, triggerMetadata: { dequeueCount } });

/** Throws unless an answer has the status and body fields expected. */
export function expectAnswer(answer: HttpResponseInit, status: number, fields: Record<string, unknown>, what: string): void {
  const body = (answer.jsonBody ?? {}) as Record<string, unknown>;
  const wrong = Object.entries(fields).filter(([key, value]) => JSON.stringify(body[key]) !== JSON.stringify(value));
  if (answer.status !== status || wrong.length > 0) throw new Error(`${what}: expected ${status} ${JSON.stringify(fields)}, got ${answer.status} ${JSON.stringify(body)}`);
}

export interface BrainHarness {
  readonly arm: ArmEmulator;
  readonly cluster: ClusterState;
  /** The dev seed's GPU Spot pool. */
  readonly gpuPool: string;
  /** The app settings of one run: its own pool and continuation queue. */
  settings(runId: string, pool: string, overrides?: Record<string, string>): Record<string, string>;
  boot(env: Record<string, string>): BrainServices;
  writeRunStatus(status: RunStatus): Promise<void>;
  /** One signed POST /api/signals; the time is the handler's alone (signing and building the request excluded). */
  post(services: BrainServices, body: string): Promise<{ answer: HttpResponseInit; ms: number }>;
  /** Warms a process: storage clients (container and queue ensured), signing, the ARM connection. */
  warm(services: BrainServices, runId: string): Promise<string>;
  /** Plays the queue trigger until `done(state)`: receive, base64-decode, parse, handle, delete. */
  drain(env: Record<string, string>, services: BrainServices, done: (state: FailoverState | undefined) => boolean, timeoutMs?: number): Promise<FailoverState>;
  stop(): Promise<void>;
}

/** Starts Azurite, the ARM emulator (with `poolCopies` extra GPU pools) and a Kubernetes API. */
export async function startBrainHarness(options: { poolCopies: number; provisioningDelayMs: number; updateDelayMs: number }): Promise<BrainHarness> {
  const topology = benchSeed(options.poolCopies);
  const cluster = new ClusterState('ai-fl-mc-dev-aks');
  cluster.addDeployment({ namespace: NAMESPACE, name: DEPLOYMENT, replicas: 0, podsReadyAtOnce: true });
  const started = await Promise.allSettled([
    startAzurite(),
    startArmEmulator({ seed: topology.seed, provisioningDelayMs: options.provisioningDelayMs, updateDelayMs: options.updateDelayMs, asyncRetryAfterSeconds: 0, requestLogSize: 100_000 }),
    startKubeApiServer(cluster, 'anonymous'),
  ]);
  const [azuriteStart, armStart, kubeStart] = started;
  const azurite: Azurite | undefined = azuriteStart.status === 'fulfilled' ? azuriteStart.value : undefined;
  const arm: ArmEmulator | undefined = armStart.status === 'fulfilled' ? armStart.value : undefined;
  const kube: KubeApiServer | undefined = kubeStart.status === 'fulfilled' ? kubeStart.value : undefined;
  const stopParts = () => Promise.allSettled([azurite?.stop(), arm?.stop(), kube?.stop()]).then(() => undefined);
  const failure = started.find((result) => result.status === 'rejected');
  if (failure !== undefined || azurite === undefined || arm === undefined || kube === undefined) {
    await stopParts();
    throw new Error('could not start the local Azure side', { cause: failure?.status === 'rejected' ? failure.reason : undefined });
  }
  const tempDir = mkdtempSync(path.join(tmpdir(), 'spot-on-bench-brain-'));
  const armCa = path.join(tempDir, 'arm-ca.pem');
  const kubeCa = path.join(tempDir, 'kube-ca.pem');
  writeFileSync(armCa, arm.caPem);
  writeFileSync(kubeCa, kube.caPem);
  const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('spot-on');
  await container.createIfNotExists();

  const harness: BrainHarness = {
    arm,
    cluster,
    gpuPool: topology.gpuPool,
    settings: (runId, pool, overrides = {}) => ({
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
    }),
    boot: (env) => createBrainServices(loadConfig(env)),
    writeRunStatus: async (status) => {
      const body = JSON.stringify(status);
      await container.getBlockBlobClient(blobPaths.status(status.runId)).upload(body, Buffer.byteLength(body));
    },
    post: async (services, body) => {
      const request = new HttpRequest({ method: 'POST', url: 'http://localhost/api/signals', body: { string: body }, headers: { 'content-type': 'application/json', ...sign(SECRET, body) } });
      const handler = createSignalsHandler(() => services);
      const t0 = performance.now();
      const answer = (await handler(request, context('signals'))) as HttpResponseInit;
      return { answer, ms: performance.now() - t0 };
    },
    warm: async (services, runId) => {
      const body = signalBody(runId, 'drill', 'drill-warm-up');
      expectAnswer((await harness.post(services, body)).answer, 202, { outcome: 'recorded' }, 'warm-up drill');
      await services.pool.read();
      return body;
    },
    drain: async (env, services, done, timeoutMs = 20_000) => {
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
    },
    stop: async () => {
      await stopParts();
      rmSync(tempDir, { recursive: true, force: true });
    },
  };
  return harness;
}
