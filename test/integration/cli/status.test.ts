/**
 * `spot-on status --json` against the local cloud: the real brain in the local Functions host (its own process) over
 * Azurite, the ARM emulator and a Kubernetes API; status.json in Azurite as the aggregator writes it. Before and
 * after a signed aws-unhealthy signal, the command (called in-process) shows the phase change and the incident.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runStatusCommand, type StatusIo } from '../../../cli/commands/status';
import { StatusReportSchema, type StatusReport } from '../../../cli/status/report';
import { timerWait } from '../../../cli/status/watch';
import { BlobCheckpointStore } from '../../../fl-training/store/blob-store';
import { startArmEmulator, spotOnDevSeed, type ArmEmulator } from '../../../local/arm';
import { startAzurite, type Azurite } from '../../../local/azurite';
import { startLocalProcess, type LocalProcess } from '../../../local/child-process';
import { startKubeApiServer, type KubeApiServer } from '../../../local/cluster/kube-api';
import { ClusterState } from '../../../local/cluster/state';
import { blobPaths } from '../../../protocol/blob-layout';
import type { RunStatus } from '../../../protocol/run-status';
import { sign } from '../../../protocol/signing';

const RUN_ID = 'run-status';
const SIGNAL_KEY = 'status-cli-test-signal-key-of-32-chars';
const HOST_MAIN = path.resolve(__dirname, '../../../local/functions-host/main.ts');

describe('spot-on status on the local cloud', () => {
  let azurite: Azurite;
  let arm: ArmEmulator;
  let kube: KubeApiServer;
  let host: LocalProcess<{ url: string }>;
  let dir: string;
  const aks = new ClusterState('aks');
  aks.addDeployment({ name: 'fl-trainer', namespace: 'fl', replicas: 0, podsReadyAtOnce: true });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'spot-on-status-'));
    // A pool that takes a minute and continuations an hour away: the failover is still failing-over when looked at.
    [azurite, arm, kube] = await Promise.all([startAzurite(), startArmEmulator({ seed: spotOnDevSeed(), provisioningDelayMs: 60_000, asyncRetryAfterSeconds: 0 }), startKubeApiServer(aks, 'anonymous')]);
    writeFileSync(path.join(dir, 'arm.pem'), arm.caPem);
    writeFileSync(path.join(dir, 'kube.pem'), kube.caPem);
    const cluster = spotOnDevSeed().clusters?.[0];
    if (cluster === undefined) throw new Error('the dev seed has no cluster');
    host = await startLocalProcess(HOST_MAIN, {
      env: {
        ...process.env,
        AzureWebJobsStorage: azurite.connectionString,
        SPOTON_STORAGE_CONNECTION_STRING: azurite.connectionString,
        SPOTON_SIGNAL_KEYS: SIGNAL_KEY,
        SPOTON_RUN_ID: RUN_ID,
        SPOTON_SUBSCRIPTION_ID: cluster.subscriptionId,
        SPOTON_RESOURCE_GROUP: cluster.resourceGroup,
        SPOTON_CLUSTER_NAME: cluster.name,
        SPOTON_GPU_POOL_NAME: 'gpuspot',
        SPOTON_TRAINER_NAMESPACE: 'fl',
        SPOTON_CONTAINER: 'spot-on',
        SPOTON_CONTINUATION_QUEUE: 'status-continuations',
        SPOTON_MAX_AZURE_NODES: '3',
        SPOTON_MIN_AWS_TRAINERS: '2',
        SPOTON_CONTINUATION_DELAY_SECONDS: '3600',
        SPOTON_CONTINUATION_MAX_DELAY_SECONDS: '3600',
        SPOTON_ARM_ENDPOINT: arm.url,
        SPOTON_ARM_CA_FILE: path.join(dir, 'arm.pem'),
        SPOTON_KUBERNETES_ENDPOINT: kube.url,
        SPOTON_KUBERNETES_CA_FILE: path.join(dir, 'kube.pem'),
        SPOTON_KUBERNETES_AUTH: 'none',
        SPOTON_FUNCTIONS_MAX_POLLING_MS: '1000',
      },
    });
    const store = await BlobCheckpointStore.fromConnectionString(azurite.connectionString).ensureContainer();
    await store.put(blobPaths.status(RUN_ID), Buffer.from(JSON.stringify(runStatus(new Date()))));
  }, 60_000);

  afterAll(async () => {
    await host?.stop();
    await Promise.all([azurite?.stop(), arm?.stop(), kube?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** `spot-on status --brain-url <host> --json` with status.json read from Azurite; its report and stderr. */
  async function status(): Promise<{ code: number; report: StatusReport | undefined; stderr: string[] }> {
    const out: string[] = [];
    const stderr: string[] = [];
    const io: StatusIo = {
      env: { SPOTON_BLOB_CONNECTION_STRING: azurite.connectionString },
      fetch: (url, init) => fetch(url, init),
      now: () => new Date(),
      wait: timerWait,
      signal: new AbortController().signal,
      stdout: (text) => out.push(text),
      stderr: (text) => stderr.push(text),
      interactive: false,
    };
    const code = await runStatusCommand({ brainUrl: host.ready.url, json: true }, io);
    return { code, report: out[0] === undefined ? undefined : StatusReportSchema.parse(JSON.parse(out[0])), stderr };
  }

  it('shows aws-primary, then failing-over with the incident the signal opened', async () => {
    const before = await status();

    const now = new Date().toISOString();
    const body = JSON.stringify({ version: 1, id: 'sig-status-1', type: 'aws-unhealthy', runId: RUN_ID, issuedAt: now, source: { eventId: 'evt-status-1', source: 'aws.cloudwatch', detailType: 'CloudWatch Alarm State Change', time: now }, alarmName: 'aws-training-unhealthy' });
    const answer = await fetch(`${host.ready.url}/api/signals`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...sign(SIGNAL_KEY, body) } });
    expect(answer.status).toBe(202);

    const after = await status();
    const run = {
      trainers: { aws: { registered: 2, reporting: 2, pools: [{ pool: null, trainers: 2 }] }, azure: { registered: 0, reporting: 0, pools: [] } },
      round: 3,
      loss: 0.5,
      accuracy: 0.75,
      schedule: { rounds: 10, startedAt: expect.any(String), deadlineAt: null, onTrack: null },
      runStatus: { source: 'blob', updatedAt: expect.any(String), aggregatorEpoch: 0 },
      // Both AWS trainers' nodes for the half hour since the run started, priced from the offline table.
      costSoFar: expect.objectContaining({ gpu: [{ cloud: 'aws', pool: 'spot-gpu', pricing: 'spot', nodeHours: 1, usd: expect.any(Number) }] }),
    };
    expect([before.code, before.stderr, before.report]).toStrictEqual([
      0,
      [],
      {
        version: 1,
        asOf: expect.any(String),
        runId: RUN_ID,
        phase: 'aws-primary',
        epoch: 0,
        phaseSince: expect.any(String),
        azurePool: { capacity: 'spot', nodes: 0, desiredNodes: 0, provisioningState: 'Succeeded' },
        ...run,
        incidents: [],
        notes: ['the brain has received no signal for this run yet: it is in its initial state'],
      },
    ]);
    expect([after.code, after.stderr, after.report]).toStrictEqual([
      0,
      [],
      {
        version: 1,
        asOf: expect.any(String),
        runId: RUN_ID,
        phase: 'failing-over',
        epoch: 1,
        phaseSince: expect.any(String),
        azurePool: { capacity: 'spot', nodes: expect.any(Number), desiredNodes: 2, provisioningState: expect.any(String) },
        ...run,
        incidents: [{ id: 'sig-status-1', cause: 'aws-unhealthy', openedAt: after.report?.phaseSince, closedAt: null, ongoing: true, durationSeconds: expect.any(Number), azureActiveAfterSeconds: null, outcome: null, error: null, traceId: null }],
        notes: [],
      },
    ]);
    const incident = after.report?.incidents[0];
    expect(incident?.durationSeconds).toBe((Date.parse(after.report?.asOf ?? '') - Date.parse(incident?.openedAt ?? '')) / 1000);
  });
});

/** status.json as an aggregator with two AWS trainers on movable shards writes it after round 3. */
function runStatus(now: Date): RunStatus {
  const trainers = [0, 1].map((index) => ({
    clientId: `fl-trainer-aws-${index}`,
    cloud: 'aws' as const,
    shard: `shard-${index}`,
    residency: 'any' as const,
    instanceId: `i-0${index}00000000000000${index}`,
    nodeName: `ip-10-0-${index}-1${index}.us-west-2.compute.internal`,
    lastSeenAt: now.toISOString(),
    lastRound: 3,
  }));
  return {
    version: 1,
    runId: RUN_ID,
    round: 3,
    epoch: 0,
    updatedAt: now.toISOString(),
    trainers,
    shards: trainers.map((t) => ({ shard: t.shard, residency: t.residency, movableToAzure: true })),
    reporting: { aws: 2, azure: 0 },
    metrics: { loss: 0.5, accuracy: 0.75 },
    schedule: { rounds: 10, startedAt: new Date(now.getTime() - 1800_000).toISOString() },
    usage: trainers.map((t) => ({ cloud: t.cloud, node: t.nodeName, seconds: 1800 })),
  };
}
