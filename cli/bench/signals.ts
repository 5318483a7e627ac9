/**
 * The failover brain's signal handling against real parts, in one run (brain-harness.ts: Azurite, the ARM emulator
 * through the real @azure/arm-containerservice client, the cluster simulator's Kubernetes API; the production
 * handlers unchanged).
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
import type { RequestLogEntry } from '../../local/arm';
import { DEPLOYMENT, expectAnswer, NAMESPACE, percentile, roundMs, runStatus, signalBody, startBrainHarness } from './brain-harness';

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

const FAILOVER_REPEATS = 10;
/** Fast ARM operations; a continuation every second, so an operation is looked at once or twice. */
const PROVISIONING_DELAY_MS = 1_200;
const UPDATE_DELAY_MS = 200;

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
  const harness = await startBrainHarness({ poolCopies: FAILOVER_REPEATS, provisioningDelayMs: PROVISIONING_DELAY_MS, updateDelayMs: UPDATE_DELAY_MS });
  const { arm, cluster, settings, boot, writeRunStatus, post, warm, drain } = harness;
  try {
    // (a) Signals that change no phase, on one warm process.
    const steadyRun = 'bench-signals';
    const steady = boot(settings(steadyRun, harness.gpuPool));
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
    const cycleEnv = settings(cycleRun, harness.gpuPool, { SPOTON_FAILBACK_COOLDOWN_SECONDS: '0', SPOTON_MIN_PHASE_DURATION_SECONDS: '0' });
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
      signals: { n: latencies.length, p50Ms: roundMs(percentile(latencies, 50)), p95Ms: roundMs(percentile(latencies, 95)), maxMs: roundMs(latencies.at(-1) ?? Number.NaN) },
      failoverSignal: { n: failoverLatencies.length, p50Ms: roundMs(percentile(failoverLatencies, 50)), p95Ms: roundMs(percentile(failoverLatencies, 95)) },
      armCalls: { failover, failback },
    };
  } finally {
    await harness.stop();
  }
}
