/**
 * The failover brain under load: `signalsPerMin` signals a minute spread over `runs` runs, each run its own brain
 * (settings, state blob, continuation queue and GPU pool) on one Azurite, as one Function App per run would share a
 * storage account. The load is open-loop: each signal is sent at its time whether or not earlier ones are answered,
 * so concurrent signals of one run race for its state blob's ETag, as they do in Azure.
 *
 * The mix, seeded: fresh `drill` signals (recorded), re-sends of an earlier signal (the signal Lambda's retries,
 * answered as duplicates), `capacity-lost` storms (three warnings of one run at the same instant: three Spot
 * interruptions of one reclaim, the compare-and-swap's worst case) and `aws-recovered`. A signal answered 503 is
 * sent again, as SQS redelivers it to the Lambda. At the end every run's state must parse (nothing torn) and hold
 * every signal id it accepted (nothing lost).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { StateConflictError } from '../../azure-functions/src/errors';
import type { BrainServices } from '../../azure-functions/src/use-cases/services';
import type { SignalType } from '../../protocol/signal';
import { mulberry32 } from '../../fl-training/task/random';
import { percentile, roundMs, runStatus, signalBody, startBrainHarness } from './brain-harness';

export interface BrainLoadBench {
  readonly signalsPerMin: number;
  readonly runs: number;
  /** Signals sent (re-sends after a 503 not counted again). */
  readonly signals: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  /** State writes that lost their compare-and-swap (If-Match or If-None-Match refused) and were re-decided. */
  readonly casConflicts: number;
  /** Signals answered 503 and sent again. */
  readonly retried: number;
  /** Signal ids answered as accepted that no run's state holds at the end. */
  readonly lost: number;
  /** Runs whose state blob did not read back as a valid state document. */
  readonly torn: number;
}

interface Planned {
  readonly at: number;
  readonly run: number;
  readonly body: string;
  readonly id: string;
}

/** The signals of the load, in time order. */
function plan(runs: readonly string[], signalsPerMin: number, seconds: number, random: () => number): Planned[] {
  const spacing = 60_000 / signalsPerMin;
  const sent: Planned[][] = runs.map(() => []);
  const out: Planned[] = [];
  const add = (at: number, run: number, type: SignalType, id: string, instanceIds?: readonly string[]) => {
    const planned = { at, run, id, body: signalBody(runs[run]!, type, id, instanceIds) };
    sent[run]!.push(planned);
    out.push(planned);
  };
  for (let i = 0; out.length < (signalsPerMin * seconds) / 60; i++) {
    const at = out.length * spacing; // a storm's three signals take three places of the schedule
    const run = Math.floor(random() * runs.length);
    const kind = random();
    const earlier = sent[run]!;
    if (kind < 0.15 && earlier.length > 0) {
      const again = earlier[Math.floor(random() * earlier.length)]!;
      out.push({ ...again, at });
    } else if (kind < 0.25) {
      for (let k = 0; k < 3; k++) add(at, run, 'capacity-lost', `lost-${i}-${k}`, [`i-0${k}${String(i).padStart(15, '0')}`]);
    } else if (kind < 0.3) {
      add(at, run, 'aws-recovered', `recovered-${i}`);
    } else {
      add(at, run, 'drill', `drill-${i}`);
    }
  }
  return out;
}

/** Runs the load for `seconds` (60: 1,000 signals at the default rate) and checks every run's state afterwards. */
export async function benchBrainLoad(options: { signalsPerMin?: number; runs?: number; seconds?: number; seed?: number } = {}): Promise<BrainLoadBench> {
  const signalsPerMin = options.signalsPerMin ?? 1_000;
  const runCount = options.runs ?? 50;
  const harness = await startBrainHarness({ poolCopies: runCount, provisioningDelayMs: 1_200, updateDelayMs: 200 });
  try {
    let casConflicts = 0;
    const runs = Array.from({ length: runCount }, (_, i) => `bench-load-${i}`);
    const services: BrainServices[] = runs.map((runId, i) => {
      const booted = harness.boot(harness.settings(runId, `gpufo${i}`));
      const { stateStore } = booted;
      const counted = <T>(write: Promise<T>): Promise<T> =>
        write.catch((error: unknown) => {
          if (error instanceof StateConflictError) casConflicts++;
          throw error;
        });
      return { ...booted, stateStore: { ...stateStore, read: (id) => stateStore.read(id), create: (state) => counted(stateStore.create(state)), replace: (state, etag) => counted(stateStore.replace(state, etag)) } };
    });
    for (const [i, runId] of runs.entries()) {
      await harness.writeRunStatus(runStatus(runId, 3));
      await harness.warm(services[i]!, runId);
    }
    casConflicts = 0; // the warm-up's first writes do not count

    const planned = plan(runs, signalsPerMin, options.seconds ?? 60, mulberry32(options.seed ?? 1));
    const latencies: number[] = [];
    const accepted = runs.map(() => new Set<string>());
    let retried = 0;
    const started = performance.now();
    await Promise.all(
      planned.map(async (signal) => {
        await delay(Math.max(0, signal.at - (performance.now() - started)));
        for (;;) {
          const { answer, ms } = await harness.post(services[signal.run]!, signal.body);
          latencies.push(ms);
          if (answer.status === 200 || answer.status === 202) {
            accepted[signal.run]!.add(signal.id);
            return;
          }
          if (answer.status !== 503) throw new Error(`signal ${signal.id}: answered ${answer.status} ${JSON.stringify(answer.jsonBody)}`);
          retried++;
          await delay(100);
        }
      }),
    );

    let lost = 0;
    let torn = 0;
    for (const [i, runId] of runs.entries()) {
      try {
        const stored = await services[i]!.stateStore.read(runId);
        const seen = new Set(stored?.state.seenSignalIds ?? []);
        lost += [...accepted[i]!].filter((id) => !seen.has(id)).length;
      } catch {
        torn++;
      }
    }
    latencies.sort((a, b) => a - b);
    return { signalsPerMin, runs: runCount, signals: planned.length, p50Ms: roundMs(percentile(latencies, 50)), p95Ms: roundMs(percentile(latencies, 95)), casConflicts, retried, lost, torn };
  } finally {
    await harness.stop();
  }
}
