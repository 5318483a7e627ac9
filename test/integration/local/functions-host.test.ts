/**
 * The local Functions host runs the real brain (azure-functions/src/index.ts) in its own process: registrations
 * captured through the @azure/functions-core stand-in, HTTP triggers served, the continuation queue trigger
 * polled from Azurite. A signed aws-unhealthy signal drives the ARM emulator's GPU pool to its target.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startArmEmulator, spotOnDevSeed, type ArmEmulator } from '../../../local/arm';
import { startAzurite, type Azurite } from '../../../local/azurite';
import { startLocalProcess, type LocalProcess } from '../../../local/child-process';
import { sign } from '../../../protocol/signing';
import { startKubeApiServer, type KubeApiServer } from '../../../local/cluster/kube-api';
import { ClusterState } from '../../../local/cluster/state';

const SECRET = 'functions-host-test-signal-key-32-chars';
const HOST_MAIN = path.resolve(__dirname, '../../../local/functions-host/main.ts');

describe('local Functions host', () => {
  let azurite: Azurite;
  let arm: ArmEmulator;
  let kube: KubeApiServer;
  const aks = new ClusterState('aks');
  aks.addDeployment({ name: 'fl-trainer', namespace: 'fl', replicas: 0, podsReadyAtOnce: true });
  let host: LocalProcess<{ url: string; functions: string[] }>;
  let dir: string;
  const invocations: { functionName: string; outcome: string }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'spot-on-fhost-'));
    [azurite, arm, kube] = await Promise.all([startAzurite(), startArmEmulator({ seed: spotOnDevSeed(), provisioningDelayMs: 300, updateDelayMs: 100, asyncRetryAfterSeconds: 0 }), startKubeApiServer(aks, 'anonymous')]);
    writeFileSync(path.join(dir, 'arm.pem'), arm.caPem);
    writeFileSync(path.join(dir, 'kube.pem'), kube.caPem);
    const seed = spotOnDevSeed();
    const cluster = seed.clusters?.[0];
    if (cluster === undefined) throw new Error('the dev seed has no cluster');
    host = await startLocalProcess(HOST_MAIN, {
      env: {
        ...process.env,
        AzureWebJobsStorage: azurite.connectionString,
        SPOTON_STORAGE_CONNECTION_STRING: azurite.connectionString,
        SPOTON_SIGNAL_KEYS: SECRET,
        SPOTON_RUN_ID: 'run-host',
        SPOTON_SUBSCRIPTION_ID: cluster.subscriptionId,
        SPOTON_RESOURCE_GROUP: cluster.resourceGroup,
        SPOTON_CLUSTER_NAME: cluster.name,
        SPOTON_GPU_POOL_NAME: 'gpuspot',
        SPOTON_TRAINER_NAMESPACE: 'fl',
        SPOTON_CONTAINER: 'spot-on',
        SPOTON_CONTINUATION_QUEUE: 'host-continuations',
        SPOTON_MAX_AZURE_NODES: '3',
        SPOTON_MIN_AWS_TRAINERS: '2',
        SPOTON_CONTINUATION_DELAY_SECONDS: '0',
        SPOTON_CONTINUATION_MAX_DELAY_SECONDS: '1',
        SPOTON_ARM_ENDPOINT: arm.url,
        SPOTON_ARM_CA_FILE: path.join(dir, 'arm.pem'),
        SPOTON_KUBERNETES_ENDPOINT: kube.url,
        SPOTON_KUBERNETES_CA_FILE: path.join(dir, 'kube.pem'),
        SPOTON_KUBERNETES_AUTH: 'none',
        SPOTON_FUNCTIONS_MAX_POLLING_MS: '200',
      },
      onLine: (line) => {
        const invocation = (line as { invocation?: { functionName: string; outcome: string } }).invocation;
        if (invocation) invocations.push(invocation);
      },
    });
  }, 60_000);

  afterAll(async () => {
    await host?.stop();
    await Promise.all([azurite?.stop(), arm?.stop(), kube?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('captures the app registrations', () => {
    expect([...host.ready.functions].sort()).toStrictEqual(['continuation', 'signals', 'status']);
  });

  it('serves the signals endpoint and rejects a forged signature', async () => {
    const body = JSON.stringify({ version: 1, id: 'sig-forged', type: 'drill', runId: 'run-host', issuedAt: new Date().toISOString(), source: { eventId: 'e', source: 'spot-on', detailType: 'drill', time: new Date().toISOString() } });
    const answer = await fetch(`${host.ready.url}/api/signals`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...sign('wrong-secret', body) } });
    expect(answer.status).toBe(401);
    expect((await fetch(`${host.ready.url}/api/nowhere`)).status).toBe(404);
  });

  it('fails over through the HTTP trigger and the queue-triggered continuation', async () => {
    const now = new Date().toISOString();
    const body = JSON.stringify({ version: 1, id: 'sig-unhealthy', type: 'aws-unhealthy', runId: 'run-host', issuedAt: now, source: { eventId: 'evt-1', source: 'aws.cloudwatch', detailType: 'CloudWatch Alarm State Change', time: now }, alarmName: 'aws-training-unhealthy' });
    const answer = await fetch(`${host.ready.url}/api/signals`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...sign(SECRET, body) } });
    expect(answer.status).toBe(202);
    expect(await answer.json()).toMatchObject({ phase: 'failing-over', epoch: 1 });

    let phase = '';
    for (let i = 0; i < 100 && phase !== 'azure-active'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const status = (await (await fetch(`${host.ready.url}/api/status?runId=run-host`)).json()) as { phase: string };
      phase = status.phase;
    }
    expect(phase).toBe('azure-active');
    expect(invocations.some((i) => i.functionName === 'continuation' && i.outcome === 'ok')).toBe(true);
    expect(aks.deployment('fl', 'fl-trainer')?.replicas).toBe(2);
    expect(kube.requests()).toContainEqual({ method: 'PATCH', path: '/apis/apps/v1/namespaces/fl/deployments/fl-trainer/scale', status: 200 });
  }, 60_000);
});
