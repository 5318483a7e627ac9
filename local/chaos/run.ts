/**
 * Runs the chaos suite: every case in order against one harness, and after each one the invariants that no case may
 * break: the brain's state reads back, the aggregator serves and its status.json reads back, the trainer still
 * answers. A case passes when what it observed is what it expected and no invariant broke.
 */
import { blobPaths } from '../../protocol/blob-layout';
import { RunStatusSchema } from '../../protocol/run-status';
import { parseStateDocument } from '../../azure-functions/src/adapters/state-store';
import { send, type ChaosCase } from './case';
import { CRASH_CASES } from './crashes';
import { EDGE_CASES } from './edges';
import { FAULT_CASES } from './faults';
import { CHAOS_RUN_ID, startHarness, type Harness } from './harness';
import { RULE_CASES } from './rules';

/** Every case, in the order they run: the fault cases drive one failover after the others; crashes use their own runs. */
export const CHAOS_CASES: readonly ChaosCase[] = [...EDGE_CASES, ...RULE_CASES, ...FAULT_CASES, ...CRASH_CASES];

export interface CaseResult {
  readonly id: string;
  readonly target: string;
  readonly expected: string;
  readonly observed: string;
  readonly pass: boolean;
  readonly ms: number;
}

export interface ChaosReport {
  readonly cases: readonly CaseResult[];
  readonly totals: { readonly cases: number; readonly passed: number; readonly failed: number; readonly ms: number };
}

/** What no case may leave behind; empty when all hold. */
async function brokenInvariants(h: Harness): Promise<string[]> {
  const broken: string[] = [];
  const read = async (path: string): Promise<string | undefined> => {
    const blob = h.container.getBlockBlobClient(path);
    return (await blob.exists()) ? (await blob.downloadToBuffer()).toString('utf8') : undefined;
  };
  const state = await read(blobPaths.state(CHAOS_RUN_ID));
  if (state !== undefined) {
    try {
      parseStateDocument(state, 'brain state');
    } catch (error) {
      broken.push(`torn brain state: ${(error as Error).message}`);
    }
  }
  const status = await read(blobPaths.status(CHAOS_RUN_ID));
  if (status !== undefined && !RunStatusSchema.safeParse(JSON.parse(status)).success) broken.push('status.json does not read back');
  const aggregator = await send(`${h.aggregatorUrl()}/healthz`).catch(() => undefined);
  if (aggregator?.status !== 200) broken.push(`aggregator /healthz answered ${aggregator?.status ?? 'nothing'}`);
  const trainer = await send(`${h.trainerUrl}/healthz`).catch(() => undefined);
  if (trainer?.status !== 200) broken.push(`trainer /healthz answered ${trainer?.status ?? 'nothing'}`);
  return broken;
}

/** Starts the harness, runs `cases` (all by default), stops it; `onCase` sees each result as it comes. */
export async function runChaos(options: { cases?: readonly ChaosCase[]; onCase?: (result: CaseResult) => void; log?: (line: string) => void } = {}): Promise<ChaosReport> {
  const started = Date.now();
  const harness = await startHarness(options.log);
  const results: CaseResult[] = [];
  try {
    for (const chaosCase of options.cases ?? CHAOS_CASES) {
      const t0 = Date.now();
      let observed: string;
      try {
        observed = await chaosCase.run(harness);
      } catch (error) {
        observed = `threw: ${error instanceof Error ? error.message : String(error)}`;
      }
      const broken = await brokenInvariants(harness);
      const result: CaseResult = {
        id: chaosCase.id,
        target: chaosCase.target,
        expected: chaosCase.expected,
        observed: broken.length === 0 ? observed : `${observed}; ${broken.join('; ')}`,
        pass: observed === chaosCase.expected && broken.length === 0,
        ms: Date.now() - t0,
      };
      results.push(result);
      options.onCase?.(result);
    }
  } finally {
    await harness.stop();
  }
  const passed = results.filter((r) => r.pass).length;
  return { cases: results, totals: { cases: results.length, passed, failed: results.length - passed, ms: Date.now() - started } };
}
