import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { EXIT_INVALID_INPUT, simulateCommand } from '../../../../cli/commands/simulate';
import type { RawSimulateOptions } from '../../../../finops/simulate/options';
import { POLICY_NAMES } from '../../../../finops/simulate/policies/registry';

/** The --json contract others script against. */
const ReportSchema = z.looseObject({
  policies: z.array(
    z.strictObject({
      name: z.string(),
      costRatioMean: z.number(),
      costRatioP50: z.number(),
      costRatioP95: z.number(),
      costUsdMean: z.number(),
      deadlineMisses: z.int().nonnegative(),
      spotFraction: z.number().min(0).max(1),
      failoversMean: z.number().nonnegative(),
    }),
  ),
  windows: z.array(z.string()),
  settings: z.looseObject({ jobHours: z.number(), deadlineHours: z.number() }),
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'spot-on-simulate-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes Can't Be Late traces (available-is-0, hourly) for one pool: `{ 'w1.json': '0011', ... }`. */
function pool(name: string, windows: Record<string, string>): string {
  const folder = path.join(dir, name);
  mkdirSync(folder, { recursive: true });
  for (const [file, capacity] of Object.entries(windows)) {
    writeFileSync(path.join(folder, file), JSON.stringify({ metadata: { gap_seconds: 3600 }, data: [...capacity].map(Number) }));
  }
  return folder;
}

const run = (overrides: RawSimulateOptions) =>
  simulateCommand({
    pool: [`aws/us-east-1a=${pool('a', { 'w1.json': '00110000', 'w2.json': '00000000' })}`, `azure/koreacentral=${pool('k', { 'w1.json': '11000000', 'w2.json': '11111111' })}`],
    jobHours: '4',
    deadlineHours: '6',
    changeoverHours: '0.2',
    failoverHours: '0.5',
    failbackHours: '0.5',
    onDemandPrice: '3.06',
    spotPrice: '0.97',
    traceEncoding: 'available-is-0',
    policy: 'all',
    json: true,
    ...overrides,
  });

const failure = (message: string) => ({ exitCode: EXIT_INVALID_INPUT, stdout: [], stderr: [`spot-on simulate: ${message}`] });

describe('spot-on simulate (the command\'s function)', () => {
  it('prints the --json report: every policy, every shared window, on-demand at exactly 1', () => {
    const result = run({});
    expect(result.exitCode).toBe(0);
    const report = ReportSchema.parse(JSON.parse(result.stdout[0] ?? ''));
    expect(report.policies.map((policy) => policy.name)).toStrictEqual(POLICY_NAMES);
    expect(report.windows).toStrictEqual(['w1.json', 'w2.json']);
    expect(report.policies[0]).toStrictEqual({
      name: 'on-demand',
      costRatioMean: 1,
      costRatioP50: 1,
      costRatioP95: 1,
      costUsdMean: 4 * 3.06,
      deadlineMisses: 0,
      spotFraction: 0,
      failoversMean: 0,
    });
  });

  it('prints a table by default, one line per policy asked for', () => {
    const result = run({ json: false, policy: 'on-demand,omniscient' });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toHaveLength(4);
    expect(result.stdout[0]).toMatch(/^policy\s+cost\/OD mean\s+p50\s+p95\s+\$ mean\s+misses\s+spot %\s+failovers$/);
    expect(result.stdout[1]).toMatch(/^on-demand\s+1\.000\s+1\.000\s+1\.000\s+12\.24\s+0\/2\s+0\.0\s+0\.00$/);
  });

  it('returns a self-contained HTML chart (inline SVG, no script) when asked', () => {
    const result = run({ html: path.join(dir, 'chart.html'), policy: 'on-demand,greedy' });
    expect(result.html?.file).toBe(path.join(dir, 'chart.html'));
    expect(result.html?.content).toMatch(/^<!doctype html>[\s\S]*<svg [\s\S]*<polyline[\s\S]*on-demand[\s\S]*greedy[\s\S]*<\/svg>/);
    expect(result.html?.content).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it('prices the brain\'s replacement grace as a row of its own next to spot-on, and refuses it without spot-on', () => {
    const result = run({ policy: 'on-demand,spot-on', replacementGraceHours: '0.2' });
    const report = ReportSchema.parse(JSON.parse(result.stdout[0] ?? ''));
    expect(report.policies.map((policy) => policy.name)).toStrictEqual(['on-demand', 'spot-on', 'spot-on-grace-720s']);
    expect(run({ policy: 'greedy', replacementGraceHours: '0.2' })).toStrictEqual(failure('--replacement-grace-hours: applies to the spot-on policy: add it to --policy'));
    expect(run({ policy: 'spot-on', replacementGraceHours: '2' })).toStrictEqual(failure('--replacement-grace-hours: "2" must be at most 1 hour (the brain takes up to 3600 s)'));
  });

  it('refuses an unknown policy, naming the ones it knows', () => {
    expect(run({ policy: 'greedy,cheapest' })).toStrictEqual(failure(`--policy: unknown policy "cheapest": choose all or one or more of ${POLICY_NAMES.join(', ')}`));
  });

  it('refuses a pool name without a known cloud', () => {
    expect(run({ pool: [`gcp/us-central1=${dir}`] })).toStrictEqual(
      failure('--pool: "gcp/us-central1=' + dir + '" is not CLOUD/NAME=DIR with CLOUD aws or azure (e.g. aws/us-east-1a=traces/use1a)'),
    );
    expect(run({ pool: [`aws/a=${pool('x', {})}`, `aws/a=${pool('y', {})}`] })).toStrictEqual(failure('--pool: aws/a is given twice'));
  });

  it('refuses pools that share no window, listing what each has', () => {
    expect(run({ pool: [`aws/a=${pool('a2', { 'monday.json': '0000000' })}`, `aws/b=${pool('b2', { 'tuesday.json': '0000000' })}`] })).toStrictEqual(
      failure('no trace window (file name) is shared by all pools: aws/a has monday.json; aws/b has tuesday.json'),
    );
  });

  it('refuses an unknown trace encoding, and Can\'t Be Late traces without one', () => {
    const bad = run({ traceEncoding: 'zero-is-up' });
    expect(bad.exitCode).toBe(EXIT_INVALID_INPUT);
    expect(bad.stderr).toStrictEqual([expect.stringMatching(/^spot-on simulate: --trace-encoding: "zero-is-up" .*available-is-0.*available-is-1/)]);
    const missing = run({ traceEncoding: undefined });
    expect(missing.stderr).toStrictEqual([expect.stringMatching(/^spot-on simulate: .*[/\\]a[/\\]w1\.json: is a Can't Be Late trace: say which value means available with --trace-encoding/)]);
  });

  it('refuses missing and invalid numbers, naming the option', () => {
    expect(run({ jobHours: undefined })).toStrictEqual(failure('--job-hours: is required'));
    expect(run({ onDemandPrice: '-3' })).toStrictEqual(failure('--on-demand-price: "-3" must be a number such as 0.2'));
    expect(run({ deadlineHours: '3' })).toStrictEqual(failure('--deadline-hours: the deadline (3 h = 180 ticks) is shorter than the job (4 h = 240 ticks)'));
    expect(run({ tickSeconds: '0' })).toStrictEqual(failure('--tick-seconds: "0" must be 1-3600 seconds'));
  });
});
