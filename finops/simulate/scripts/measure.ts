/**
 * The multi-region measurement of docs/FINOPS.md: generates seeded pool sets of 2-9 pools, runs every policy over
 * every window of every set with the same code as `spot-on simulate`, and prints one table over all windows (and,
 * with --per-set, one per set with the `spot-on simulate` command that reproduces it; give --out DIR to keep the
 * traces those commands read, else they go to a temporary folder that is removed).
 *
 *   node_modules/.bin/tsx finops/simulate/scripts/measure.ts [--seed 1] [--windows 10] [--out DIR] [--per-set] [--json]
 *     [--replacement-grace-seconds S]   (adds the brain with that replacement grace as a row)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { simulate, type Outcome } from '../engine';
import { randomPools, writePoolSet } from '../generate';
import { discretise } from '../model';
import { POLICIES } from '../policies/registry';
import { spotOnPolicyWith } from '../policies/spot-on';
import { renderTable, reportSettings, summarise, type SimulationReport } from '../report';
import { loadWindows } from '../simulate';

const POOL_COUNTS = [2, 3, 5, 6, 8, 9];
const HOURS = { jobHours: 48, deadlineHours: 52, changeoverHours: 0.2, failoverHours: 0.5, failbackHours: 0.5, onDemandUsdPerHour: 3.06 };
const SPOT_USD_PER_HOUR = 0.97;

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    windows: { type: 'string', default: '10' },
    'tick-seconds': { type: 'string', default: '60' },
    out: { type: 'string' },
    'per-set': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    // Adds a row: the brain with SPOTON_REPLACEMENT_GRACE_SECONDS set to this (a knob to price before deploying it).
    'replacement-grace-seconds': { type: 'string' },
  },
});
const seed = Number(values.seed);
const windowsPerSet = Number(values.windows);
const settings = discretise({ ...HOURS, tickSeconds: Number(values['tick-seconds']) });
const out = values.out ?? mkdtempSync(path.join(os.tmpdir(), 'spot-on-measure-'));

const grace = values['replacement-grace-seconds'] === undefined ? undefined : Number(values['replacement-grace-seconds']);
const policies = grace === undefined ? POLICIES : [...POLICIES, spotOnPolicyWith({ replacementGraceSeconds: grace })];
const outcomes = new Map<string, Outcome[]>(policies.map((policy) => [policy.name, []]));
const windowNames: string[] = [];
const started = Date.now();
try {
  POOL_COUNTS.forEach((count, set) => {
    const setSeed = seed * 100 + set;
    const pools = randomPools(setSeed, count, SPOT_USD_PER_HOUR);
    const sources = writePoolSet(path.join(out, `set-${set}`), pools, windowsPerSet, setSeed, {
      hours: HOURS.deadlineHours + 2,
      gapSeconds: 600,
      cloudWide: { meanUpHours: 72, meanDownHours: 2 },
    });
    const windows = loadWindows({ sources, settings, encoding: 'available-is-0', spotUsdPerHour: undefined });
    const runs = policies.map((policy) => {
      const results = windows.map((window) => simulate(policy, window, settings));
      outcomes.get(policy.name)?.push(...results);
      return summarise(policy.name, results, settings);
    });
    const perSet: SimulationReport = {
      policies: runs.map((run) => run.summary),
      details: runs.map((run) => run.details),
      windows: windows.map((window) => `set-${set}/${window.name}`),
      pools: sources.map((source) => source.spec),
      settings: reportSettings(settings),
    };
    windowNames.push(...perSet.windows);
    if (values['per-set'] && !values.json) {
      const flags = sources.map((source) => `--pool ${source.spec.name}=${source.dir}`).join(' ');
      process.stdout.write(`\nset ${set}: ${count} pools; spot-on simulate ${flags} --job-hours 48 --deadline-hours 52 --changeover-hours 0.2 ` +
        `--failover-hours 0.5 --failback-hours 0.5 --on-demand-price 3.06 --trace-encoding available-is-0\n${renderTable(perSet).join('\n')}\n`);
    }
  });
  const runs = policies.map((policy) => summarise(policy.name, outcomes.get(policy.name) ?? [], settings));
  const report: SimulationReport = {
    policies: runs.map((run) => run.summary),
    details: runs.map((run) => run.details),
    windows: windowNames,
    pools: [],
    settings: reportSettings(settings),
  };
  if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(`\nall sets (${POOL_COUNTS.join(', ')} pools; seed ${seed}; ${((Date.now() - started) / 1000).toFixed(1)} s)\n${renderTable(report).join('\n')}\n`);
} finally {
  if (values.out === undefined) rmSync(out, { recursive: true, force: true });
}
