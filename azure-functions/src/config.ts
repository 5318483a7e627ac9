/**
 * App settings of the failover brain, read once per process and validated with zod. A missing or invalid setting
 * fails fast with a ConfigError that names it. The reference table is in azure-functions/README.md.
 */
import { z } from 'zod';
import { configurationError, readEnvironment, type Environment } from '../../protocol/environment';
import { keyRingSetting, type KeyRing } from '../../protocol/keys';
import { CONTAINER, PathSegmentSchema } from '../../protocol/blob-layout';
import { FailoverPolicySchema, POLICY_DEFAULTS, type FailoverPolicy } from './domain/policy';

/** The settings error of every deployable (protocol/config-error.ts), re-exported for the app's callers. */
export { ConfigError } from '../../protocol/config-error';

const text = z.string().trim().min(1);
const count = (max: number) => z.coerce.number().int().min(0).max(max);
const seconds = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const poolName = z.string().regex(/^[a-z][a-z0-9]{0,11}$/, 'must be an AKS pool name: 1-12 lowercase letters and digits');
const httpsOrLoopbackUrl = z.url({ protocol: /^https?$/ }).refine(
  (value) => new URL(value).protocol === 'https:' || isLoopbackUrl(value),
  'must be https (plain http only on a loopback address)',
);

const EnvShape = {
  // The signal key ring (protocol/keys.ts): an unresolved Key Vault reference or a short key is refused here.
  SPOTON_SIGNAL_KEYS: keyRingSetting('signal'),
  SPOTON_SUBSCRIPTION_ID: text,
  SPOTON_RESOURCE_GROUP: text,
  SPOTON_CLUSTER_NAME: text,
  SPOTON_GPU_POOL_NAME: poolName,
  SPOTON_ON_DEMAND_POOL_NAME: poolName.optional(),
  SPOTON_EXPECTED_MOVE_SECONDS: seconds(0, 24 * 3600).default(POLICY_DEFAULTS.expectedMoveSeconds),
  SPOTON_REPLACEMENT_GRACE_SECONDS: seconds(0, 3600).default(POLICY_DEFAULTS.replacementGraceSeconds),
  SPOTON_TRAINER_NAMESPACE: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a Kubernetes namespace name'),
  SPOTON_TRAINER_DEPLOYMENT: z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'must be a Kubernetes object name').default('fl-trainer'),
  SPOTON_STORAGE_ACCOUNT: z.string().regex(/^[a-z0-9]{3,24}$/, 'must be a storage account name').optional(),
  SPOTON_STORAGE_CONNECTION_STRING: z
    .string()
    .refine((value) => value.includes('AccountName=') || /^UseDevelopmentStorage=true/i.test(value), 'must be a storage connection string')
    .optional(),
  SPOTON_CONTAINER: z.string().regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, 'must be a blob container name').default(CONTAINER),
  SPOTON_CONTINUATION_QUEUE: z.string().regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, 'must be a storage queue name'),
  SPOTON_RUN_ID: PathSegmentSchema,
  SPOTON_MAX_AZURE_NODES: count(1000),
  SPOTON_MIN_AWS_TRAINERS: count(1000),
  SPOTON_FAILBACK_COOLDOWN_SECONDS: seconds(0, 7 * 24 * 3600).default(POLICY_DEFAULTS.failbackCooldownSeconds),
  SPOTON_MIN_PHASE_DURATION_SECONDS: seconds(0, 24 * 3600).default(POLICY_DEFAULTS.minPhaseDurationSeconds),
  SPOTON_RECHECK_SECONDS: seconds(1, 3600).default(POLICY_DEFAULTS.recheckSeconds),
  SPOTON_MAX_DEFERRED_CHECKS: seconds(1, 1000).default(POLICY_DEFAULTS.maxDeferredChecks),
  SPOTON_LEASE_SECONDS: seconds(1, 600).default(POLICY_DEFAULTS.leaseSeconds),
  SPOTON_OPERATION_TIMEOUT_SECONDS: seconds(10, 24 * 3600).default(POLICY_DEFAULTS.operationTimeoutSeconds),
  SPOTON_MAX_PUT_ATTEMPTS: seconds(1, 20).default(POLICY_DEFAULTS.maxPutAttempts),
  SPOTON_CONTINUATION_DELAY_SECONDS: seconds(0, 3600).default(15),
  SPOTON_CONTINUATION_MAX_DELAY_SECONDS: seconds(1, 3600).default(120),
  SPOTON_ARM_TIMEOUT_SECONDS: seconds(1, 200).default(25),
  SPOTON_ARM_ENDPOINT: httpsOrLoopbackUrl.optional(),
  SPOTON_ARM_CA_FILE: text.optional(),
  SPOTON_KUBERNETES_ENDPOINT: httpsOrLoopbackUrl.optional(),
  SPOTON_KUBERNETES_CA_FILE: text.optional(),
  SPOTON_KUBERNETES_CA: z.string().regex(/^[A-Za-z0-9+/=\s]+$/, 'must be base64 PEM (certificate-authority-data)').optional(),
  SPOTON_KUBERNETES_AUTH: z.enum(['entra', 'none']).default('entra'),
  SPOTON_KUBERNETES_TIMEOUT_SECONDS: seconds(1, 120).default(10),
};

/** Where state and continuations are stored. */
export type StorageConfig =
  /** Azurite (local runs): its well-known development key, in a connection string. */
  | { readonly mode: 'connection-string'; readonly connectionString: string }
  /** Azure: Entra ID through DefaultAzureCredential (managed identity); the account has shared keys disabled. */
  | { readonly mode: 'identity'; readonly accountName: string; readonly blobUrl: string; readonly queueUrl: string };

export interface AppConfig {
  readonly runId: string;
  /** Keys that verify signals: the Lambdas' and the aggregator's, never a trainer's. */
  readonly signalKeys: KeyRing;
  readonly policy: FailoverPolicy;
  readonly storage: StorageConfig;
  readonly container: string;
  readonly continuationQueue: string;
  readonly continuation: { readonly delaySeconds: number; readonly maxDelaySeconds: number };
  readonly arm: {
    readonly subscriptionId: string;
    readonly resourceGroup: string;
    readonly clusterName: string;
    readonly poolName: string;
    /** The on-demand GPU pool of the deadline safety net, if the deployment has one. */
    readonly onDemandPoolName?: string;
    /** ARM endpoint override (the local ARM emulator); default: public Azure. */
    readonly endpoint?: string;
    readonly caFile?: string;
    /** True for a loopback endpoint: the emulator, which takes any bearer token (no identity exists locally). */
    readonly emulator: boolean;
    readonly timeoutSeconds: number;
  };
  readonly kubernetes: {
    readonly namespace: string;
    readonly deployment: string;
    /** API server URL; default: discovered from ARM (listClusterUserCredential). */
    readonly endpoint?: string;
    readonly caFile?: string;
    /** Base64 PEM of the cluster CA, as in a kubeconfig's certificate-authority-data. */
    readonly caData?: string;
    readonly auth: 'entra' | 'none';
    readonly timeoutSeconds: number;
  };
}

/** True for http(s) URLs on 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackUrl(value: string): boolean {
  let host: string;
  try {
    host = new URL(value).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function fail(missing: string[], invalid: string[], settings: string[], cause?: unknown): never {
  return configurationError('failover functions', missing, invalid, settings, cause);
}

/** Reads and validates the settings; throws ConfigError naming each missing or invalid one. */
export function loadConfig(env: Environment = process.env): AppConfig {
  const e = readEnvironment('failover functions', EnvShape, env);

  if (e.SPOTON_STORAGE_CONNECTION_STRING === undefined && e.SPOTON_STORAGE_ACCOUNT === undefined) {
    fail(['SPOTON_STORAGE_ACCOUNT (or SPOTON_STORAGE_CONNECTION_STRING for Azurite)'], [], ['SPOTON_STORAGE_ACCOUNT']);
  }
  if (e.SPOTON_ARM_CA_FILE !== undefined && e.SPOTON_ARM_ENDPOINT === undefined) {
    fail([], ['SPOTON_ARM_CA_FILE (only with SPOTON_ARM_ENDPOINT)'], ['SPOTON_ARM_CA_FILE']);
  }
  if (e.SPOTON_KUBERNETES_AUTH === 'none' && (e.SPOTON_KUBERNETES_ENDPOINT === undefined || !isLoopbackUrl(e.SPOTON_KUBERNETES_ENDPOINT))) {
    fail([], ['SPOTON_KUBERNETES_AUTH (none is only allowed with a loopback SPOTON_KUBERNETES_ENDPOINT)'], ['SPOTON_KUBERNETES_AUTH']);
  }
  if ((e.SPOTON_KUBERNETES_CA_FILE !== undefined || e.SPOTON_KUBERNETES_CA !== undefined) && e.SPOTON_KUBERNETES_ENDPOINT === undefined) {
    fail([], ['SPOTON_KUBERNETES_CA_FILE/SPOTON_KUBERNETES_CA (only with SPOTON_KUBERNETES_ENDPOINT)'], ['SPOTON_KUBERNETES_CA_FILE', 'SPOTON_KUBERNETES_CA']);
  }

  const policy = FailoverPolicySchema.safeParse({
    minAwsTrainers: e.SPOTON_MIN_AWS_TRAINERS,
    maxAzureNodes: e.SPOTON_MAX_AZURE_NODES,
    failbackCooldownSeconds: e.SPOTON_FAILBACK_COOLDOWN_SECONDS,
    minPhaseDurationSeconds: e.SPOTON_MIN_PHASE_DURATION_SECONDS,
    recheckSeconds: e.SPOTON_RECHECK_SECONDS,
    maxDeferredChecks: e.SPOTON_MAX_DEFERRED_CHECKS,
    leaseSeconds: e.SPOTON_LEASE_SECONDS,
    operationTimeoutSeconds: e.SPOTON_OPERATION_TIMEOUT_SECONDS,
    maxPutAttempts: e.SPOTON_MAX_PUT_ATTEMPTS,
    onDemandSafetyNet: e.SPOTON_ON_DEMAND_POOL_NAME !== undefined,
    expectedMoveSeconds: e.SPOTON_EXPECTED_MOVE_SECONDS,
    replacementGraceSeconds: e.SPOTON_REPLACEMENT_GRACE_SECONDS,
  });
  if (!policy.success) fail([], [`policy (${policy.error.message})`], [], policy.error.issues);

  const storage: StorageConfig =
    e.SPOTON_STORAGE_CONNECTION_STRING !== undefined
      ? { mode: 'connection-string', connectionString: e.SPOTON_STORAGE_CONNECTION_STRING }
      : {
          mode: 'identity',
          accountName: e.SPOTON_STORAGE_ACCOUNT ?? '',
          blobUrl: `https://${e.SPOTON_STORAGE_ACCOUNT}.blob.core.windows.net`,
          queueUrl: `https://${e.SPOTON_STORAGE_ACCOUNT}.queue.core.windows.net`,
        };

  return {
    runId: e.SPOTON_RUN_ID,
    signalKeys: e.SPOTON_SIGNAL_KEYS,
    policy: policy.data,
    storage,
    container: e.SPOTON_CONTAINER,
    continuationQueue: e.SPOTON_CONTINUATION_QUEUE,
    continuation: { delaySeconds: e.SPOTON_CONTINUATION_DELAY_SECONDS, maxDelaySeconds: e.SPOTON_CONTINUATION_MAX_DELAY_SECONDS },
    arm: {
      subscriptionId: e.SPOTON_SUBSCRIPTION_ID,
      resourceGroup: e.SPOTON_RESOURCE_GROUP,
      clusterName: e.SPOTON_CLUSTER_NAME,
      poolName: e.SPOTON_GPU_POOL_NAME,
      ...(e.SPOTON_ON_DEMAND_POOL_NAME === undefined ? {} : { onDemandPoolName: e.SPOTON_ON_DEMAND_POOL_NAME }),
      ...(e.SPOTON_ARM_ENDPOINT === undefined ? {} : { endpoint: e.SPOTON_ARM_ENDPOINT }),
      ...(e.SPOTON_ARM_CA_FILE === undefined ? {} : { caFile: e.SPOTON_ARM_CA_FILE }),
      emulator: e.SPOTON_ARM_ENDPOINT !== undefined && isLoopbackUrl(e.SPOTON_ARM_ENDPOINT),
      timeoutSeconds: e.SPOTON_ARM_TIMEOUT_SECONDS,
    },
    kubernetes: {
      namespace: e.SPOTON_TRAINER_NAMESPACE,
      deployment: e.SPOTON_TRAINER_DEPLOYMENT,
      ...(e.SPOTON_KUBERNETES_ENDPOINT === undefined ? {} : { endpoint: e.SPOTON_KUBERNETES_ENDPOINT }),
      ...(e.SPOTON_KUBERNETES_CA_FILE === undefined ? {} : { caFile: e.SPOTON_KUBERNETES_CA_FILE }),
      ...(e.SPOTON_KUBERNETES_CA === undefined ? {} : { caData: e.SPOTON_KUBERNETES_CA.replace(/\s+/g, '') }),
      auth: e.SPOTON_KUBERNETES_AUTH,
      timeoutSeconds: e.SPOTON_KUBERNETES_TIMEOUT_SECONDS,
    },
  };
}
