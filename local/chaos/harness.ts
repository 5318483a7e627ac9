/**
 * The components `spot-on chaos` attacks, started on the local cloud as the drill starts them: the brain in the
 * local Functions host (its own process, the production app), the aggregator (its own process, the production entry
 * point), one trainer's flush endpoint (the production Trainer), Azurite, the ARM emulator and a Kubernetes API. The
 * brain reaches Blob, Queue, ARM and Kubernetes through relays a case can take down (an outage) or make lose one
 * answer (an ambiguous commit). Each purpose has its own fresh key ring, as a deployment has.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { KEY_PURPOSES, parseKeyRing, type KeyPurpose } from '../../protocol/keys';
import { Trainer } from '../../fl-training/trainer/trainer';
import { spotOnDevSeed, startArmEmulator, type ArmEmulator } from '../arm';
import { startAzurite } from '../azurite';
import { startLocalProcess, type LocalProcess } from '../child-process';
import { startKubeApiServer } from '../cluster/kube-api';
import { ClusterState } from '../cluster/state';
import { startLostAnswerProxy, type LostAnswerProxy } from '../lost-answer-proxy';
import { startVpnTunnel, type VpnTunnel } from '../vpn';
import { startAggregator } from '../drill/run';
import { startLocalS3 } from '../s3';
import { stageInMemory, type InMemoryData } from '../../datasets/in-memory';
import { stageLocally } from '../drill/data';
import { parseRunConfig } from '../../fl-training/config';
import type { Cloud } from '../../protocol/run-status';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CHAOS_RUN_ID = 'chaos-run';
export const TRAINER_INSTANCE = 'i-0c4a05c4a05c4a05c';
export const SHARDS = ['shard-0', 'shard-1', 'pinned-aws'] as const;
const GPU_POOL = 'gpuspot';
const DATA_BUCKET = 'spot-on-data';
const DATA_CONTAINER = 'spot-on-data';
const NAMESPACE = 'fl';
const DEPLOYMENT = 'fl-trainer';

/** The run the aggregator serves: the tiny `blobs` task, so a round is milliseconds of CPU. */
export const CHAOS_RUN_CONFIG = {
  runId: CHAOS_RUN_ID,
  task: 'blobs',
  rounds: 1000,
  evaluate: false,
  quorum: { minTrainers: 2, fraction: 1 },
  shards: [
    { id: 'shard-0', residency: 'any' },
    { id: 'shard-1', residency: 'any' },
    { id: 'pinned-aws', residency: 'aws' },
  ],
};

/** A dependency of the brain, reached through a relay that can go down. */
export type Dependency = 'blob' | 'queue' | 'arm' | 'kubernetes';

export interface Harness {
  /** One fresh key per purpose; `other` is a key of no purpose (a forger's). */
  readonly keys: Readonly<Record<KeyPurpose | 'other', string>>;
  readonly brainUrl: string;
  readonly aggregatorUrl: () => string;
  readonly trainerUrl: string;
  readonly arm: ArmEmulator;
  readonly cluster: ClusterState;
  readonly container: ContainerClient;
  /** Azurite's connection string (direct, not through the brain's relays). */
  readonly storage: string;
  /** Azurite's blob endpoint, e.g. http://127.0.0.1:41857/devstoreaccount1 (for relays of a case's own). */
  readonly blobUrl: string;
  /** Relays in front of the brain's dependencies. */
  readonly relays: Readonly<Record<Dependency, VpnTunnel>>;
  /** Loses the answer to one blob request the brain makes (the write still lands). */
  readonly blobAnswers: LostAnswerProxy;
  /** The run's data for in-process trainers (the harness's trainer, Azure trainers of cases). */
  readonly data: InMemoryData;
  /** The local S3 (AWS trainers' data): the environment that points a process at it. */
  readonly s3Env: Readonly<Record<string, string>>;
  /** Stages a run's data in each cloud's store (S3, Blob) under the run id; the data URL per cloud. */
  stageRunData(config: Record<string, unknown>): Promise<Record<Cloud, string>>;
  /** The GPU pool's node count as ARM has it. */
  poolCount(): number;
  /** Kills the aggregator process (SIGKILL) and starts it again on the same store; resolves when it serves. */
  restartAggregator(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts everything; `log` receives the processes' output. */
export async function startHarness(log: (line: string) => void = () => undefined): Promise<Harness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'spot-on-chaos-'));
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const keys = { ...Object.fromEntries(KEY_PURPOSES.map((purpose) => [purpose, randomBytes(32).toString('hex')])), other: randomBytes(32).toString('hex') } as Record<KeyPurpose | 'other', string>;
    const seed = spotOnDevSeed();
    const aks = seed.clusters?.[0];
    if (aks === undefined) throw new Error('the ARM seed has no cluster');
    const cluster = new ClusterState('aks');
    cluster.addDeployment({ namespace: NAMESPACE, name: DEPLOYMENT, replicas: 0, podsReadyAtOnce: true });
    const [azurite, s3, arm, kube] = await Promise.all([
      startAzurite(),
      startLocalS3(),
      startArmEmulator({ seed, provisioningDelayMs: 300, updateDelayMs: 100, asyncRetryAfterSeconds: 0 }),
      startKubeApiServer(cluster, 'anonymous'),
    ]);
    stops.push(() => azurite.stop(), () => s3.stop(), () => arm.stop(), () => kube.stop());

    const relays = {
      blob: await startVpnTunnel(azurite.blobUrl),
      queue: await startVpnTunnel(azurite.queueUrl),
      arm: await startVpnTunnel(arm.url),
      kubernetes: await startVpnTunnel(kube.url),
    };
    for (const relay of Object.values(relays)) stops.push(() => relay.stop());
    const blobAnswers = await startLostAnswerProxy(`${relays.blob.url}${new URL(azurite.blobUrl).pathname}`);
    stops.push(() => blobAnswers.stop());
    const brainStorage = azurite.connectionString
      .replace(azurite.blobUrl, `${blobAnswers.url}`)
      .replace(azurite.queueUrl, `${relays.queue.url}${new URL(azurite.queueUrl).pathname}`);

    const caFile = (name: string, pem: string) => {
      const file = path.join(dir, name);
      writeFileSync(file, pem);
      return file;
    };
    const brain: LocalProcess<{ url: string }> = await startLocalProcess(path.join(REPO_ROOT, 'local', 'functions-host', 'main.ts'), {
      env: {
        ...process.env,
        AzureWebJobsStorage: azurite.connectionString,
        SPOTON_STORAGE_CONNECTION_STRING: brainStorage,
        SPOTON_SIGNAL_KEYS: keys.signal,
        SPOTON_RUN_ID: CHAOS_RUN_ID,
        SPOTON_SUBSCRIPTION_ID: aks.subscriptionId,
        SPOTON_RESOURCE_GROUP: aks.resourceGroup,
        SPOTON_CLUSTER_NAME: aks.name,
        SPOTON_GPU_POOL_NAME: GPU_POOL,
        SPOTON_TRAINER_NAMESPACE: NAMESPACE,
        SPOTON_TRAINER_DEPLOYMENT: DEPLOYMENT,
        SPOTON_CONTAINER: 'spot-on',
        SPOTON_CONTINUATION_QUEUE: 'spot-on-continuations',
        SPOTON_MAX_AZURE_NODES: '3',
        SPOTON_MIN_AWS_TRAINERS: '2',
        SPOTON_MIN_PHASE_DURATION_SECONDS: '0',
        SPOTON_FAILBACK_COOLDOWN_SECONDS: '0',
        SPOTON_CONTINUATION_DELAY_SECONDS: '1',
        SPOTON_CONTINUATION_MAX_DELAY_SECONDS: '1',
        SPOTON_ARM_ENDPOINT: relays.arm.url,
        SPOTON_ARM_CA_FILE: caFile('arm-ca.pem', arm.caPem),
        SPOTON_KUBERNETES_ENDPOINT: relays.kubernetes.url,
        SPOTON_KUBERNETES_CA_FILE: caFile('kube-ca.pem', kube.caPem),
        SPOTON_KUBERNETES_AUTH: 'none',
        SPOTON_FUNCTIONS_MAX_POLLING_MS: '250',
      },
      onText: (line) => log(`brain: ${line}`),
    });
    stops.push(() => brain.stop());

    const aggregatorEnv = { SPOTON_BLOB_CONNECTION_STRING: azurite.connectionString, SPOTON_TRAINER_KEYS: keys.trainer, SPOTON_SIGNAL_KEYS: keys.signal, SPOTON_BRAIN_URL: `${brain.ready.url}/api/signals`, SPOTON_STATE_POLL_MS: '1000' };
    let aggregator = await startAggregator(CHAOS_RUN_CONFIG, { env: aggregatorEnv, onText: (line) => log(`aggregator: ${line}`) });
    stops.push(() => aggregator.stop());

    const data = await stageInMemory(parseRunConfig(CHAOS_RUN_CONFIG));
    const trainer = new Trainer({
      aggregatorUrl: aggregator.url,
      clientId: 'chaos-trainer',
      cloud: 'aws',
      shard: 'shard-0',
      data: data.aws,
      instanceId: TRAINER_INSTANCE,
      keys: { trainer: parseKeyRing('trainer', keys.trainer), flush: parseKeyRing('flush', keys.flush) },
      host: '127.0.0.1',
    });
    const trainerUrl = await trainer.start();
    stops.push(() => trainer.close());

    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('spot-on');
    await container.createIfNotExists();
    return {
      keys,
      brainUrl: brain.ready.url,
      aggregatorUrl: () => aggregator.url,
      trainerUrl,
      arm,
      cluster,
      container,
      storage: azurite.connectionString,
      blobUrl: azurite.blobUrl,
      relays,
      blobAnswers,
      data,
      s3Env: s3.env,
      async stageRunData(input) {
        const config = parseRunConfig(input);
        const urls = { aws: `s3://${DATA_BUCKET}/${config.runId}`, azure: `blob://${DATA_CONTAINER}/${config.runId}` };
        await stageLocally(config, urls, s3, azurite);
        return urls;
      },
      poolCount: () => arm.getPool({ subscriptionId: aks.subscriptionId, resourceGroup: aks.resourceGroup, cluster: aks.name, pool: GPU_POOL })?.count ?? -1,
      async restartAggregator() {
        await aggregator.kill();
        aggregator = await startAggregator(CHAOS_RUN_CONFIG, { env: aggregatorEnv, port: Number(new URL(aggregator.url).port), onText: (line) => log(`aggregator: ${line}`) });
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
