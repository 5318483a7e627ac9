/**
 * Composition root: builds the adapters once per process from the validated settings. In Azure everything
 * authenticates with the function app's managed identity (DefaultAzureCredential); for local runs the same code
 * points at Azurite (SPOTON_STORAGE_CONNECTION_STRING), the ARM emulator (SPOTON_ARM_ENDPOINT + SPOTON_ARM_CA_FILE)
 * and a local Kubernetes API stand-in (SPOTON_KUBERNETES_ENDPOINT, SPOTON_KUBERNETES_AUTH=none), set through
 * environment variables only.
 */
import { readFileSync } from 'node:fs';
import { ContainerServiceClient } from '@azure/arm-containerservice';
import { DefaultAzureCredential, type AccessToken, type TokenCredential } from '@azure/identity';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { armGpuPool } from './adapters/agent-pool';
import { transientOr } from './adapters/azure-errors';
import { storageContinuationQueue, type ContinuationQueue } from './adapters/continuation-queue';
import { blobRunStatusReader } from './adapters/run-status-reader';
import { blobStateStore, type StateStore } from './adapters/state-store';
import { AKS_AAD_SERVER_SCOPE, apiServerFromKubeconfig, kubernetesTrainerScaler, type ApiServerConnection } from './adapters/trainer-scaler';
import { ConfigError, loadConfig, type AppConfig } from './config';
import { messageOf, TrainerScaleError } from './errors';
import { createTracing, type Tracing } from '../../protocol/tracer';
import { tracedPool, tracedTrainers } from './adapters/traced';
import { tracingOf, type BrainServices } from './use-cases/services';

/** A fixed-token credential for the local ARM emulator, which accepts any bearer token (there is no identity). */
export function emulatorTokenCredential(token = 'spot-on-local-emulator'): TokenCredential {
  return { getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 60 * 60 * 1000 }) };
}

function readSettingFile(setting: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`failover functions configuration: invalid ${setting} (${messageOf(error)})`, { settings: [setting], cause: error });
  }
}

/** Runs `create` once, on first use; a failure is not cached, so the next call tries again. */
function once<T>(create: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= create().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

/** Creates the container and queue on first use (Azurite starts empty; in Azure, Terraform creates both). */
function ensuringLocalResources(container: ContainerClient, queue: QueueClient) {
  const ensure = once(async () => {
    // A storage outage on a fresh host is transient like any other (503 to the sender), not a crash.
    await container.createIfNotExists().catch((error: unknown) => Promise.reject(transientOr('blob', `creating container ${container.containerName}`, error)));
    await queue.createIfNotExists().catch((error: unknown) => Promise.reject(transientOr('queue', `creating queue ${queue.name}`, error)));
  });
  return {
    stateStore: (store: StateStore): StateStore => ({
      read: async (runId) => (await ensure(), store.read(runId)),
      create: async (state) => (await ensure(), store.create(state)),
      replace: (state, etag) => store.replace(state, etag),
    }),
    queue: (sender: ContinuationQueue): ContinuationQueue => ({ send: async (message, delay) => (await ensure(), sender.send(message, delay)) }),
  };
}

/**
 * Storage retries inside one invocation. The SDK's defaults (4 tries, 30 s each, 4 s doubling backoff) would outlast
 * the signal Lambda's request budget (SIGNAL_TIMEOUT_MS, 10 s), so an outage would end in the caller's timeout
 * instead of a 503 with Retry-After. The callers retry anyway: the Lambda and the queue redeliver.
 */
const STORAGE_RETRY = { maxTries: 2, tryTimeoutInMs: 3_000, retryDelayInMs: 200, maxRetryDelayInMs: 1_000 } as const;

export interface ServiceOverrides {
  /** The Azure credential; default DefaultAzureCredential (managed identity in Azure). */
  readonly credential?: TokenCredential;
  readonly clock?: () => Date;
  /** Where the brain's spans go. @default nowhere */
  readonly tracing?: Tracing;
}

/** Builds every adapter for `config`. Nothing is called over the network until a handler runs. */
export function createBrainServices(config: AppConfig, overrides: ServiceOverrides = {}): BrainServices {
  let defaultCredential: TokenCredential | undefined;
  const credential = (): TokenCredential => (overrides.credential ?? (defaultCredential ??= new DefaultAzureCredential()));

  const storage = config.storage;
  const options = { retryOptions: STORAGE_RETRY };
  const blobService =
    storage.mode === 'connection-string' ? BlobServiceClient.fromConnectionString(storage.connectionString, options) : new BlobServiceClient(storage.blobUrl, credential(), options);
  const queueService =
    storage.mode === 'connection-string' ? QueueServiceClient.fromConnectionString(storage.connectionString, options) : new QueueServiceClient(storage.queueUrl, credential(), options);
  const container = blobService.getContainerClient(config.container);
  const queue = queueService.getQueueClient(config.continuationQueue);
  let stateStore = blobStateStore(container);
  let continuations = storageContinuationQueue(queue);
  if (storage.mode === 'connection-string') {
    const local = ensuringLocalResources(container, queue);
    stateStore = local.stateStore(stateStore);
    continuations = local.queue(continuations);
  }

  const armCa = config.arm.caFile === undefined ? undefined : readSettingFile('SPOTON_ARM_CA_FILE', config.arm.caFile);
  const arm = new ContainerServiceClient(config.arm.emulator ? emulatorTokenCredential() : credential(), config.arm.subscriptionId, {
    ...(config.arm.endpoint === undefined ? {} : { endpoint: config.arm.endpoint }),
    ...(armCa === undefined ? {} : { tlsOptions: { ca: armCa } }),
  });
  const tracing = tracingOf(overrides);
  const agentPool = (poolName: string) =>
    tracedPool(armGpuPool({ client: arm, resourceGroup: config.arm.resourceGroup, clusterName: config.arm.clusterName, poolName, timeoutMs: config.arm.timeoutSeconds * 1000 }), tracing, poolName);
  const pool = agentPool(config.arm.poolName);
  const onDemandPool = config.arm.onDemandPoolName === undefined ? undefined : agentPool(config.arm.onDemandPoolName);

  const k8s = config.kubernetes;
  const configured = k8s.endpoint;
  const connection =
    configured !== undefined
      ? once(async (): Promise<ApiServerConnection> => {
          const caPem =
            k8s.caFile !== undefined
              ? readSettingFile('SPOTON_KUBERNETES_CA_FILE', k8s.caFile)
              : k8s.caData !== undefined
                ? Buffer.from(k8s.caData, 'base64').toString('utf8')
                : undefined;
          return { endpoint: configured, ...(caPem === undefined ? {} : { caPem }) };
        })
      : // Discovered once through ARM (needs managedClusters/listClusterUserCredential/action on the cluster).
        once(async (): Promise<ApiServerConnection> => {
          const credentials = await arm.managedClusters.listClusterUserCredentials(config.arm.resourceGroup, config.arm.clusterName);
          const kubeconfig = credentials.kubeconfigs?.[0]?.value;
          if (kubeconfig === undefined) throw new TrainerScaleError(`ARM returned no kubeconfig for ${config.arm.clusterName}`);
          return apiServerFromKubeconfig(Buffer.from(kubeconfig).toString('utf8'));
        });
  const trainers = tracedTrainers(kubernetesTrainerScaler({
    connection,
    token: k8s.auth === 'none' ? async () => undefined : async () => (await credential().getToken(AKS_AAD_SERVER_SCOPE))?.token,
    namespace: k8s.namespace,
    deployment: k8s.deployment,
    timeoutMs: k8s.timeoutSeconds * 1000,
  }), tracing);

  return {
    settings: { runId: config.runId, signalKeys: config.signalKeys, policy: config.policy, continuation: config.continuation },
    stateStore,
    runStatus: blobRunStatusReader(container),
    pool,
    ...(onDemandPool === undefined ? {} : { onDemandPool }),
    trainers,
    continuations,
    clock: overrides.clock ?? (() => new Date()),
    tracing,
  };
}

let processServices: Promise<BrainServices> | undefined;

/**
 * The services of this process, built from `process.env` on first use. A configuration error is thrown to every
 * invocation (the host logs it and answers 500) until the settings are fixed: failing fast, naming the setting.
 */
export function processBrainServices(): Promise<BrainServices> {
  processServices ??= Promise.resolve().then(() => createBrainServices(loadConfig(process.env), { tracing: createTracing(process.env, 'spot-on-brain') }));
  return processServices;
}
