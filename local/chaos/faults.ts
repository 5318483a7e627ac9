/**
 * Faults on the way of one real failover, in order: the brain's dependencies go down mid-request and
 * mid-operation (Blob, Queue, ARM, the Kubernetes API), fifty copies of the signal race each other, one state write
 * lands but its answer is lost, and the failover must still complete with one transition. Then the aggregator is
 * killed and must resume where it was without counting an accepted update twice.
 */
import { blobPaths } from '../../protocol/blob-layout';
import { postSignal, send, summary, waitFor, type ChaosCase } from './case';
import { registerClient, signalBody } from './edges';
import { CHAOS_RUN_ID, type Dependency, type Harness } from './harness';
import { pushUpdate } from './rules';

/**
 * The failover signal every fault case drives: the same id throughout, as the signal Lambda retries it. It names
 * 1,000 instances (the most a signal may): once, a state that copied them all no longer read back.
 */
const LOST_INSTANCES = Array.from({ length: 1000 }, (_, i) => `i-${(i + 0x1000).toString(16).padStart(17, '0')}`);
const FAILOVER_SIGNAL = signalBody('aws-unhealthy', `chaos-failover-${process.pid}`, { instanceIds: LOST_INSTANCES });


interface BrainStatus {
  readonly phase?: string;
  readonly transitions?: readonly unknown[];
  readonly pendingOperation?: unknown;
}
const brainStatus = async (h: Harness): Promise<BrainStatus> => ((await send(`${h.brainUrl}/api/status?runId=${CHAOS_RUN_ID}&transitions=50`)).json ?? {}) as BrainStatus;

/** `503 <reason> retry-after` for an unavailable answer: what failed and when to come back, never where. */
const unavailable = (answer: Awaited<ReturnType<typeof send>>): string =>
  `${answer.status} ${String(answer.json?.reason ?? answer.json?.error)}${answer.headers.get('retry-after') ? ' retry-after' : ''}`;

/** Takes `dependency` down for the duration of `during`, then brings it back. */
async function withOutage<T>(h: Harness, dependency: Dependency, during: () => Promise<T>): Promise<T> {
  h.relays[dependency].setUp(false);
  try {
    return await during();
  } finally {
    h.relays[dependency].setUp(true);
  }
}

/** `one failover started`, or how many: the brain must start exactly one whatever the faults. */
function failoversStarted(status: BrainStatus): string {
  const started = (status.transitions ?? []).filter((t) => (t as { to?: string; outcome?: string }).to === 'failing-over' && (t as { outcome?: string }).outcome === 'started').length;
  return started === 1 ? 'one failover started' : `${started} failovers started`;
}

const faultCase = (id: string, target: string, expected: string, run: (h: Harness) => Promise<string>): ChaosCase => ({ id: `faults/${id}`, target, expected, run });

export const FAULT_CASES: readonly ChaosCase[] = [
  faultCase('blob-down-during-a-signal', 'brain, Blob down', '503 blob is unavailable retry-after, then 202 recorded', async (h) => {
    const during = await withOutage(h, 'blob', () => postSignal(h, signalBody('drill')));
    return `${unavailable(during)}, then ${summary(await postSignal(h, signalBody('drill')))}`;
  }),
  faultCase('queue-down-when-the-failover-starts', 'brain, Queue down', '503 queue is unavailable retry-after, pool untouched', async (h) => {
    const before = h.poolCount();
    const answer = await withOutage(h, 'queue', () => postSignal(h, FAILOVER_SIGNAL));
    return `${unavailable(answer)}, pool ${h.poolCount() === before ? 'untouched' : 'changed'}`;
  }),
  faultCase('arm-down-when-the-pool-put-is-made', 'brain, ARM down', '2xx, the continuation owns the PUT', async (h) => {
    const answer = await withOutage(h, 'arm', () => postSignal(h, FAILOVER_SIGNAL));
    const drives = (answer.json?.drives ?? []) as { continuationQueued?: boolean }[];
    return `${answer.status >= 200 && answer.status < 300 ? '2xx' : summary(answer)}, ${drives.some((d) => d.continuationQueued) ? 'the continuation owns the PUT' : `no continuation: ${JSON.stringify(answer.json)}`}`;
  }),
  faultCase('fifty-concurrent-copies-of-the-signal', 'brain, duplicates', 'no 500, one failover started', async (h) => {
    const answers = await Promise.all(Array.from({ length: 50 }, () => postSignal(h, FAILOVER_SIGNAL)));
    const failed = answers.filter((a) => a.status >= 500 && a.status !== 503).length;
    return `${failed === 0 ? 'no 500' : `${failed} answers of 500`}, ${failoversStarted(await brainStatus(h))}`;
  }),
  faultCase('kubernetes-down-while-the-pool-grows', 'brain, Kubernetes API down', 'pool grown, phase failing-over while the API is down', async (h) => {
    return withOutage(h, 'kubernetes', async () => {
      const count = await waitFor(() => h.poolCount(), (n) => n > 0, 20_000);
      const { phase } = await brainStatus(h);
      return `pool ${count > 0 ? 'grown' : 'still empty'}, phase ${phase ?? 'unknown'} while the API is down`;
    });
  }),
  faultCase('the-failover-completes', 'brain, end to end', 'azure-active, trainers scaled to the pool, one failover started', async (h) => {
    const status = await waitFor(() => brainStatus(h), (s) => s.phase === 'azure-active', 30_000, 250);
    const replicas = h.cluster.deployment('fl', 'fl-trainer')?.replicas;
    return `${status.phase ?? 'unknown'}, trainers scaled ${replicas === h.poolCount() ? 'to the pool' : `to ${replicas ?? 'none'} for ${h.poolCount()} nodes`}, ${failoversStarted(status)}`;
  }),
  faultCase('ambiguous-state-write', 'brain, Blob answer lost', '2xx, state readable, no extra transition', async (h) => {
    const before = (await brainStatus(h)).transitions?.length ?? 0;
    // The next state write lands, but the brain never hears so; the SDK's retry then fails its own condition.
    h.blobAnswers.loseNext((request) => request.method === 'PUT' && (request.url ?? '').includes(blobPaths.state(CHAOS_RUN_ID)));
    const answer = await postSignal(h, signalBody('drill'));
    const after = (await brainStatus(h)).transitions?.length ?? 0;
    return `${answer.status >= 200 && answer.status < 300 ? '2xx' : summary(answer)}, state readable, ${after === before ? 'no extra transition' : `${after - before} extra transitions`}`;
  }),
  faultCase('failover-signal-naming-1000-instances', 'brain, bounded state', 'the incident keeps the last 200 instances', async (h) => {
    const state = JSON.parse((await h.container.getBlockBlobClient(blobPaths.state(CHAOS_RUN_ID)).downloadToBuffer()).toString('utf8')) as { incidents: { lostInstanceIds?: string[] }[] };
    const kept = state.incidents.at(-1)?.lostInstanceIds ?? [];
    return JSON.stringify(kept) === JSON.stringify(LOST_INSTANCES.slice(-200)) ? 'the incident keeps the last 200 instances' : `the incident keeps ${kept.length} instances`;
  }),
  faultCase('aggregator-killed-after-accepting-an-update', 'aggregator, SIGKILL', '202, then after the restart 409 duplicate', async (h) => {
    // pinned-aws: the only shard no earlier case put an accepted update in this round.
    const clientId = await registerClient(h, 'pinned-aws');
    const first = await pushUpdate(h, clientId, 'pinned-aws');
    await h.restartAggregator();
    // The new process knows the trainer from status.json and its update from Blob: the retry is a duplicate.
    return `${first}, then after the restart ${await pushUpdate(h, clientId, 'pinned-aws', { modelFrom: clientId })}`;
  }),
];
