/**
 * Scenarios side by side, each in a process of its own. A local cloud is process-wide (the SDKs find the local AWS
 * through process.env, aws/lambda-runner.ts), so two clouds cannot share a process; as
 * processes they share nothing but the CPU, and paced rounds leave most of it idle. Each child runs one scenario
 * against the baseline it is given and prints its report as the last line of stdout.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { DrillReportSchema, type DrillReport, type Scenario } from './report';

const SPOT_ON = path.resolve(__dirname, '..', '..', 'bin', 'spot-on.cjs');

export interface ChildScenario {
  readonly scenario: Scenario;
  /** Accuracy of the uninterrupted run after as many rounds as this scenario trains. */
  readonly baselineAccuracy: number;
}

/** Runs one scenario in a child `spot-on drill`; resolves its report, or undefined when it produced none. */
export function runScenarioInChild(child: ChildScenario, args: readonly string[], onLine: (line: string) => void): Promise<DrillReport | undefined> {
  return new Promise((resolve) => {
    const process_ = spawn(process.execPath, [SPOT_ON, 'drill', ...args, '--scenario', child.scenario, '--json', '--baseline-accuracy', String(child.baselineAccuracy)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let last = '';
    createInterface({ input: process_.stdout }).on('line', (line) => {
      if (line.trim() !== '') last = line;
    });
    createInterface({ input: process_.stderr }).on('line', onLine);
    process_.once('exit', () => {
      const parsed = DrillReportSchema.safeParse(safeJson(last));
      resolve(parsed.success ? parsed.data : undefined);
    });
  });
}

/** Runs `tasks` with at most `concurrency` at a time; results in task order. */
export async function inPool<T, R>(tasks: readonly T[], concurrency: number, run: (task: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(tasks.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < tasks.length; index = next++) results[index] = await run(tasks[index] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, tasks.length)) }, worker));
  return results;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
