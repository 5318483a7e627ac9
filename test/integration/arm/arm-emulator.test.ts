/**
 * The real @azure/arm-containerservice client against the local ARM emulator over HTTPS: reads, the
 * long-running PUT protocol as the SDK polls it, AKS rules, conditional requests, throttling and faults.
 */
import { request } from 'node:https';
import { ContainerServiceClient, type AgentPool } from '@azure/arm-containerservice';
import {
  emulatorCredential,
  SPOT_TAINT,
  startArmEmulator,
  type ArmEmulator,
  type ArmEmulatorEvent,
  type ArmEmulatorOptions,
  type PoolRef,
} from '../../../local/arm';

const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';
const RG = 'ai-fl-mc-dev-rg';
const CLUSTER = 'ai-fl-mc-dev-aks';
const POLL = { updateIntervalInMs: 25 };
const gpuSpot = (name: string) => ({
  name,
  mode: 'User' as const,
  vmSize: 'Standard_NC4as_T4_v3',
  count: 0,
  scaleSetPriority: 'Spot' as const,
});
const SPOT_POOLS = ['gpuspot', 'gpuauto', 'gpuetag', 'gpuimmut', 'gpubusy', 'gpufail', 'gputhrot', 'gpufive'];

function emulatorOptions(overrides: ArmEmulatorOptions = {}): ArmEmulatorOptions {
  return {
    seed: {
      clusters: [
        {
          subscriptionId: SUBSCRIPTION,
          resourceGroup: RG,
          name: CLUSTER,
          location: 'koreacentral',
          agentPools: [{ name: 'system', mode: 'System', vmSize: 'Standard_B2s', count: 2 }, ...SPOT_POOLS.map(gpuSpot)],
        },
      ],
    },
    provisioningDelayMs: 200,
    updateDelayMs: 50,
    asyncRetryAfterSeconds: 0,
    ...overrides,
  };
}

function clientFor(emulator: ArmEmulator): ContainerServiceClient {
  return new ContainerServiceClient(emulatorCredential(), SUBSCRIPTION, {
    endpoint: emulator.url,
    tlsOptions: { ca: emulator.caPem },
    retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 100 },
  });
}

const poolRef = (pool: string): PoolRef => ({ subscriptionId: SUBSCRIPTION, resourceGroup: RG, cluster: CLUSTER, pool });

/** Raw HTTPS request to the emulator (for what the SDK never sends). */
function rawRequest(emulator: ArmEmulator, method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: unknown }>((resolve, reject) => {
    const req = request(`${emulator.url}${path}`, { method, headers, ca: emulator.caPem }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The value with undefined-valued keys removed (as JSON would). */
const withoutUndefined = (value: object): unknown => JSON.parse(JSON.stringify(value)) as unknown;

/** The request log entries for one pool's PUTs and the operation polls, as "METHOD status". */
function trafficSince(emulator: ArmEmulator, index: number): string[] {
  return emulator
    .requests()
    .slice(index)
    .map((entry) => `${entry.method} ${entry.status} ${entry.url.includes('/operations/') ? 'operation' : entry.url.split('?')[0]?.split('/').pop()}`);
}

describe('ARM emulator with the real ContainerServiceClient', () => {
  let emulator: ArmEmulator;
  let client: ContainerServiceClient;
  const events: ArmEmulatorEvent[] = [];

  beforeAll(async () => {
    emulator = await startArmEmulator(emulatorOptions());
    emulator.onEvent((event) => events.push(event));
    client = clientFor(emulator);
  });
  afterEach(() => emulator.faults.clear());
  afterAll(async () => {
    await emulator.stop();
  });

  it('serves a seeded Spot pool as AKS does, with the spot taint and label added', async () => {
    const pool = await client.agentPools.get(RG, CLUSTER, 'gpuspot');
    // The SDK's deserializer lists every model property; compare only those the emulator set.
    expect(withoutUndefined(pool)).toStrictEqual({
      id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.ContainerService/managedClusters/${CLUSTER}/agentPools/gpuspot`,
      name: 'gpuspot',
      type: 'Microsoft.ContainerService/managedClusters/agentPools',
      eTag: expect.any(String),
      count: 0,
      vmSize: 'Standard_NC4as_T4_v3',
      osType: 'Linux',
      typePropertiesType: 'VirtualMachineScaleSets',
      mode: 'User',
      enableAutoScaling: false,
      scaleSetPriority: 'Spot',
      scaleSetEvictionPolicy: 'Delete',
      spotMaxPrice: -1,
      nodeLabels: { 'kubernetes.azure.com/scalesetpriority': 'spot' },
      nodeTaints: [SPOT_TAINT],
      orchestratorVersion: '1.33',
      currentOrchestratorVersion: '1.33',
      provisioningState: 'Succeeded',
      powerState: { code: 'Running' },
    });
  });

  it('lists pools and reads the managed cluster', async () => {
    const names: string[] = [];
    for await (const pool of client.agentPools.list(RG, CLUSTER)) names.push(pool.name ?? '');
    expect(names).toStrictEqual(['system', ...SPOT_POOLS]);
    const cluster = await client.managedClusters.get(RG, CLUSTER);
    expect([cluster.name, cluster.location, cluster.provisioningState, cluster.agentPoolProfiles?.[0]]).toStrictEqual([
      CLUSTER,
      'koreacentral',
      'Succeeded',
      expect.objectContaining({ name: 'system', count: 2, mode: 'System' }),
    ]);
  });

  it('answers 404 ResourceNotFound for a pool that does not exist', async () => {
    await expect(client.agentPools.get(RG, CLUSTER, 'nopool')).rejects.toMatchObject({
      name: 'RestError',
      statusCode: 404,
      code: 'ResourceNotFound',
    });
  });

  it('scales gpuspot from 0 to 3 with the autoscaler off through the long-running-operation protocol', async () => {
    const before = emulator.requests().length;
    const current = await client.agentPools.get(RG, CLUSTER, 'gpuspot');
    const poller = client.agentPools.createOrUpdate(RG, CLUSTER, 'gpuspot', { ...current, count: 3 }, POLL);
    await poller.submitted();
    expect(emulator.getPool(poolRef('gpuspot'))).toMatchObject({ provisioningState: 'Scaling', count: 3, readyNodeCount: 0 });

    const result = await poller;
    expect([result.count, result.provisioningState, result.eTag === current.eTag]).toStrictEqual([3, 'Succeeded', false]);
    expect(emulator.getPool(poolRef('gpuspot'))).toMatchObject({ provisioningState: 'Succeeded', count: 3, readyNodeCount: 3 });

    // GET, PUT 200, operation polls (InProgress ... Succeeded), then the final GET of the pool.
    const traffic = trafficSince(emulator, before);
    expect(traffic.slice(0, 2)).toStrictEqual(['GET 200 gpuspot', 'PUT 200 gpuspot']);
    expect(traffic.at(-1)).toBe('GET 200 gpuspot');
    expect(traffic.slice(2, -1).every((line) => line === 'GET 200 operation')).toBe(true);
    expect(traffic.length).toBeGreaterThanOrEqual(5);

    const mine = events.filter((event) => event.operation.pool.pool === 'gpuspot');
    expect(mine.map((event) => [event.type, event.operation.kind, event.operation.fromCount, event.operation.toCount])).toStrictEqual([
      ['operation-started', 'Scaling', 0, 3],
      ['operation-succeeded', 'Scaling', 0, 3],
    ]);
  });

  it('scales up to a raised minCount with the autoscaler on', async () => {
    const current = await client.agentPools.get(RG, CLUSTER, 'gpuauto');
    const result = await client.agentPools.createOrUpdate(
      RG,
      CLUSTER,
      'gpuauto',
      { ...current, enableAutoScaling: true, minCount: 3, maxCount: 5 },
      POLL,
    );
    expect([result.count, result.minCount, result.maxCount, result.enableAutoScaling, result.provisioningState]).toStrictEqual([
      3, 3, 5, true, 'Succeeded',
    ]);
    expect(emulator.getPool(poolRef('gpuauto'))?.readyNodeCount).toBe(3);
  });

  it('creates a new pool (201) and refuses If-None-Match * on an existing one (412)', async () => {
    const created = await client.agentPools.createOrUpdate(
      RG,
      CLUSTER,
      'gpunew',
      { count: 1, vmSize: 'Standard_NC4as_T4_v3', scaleSetPriority: 'Spot', mode: 'User' },
      { ...POLL, ifNoneMatch: '*' },
    );
    expect([created.count, created.provisioningState, created.nodeTaints]).toStrictEqual([1, 'Succeeded', [SPOT_TAINT]]);
    expect(emulator.requests().some((entry) => entry.method === 'PUT' && entry.status === 201 && entry.url.includes('/gpunew?'))).toBe(true);
    await expect(
      client.agentPools.createOrUpdate(RG, CLUSTER, 'gpunew', { count: 2 }, { ...POLL, ifNoneMatch: '*' }),
    ).rejects.toMatchObject({ statusCode: 412, code: 'PreconditionFailed' });
  });

  it('honours If-Match: the current eTag is accepted, a stale one answers 412', async () => {
    const first = await client.agentPools.get(RG, CLUSTER, 'gpuetag');
    const updated = await client.agentPools.createOrUpdate(RG, CLUSTER, 'gpuetag', { ...first, count: 1 }, { ...POLL, ifMatch: first.eTag });
    expect(updated.eTag).not.toBe(first.eTag);
    await expect(
      client.agentPools.createOrUpdate(RG, CLUSTER, 'gpuetag', { ...first, count: 2 }, { ...POLL, ifMatch: first.eTag }),
    ).rejects.toMatchObject({ name: 'RestError', statusCode: 412, code: 'PreconditionFailed' });
    expect(emulator.getPool(poolRef('gpuetag'))?.count).toBe(1);
  });

  it('rejects a change of an immutable property with 400 PropertyChangeNotAllowed', async () => {
    const current = await client.agentPools.get(RG, CLUSTER, 'gpuimmut');
    await expect(
      client.agentPools.createOrUpdate(RG, CLUSTER, 'gpuimmut', { ...current, count: 1, scaleSetPriority: 'Regular' }, POLL),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'PropertyChangeNotAllowed',
      message: "Changing property 'scaleSetPriority' is not allowed.",
    });
    await expect(
      client.agentPools.createOrUpdate(RG, CLUSTER, 'gpuimmut', { name: 'gpuimmut', vmSize: 'Standard_NC4as_T4_v3' }, POLL),
    ).rejects.toMatchObject({ statusCode: 400, code: 'InvalidParameter', message: 'Required parameter properties.count is missing (null).' });
  });

  it('answers 409 OperationNotAllowed to a PUT while an operation is in progress', async () => {
    const current = await client.agentPools.get(RG, CLUSTER, 'gpubusy');
    const first = client.agentPools.createOrUpdate(RG, CLUSTER, 'gpubusy', { ...current, count: 2 }, POLL);
    await first.submitted();
    await expect(client.agentPools.createOrUpdate(RG, CLUSTER, 'gpubusy', { ...current, count: 4 }, POLL)).rejects.toMatchObject({
      statusCode: 409,
      code: 'OperationNotAllowed',
      message: expect.stringContaining('Another agentpool operation (gpubusy - Scaling) is in progress'),
    });
    expect((await first).count).toBe(2);
  });

  it('surfaces a failed operation (capacity) as a rejected poller carrying the error code', async () => {
    emulator.faults.enqueue({ kind: 'operation-failure', code: 'OverconstrainedAllocationRequest', pool: 'gpufail' });
    const current = await client.agentPools.get(RG, CLUSTER, 'gpufail');
    await expect(client.agentPools.createOrUpdate(RG, CLUSTER, 'gpufail', { ...current, count: 3 }, POLL)).rejects.toThrow(
      /The long-running operation has failed\. OverconstrainedAllocationRequest\. Allocation failed/,
    );
    expect(emulator.getPool(poolRef('gpufail'))).toMatchObject({ provisioningState: 'Failed', count: 0, readyNodeCount: 0 });
    const after = await client.agentPools.get(RG, CLUSTER, 'gpufail');
    expect([after.provisioningState, after.count]).toStrictEqual(['Failed', 0]);
  });

  it('retries 429 after the Retry-After it is given', async () => {
    emulator.faults.enqueue({ kind: 'throttle', count: 1, retryAfterSeconds: 1 });
    const current = await client.agentPools.get(RG, CLUSTER, 'gputhrot');
    const before = emulator.requests().length;
    const result = await client.agentPools.createOrUpdate(RG, CLUSTER, 'gputhrot', { ...current, count: 1 }, POLL);
    expect(result.count).toBe(1);
    const puts = emulator.requests().slice(before).filter((entry) => entry.method === 'PUT');
    expect(puts.map((entry) => [entry.status, entry.code])).toStrictEqual([
      [429, 'Throttled'],
      [200, undefined],
    ]);
    expect((puts[1]?.startedAt ?? 0) - (puts[0]?.startedAt ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('retries 5xx answers, on the initial PUT and on operation polls', async () => {
    emulator.faults.enqueue({ kind: 'server-error', count: 2, status: 500 });
    const current = await client.agentPools.get(RG, CLUSTER, 'gpufive');
    expect(current.count).toBe(0);
    emulator.faults.enqueue({ kind: 'server-error', count: 1, status: 503 });
    const poller = client.agentPools.createOrUpdate(RG, CLUSTER, 'gpufive', { ...current, count: 1 }, POLL);
    await poller.submitted();
    emulator.faults.enqueue({ kind: 'server-error', count: 1, status: 500 });
    expect((await poller).count).toBe(1);
    const statuses = emulator.requests().filter((entry) => entry.url.includes('/gpufive?') || entry.code !== undefined).map((entry) => entry.status);
    expect(statuses.filter((status) => status >= 500)).toStrictEqual([500, 500, 503, 500]);
  });

  it('requires a bearer token: 401 AuthenticationFailed in ARM error format', async () => {
    const path = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.ContainerService/managedClusters/${CLUSTER}/agentPools/gpuspot?api-version=2026-04-01`;
    const answer = await rawRequest(emulator, 'GET', path);
    expect([answer.status, answer.body]).toStrictEqual([
      401,
      { error: { code: 'AuthenticationFailed', message: "Authentication failed. The 'Authorization' header is missing." } },
    ]);
    const wrongVersion = await rawRequest(emulator, 'GET', path.replace('2026-04-01', '2019-01-01'), { authorization: 'Bearer x' });
    expect([wrongVersion.status, (wrongVersion.body as { error: { code: string } }).error.code]).toStrictEqual([400, 'NoRegisteredProviderFound']);
  });

  it('takes faults through the admin API too', async () => {
    const posted = await rawRequest(emulator, 'POST', '/_emulator/faults', { 'content-type': 'application/json' }, JSON.stringify({ kind: 'server-error', count: 1 }));
    expect([posted.status, posted.body]).toStrictEqual([202, { pending: [{ kind: 'server-error', count: 1, status: 500 }] }]);
    const invalid = await rawRequest(emulator, 'POST', '/_emulator/faults', {}, JSON.stringify({ kind: 'meteor' }));
    expect(invalid.status).toBe(400);
    await client.agentPools.get(RG, CLUSTER, 'system');
    expect(emulator.faults.pending()).toStrictEqual([]);
  });
});

describe('ARM emulator timing as the SDK sees it', () => {
  let emulator: ArmEmulator | undefined;
  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  it('throttles PUTs per pool with a token bucket, and the SDK waits out the Retry-After', async () => {
    emulator = await startArmEmulator(emulatorOptions({ putThrottle: { capacity: 1, refillIntervalMs: 1_000 }, provisioningDelayMs: 100 }));
    const client = clientFor(emulator);
    const current = await client.agentPools.get(RG, CLUSTER, 'gpuspot');
    await client.agentPools.createOrUpdate(RG, CLUSTER, 'gpuspot', { ...current, count: 1 }, POLL);
    const started = Date.now();
    const second: AgentPool = await client.agentPools.createOrUpdate(RG, CLUSTER, 'gpuspot', { ...current, count: 2 }, POLL);
    expect(second.count).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    const throttled = emulator.requests().filter((entry) => entry.status === 429);
    expect(throttled.map((entry) => [entry.method, entry.code])).toStrictEqual([['PUT', 'Throttled']]);
    // Another pool has its own bucket.
    const other = await client.agentPools.get(RG, CLUSTER, 'gpuauto');
    await client.agentPools.createOrUpdate(RG, CLUSTER, 'gpuauto', { ...other, count: 1 }, POLL);
    expect(emulator.requests().filter((entry) => entry.status === 429)).toHaveLength(1);
  });

  it('paces operation polls by the Retry-After of InProgress answers', async () => {
    emulator = await startArmEmulator(emulatorOptions({ asyncRetryAfterSeconds: 1, provisioningDelayMs: 1_200 }));
    const client = clientFor(emulator);
    const current = await client.agentPools.get(RG, CLUSTER, 'gpuspot');
    // Without Retry-After the SDK would wait 10 s between polls; with it, about 1 s.
    const started = Date.now();
    const result = await client.agentPools.createOrUpdate(RG, CLUSTER, 'gpuspot', { ...current, count: 3 }, { updateIntervalInMs: 10_000 });
    expect(result.count).toBe(3);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1_200);
    expect(elapsed).toBeLessThan(5_000);
    const polls = emulator.requests().filter((entry) => entry.url.includes('/operations/'));
    expect(polls.length).toBeGreaterThanOrEqual(2);
    const gaps = polls.slice(1).map((entry, index) => entry.startedAt - (polls[index]?.startedAt ?? 0));
    expect(gaps.every((gap) => gap >= 950 && gap < 2_000)).toBe(true);
  });
});
