import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, isLoopbackUrl, loadConfig } from '../../../azure-functions/src/config';
import { MAX_DEQUEUE_COUNT } from '../../../azure-functions/src/handlers/continuation';

/** The settings terraform-azure sets (main.functions.tf), as strings. */
const TERRAFORM_SETTINGS = {
  AzureWebJobsStorage__accountName: 'aiflmcdevst',
  AzureWebJobsStorage__credential: 'managedidentity',
  SPOTON_SIGNAL_KEYS: 'a-long-enough-signal-key-of-32-chars',
  SPOTON_SUBSCRIPTION_ID: '11111111-2222-3333-4444-555555555555',
  SPOTON_RESOURCE_GROUP: 'ai-fl-mc-dev-rg',
  SPOTON_CLUSTER_NAME: 'ai-fl-mc-dev-aks',
  SPOTON_GPU_POOL_NAME: 'gpuspot',
  SPOTON_ON_DEMAND_POOL_NAME: 'gpuondemand',
  SPOTON_TRAINER_NAMESPACE: 'fl',
  SPOTON_STORAGE_ACCOUNT: 'aiflmcdevst',
  SPOTON_CONTAINER: 'spot-on',
  SPOTON_CONTINUATION_QUEUE: 'spot-on-continuations',
  SPOTON_RUN_ID: 'run-42',
  SPOTON_MAX_AZURE_NODES: '3',
  SPOTON_MIN_AWS_TRAINERS: '2',
};

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted the settings');
}

describe('loadConfig', () => {
  it('reads the Terraform settings, with defaults for the optional ones', () => {
    expect(loadConfig(TERRAFORM_SETTINGS)).toStrictEqual({
      runId: 'run-42',
      signalKeys: { purpose: 'signal', signing: 'a-long-enough-signal-key-of-32-chars', accepted: ['a-long-enough-signal-key-of-32-chars'] },
      policy: {
        minAwsTrainers: 2,
        maxAzureNodes: 3,
        failbackCooldownSeconds: 600,
        minPhaseDurationSeconds: 120,
        recheckSeconds: 60,
        maxDeferredChecks: 30,
        leaseSeconds: 30,
        operationTimeoutSeconds: 1800,
        maxPutAttempts: 3,
        onDemandSafetyNet: true,
        replacementGraceSeconds: 0,
        expectedMoveSeconds: 900,
      },
      storage: {
        mode: 'identity',
        accountName: 'aiflmcdevst',
        blobUrl: 'https://aiflmcdevst.blob.core.windows.net',
        queueUrl: 'https://aiflmcdevst.queue.core.windows.net',
      },
      container: 'spot-on',
      continuationQueue: 'spot-on-continuations',
      continuation: { delaySeconds: 15, maxDelaySeconds: 120 },
      arm: {
        subscriptionId: '11111111-2222-3333-4444-555555555555',
        resourceGroup: 'ai-fl-mc-dev-rg',
        clusterName: 'ai-fl-mc-dev-aks',
        poolName: 'gpuspot',
        onDemandPoolName: 'gpuondemand',
        emulator: false,
        timeoutSeconds: 25,
      },
      kubernetes: { namespace: 'fl', deployment: 'fl-trainer', auth: 'entra', timeoutSeconds: 10 },
    });
  });

  it('takes the local endpoints from settings alone (Azurite, ARM emulator, Kubernetes stand-in)', () => {
    const config = loadConfig({
      ...TERRAFORM_SETTINGS,
      SPOTON_STORAGE_ACCOUNT: undefined,
      SPOTON_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
      SPOTON_ARM_ENDPOINT: 'https://127.0.0.1:8443',
      SPOTON_ARM_CA_FILE: '/tmp/ca.pem',
      SPOTON_KUBERNETES_ENDPOINT: 'http://127.0.0.1:8001',
      SPOTON_KUBERNETES_AUTH: 'none',
      SPOTON_MIN_PHASE_DURATION_SECONDS: '0',
      SPOTON_CONTINUATION_DELAY_SECONDS: '0',
    });
    expect([config.storage, config.arm.endpoint, config.arm.emulator, config.kubernetes.endpoint, config.kubernetes.auth, config.policy.minPhaseDurationSeconds]).toStrictEqual([
      { mode: 'connection-string', connectionString: 'UseDevelopmentStorage=true' },
      'https://127.0.0.1:8443',
      true,
      'http://127.0.0.1:8001',
      'none',
      0,
    ]);
  });

  it('has no on-demand safety net without an on-demand pool', () => {
    const { SPOTON_ON_DEMAND_POOL_NAME: _none, ...spotOnly } = TERRAFORM_SETTINGS;
    const config = loadConfig({ ...spotOnly, SPOTON_EXPECTED_MOVE_SECONDS: '600' });
    expect([config.policy.onDemandSafetyNet, config.policy.expectedMoveSeconds, 'onDemandPoolName' in config.arm]).toStrictEqual([false, 600, false]);
    expect(configError({ ...TERRAFORM_SETTINGS, SPOTON_ON_DEMAND_POOL_NAME: 'GPU-OnDemand' }).message).toContain('SPOTON_ON_DEMAND_POOL_NAME (must be an AKS pool name');
  });

  it('names every missing setting', () => {
    const error = configError({ SPOTON_SIGNAL_KEYS: 'a-long-enough-signal-key-of-32-chars', SPOTON_RUN_ID: '' });
    expect(error.name).toBe('ConfigError');
    expect(error.message).toBe(
      'failover functions configuration: missing SPOTON_SUBSCRIPTION_ID, SPOTON_RESOURCE_GROUP, SPOTON_CLUSTER_NAME, SPOTON_GPU_POOL_NAME, SPOTON_TRAINER_NAMESPACE, SPOTON_CONTINUATION_QUEUE, SPOTON_RUN_ID, SPOTON_MAX_AZURE_NODES, SPOTON_MIN_AWS_TRAINERS',
    );
    expect(error.settings).toContain('SPOTON_RUN_ID');
  });

  it('names invalid settings with the reason', () => {
    const error = configError({ ...TERRAFORM_SETTINGS, SPOTON_MAX_AZURE_NODES: 'many', SPOTON_GPU_POOL_NAME: 'GPU_Spot', SPOTON_SIGNAL_KEYS: 'short' });
    expect(error.message).toBe(
      'failover functions configuration: invalid SPOTON_SIGNAL_KEYS (key 1 of 1: each key needs at least 32 characters), SPOTON_GPU_POOL_NAME (must be an AKS pool name: 1-12 lowercase letters and digits), SPOTON_MAX_AZURE_NODES (Invalid input: expected number, received NaN)',
    );
    expect(error.settings).toStrictEqual(['SPOTON_SIGNAL_KEYS', 'SPOTON_GPU_POOL_NAME', 'SPOTON_MAX_AZURE_NODES']);
  });

  it('refuses a Key Vault reference that App Service could not resolve as the signing key', () => {
    const reference = '@Microsoft.KeyVault(SecretUri=https://kv-spoton.vault.azure.net/secrets/signing/)';
    const error = configError({ ...TERRAFORM_SETTINGS, SPOTON_SIGNAL_KEYS: reference });
    expect(error.settings).toStrictEqual(['SPOTON_SIGNAL_KEYS']);
    expect(error.message).toMatch(/invalid SPOTON_SIGNAL_KEYS \(an unresolved Key Vault reference/);
  });

  it('needs a storage account or a connection string', () => {
    expect(configError({ ...TERRAFORM_SETTINGS, SPOTON_STORAGE_ACCOUNT: undefined }).message).toBe(
      'failover functions configuration: missing SPOTON_STORAGE_ACCOUNT (or SPOTON_STORAGE_CONNECTION_STRING for Azurite)',
    );
  });

  it('allows Kubernetes without authentication only on loopback, and plain http only on loopback', () => {
    expect(configError({ ...TERRAFORM_SETTINGS, SPOTON_KUBERNETES_AUTH: 'none' }).settings).toStrictEqual(['SPOTON_KUBERNETES_AUTH']);
    expect(configError({ ...TERRAFORM_SETTINGS, SPOTON_KUBERNETES_ENDPOINT: 'https://aks.example.com', SPOTON_KUBERNETES_AUTH: 'none' }).settings).toStrictEqual(['SPOTON_KUBERNETES_AUTH']);
    expect(configError({ ...TERRAFORM_SETTINGS, SPOTON_ARM_ENDPOINT: 'http://management.example.com' }).message).toContain(
      'SPOTON_ARM_ENDPOINT (must be https (plain http only on a loopback address))',
    );
    expect(configError({ ...TERRAFORM_SETTINGS, SPOTON_ARM_CA_FILE: '/tmp/ca.pem' }).settings).toStrictEqual(['SPOTON_ARM_CA_FILE']);
    expect(['http://127.0.0.1:1', 'https://localhost', 'http://[::1]:80', 'https://10.0.0.1', 'nonsense'].map(isLoopbackUrl)).toStrictEqual([true, true, true, false, false]);
  });

  it('keeps host.json in step with the code (poison after MAX_DEQUEUE_COUNT, base64 messages)', () => {
    const host = JSON.parse(readFileSync(path.join(__dirname, '../../../azure-functions/host.json'), 'utf8')) as {
      extensionBundle: { id: string; version: string };
      extensions: { queues: { maxDequeueCount: number; messageEncoding: string } };
    };
    expect([host.extensionBundle, host.extensions.queues.maxDequeueCount, host.extensions.queues.messageEncoding]).toStrictEqual([
      { id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' },
      MAX_DEQUEUE_COUNT,
      'base64',
    ]);
  });
});
