/**
 * The local failover drill, as a user runs it: `spot-on drill --json` in its own process, with the production
 * Lambda handlers, the production brain in the local Functions host, the ARM emulator, Azurite, and real tfjs
 * training in trainer processes. Runs two scenarios: a Spot interruption and an AWS outage.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DrillSummarySchema, type DrillSummary } from '../../local/drill/report';
import { linkedIncidents } from '../../local/drill/traces';
import { INCIDENT_STEPS } from '../../protocol/tracing';
import { runSpotOn, type SpotOnRun } from './support/spot-on';

describe('spot-on drill', () => {
  let dir: string;
  let summary: DrillSummary;
  let result: SpotOnRun;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'spot-on-e2e-'));
    result = await runSpotOn(['drill', '--scenario', 'spot-interruption,aws-outage', '--json', '--report', dir]);
    const lines = result.stdout.trim().split('\n');
    summary = DrillSummarySchema.parse(JSON.parse(lines.at(-1) ?? '{}'));
  }, 290_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 with one JSON report per scenario on stdout and progress on stderr', () => {
    expect({ code: result.code, scenarios: summary.scenarios.map((r) => r.scenario) }).toStrictEqual({ code: 0, scenarios: ['spot-interruption', 'aws-outage'] });
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/baseline accuracy/);
  });

  it.each(['spot-interruption', 'aws-outage'])('%s loses no work, fails over and back once, and trains as well as the baseline', (scenario) => {
    const report = summary.scenarios.find((r) => r.scenario === scenario);
    expect(report).toBeDefined();
    if (!report) return;
    expect({ examplesLost: report.examplesLost, failovers: report.failovers, failbacks: report.failbacks }).toStrictEqual({ examplesLost: 0, failovers: 1, failbacks: 1 });
    expect(Math.abs(report.accuracy.final - report.accuracy.baseline)).toBeLessThanOrEqual(0.02);
    expect(report.roundsDetail.some((r) => r.participants.azure > 0)).toBe(true);
    expect(report.failover.signalToTrainingResumedMs).not.toBeNull();
    expect(report.epochs[0]).toBe(0);
    expect(report.epochs.at(-1)).toBeGreaterThanOrEqual(4);
  });

  it('ran the production handlers: Lambda invocations, signals accepted by the brain, pool operations', () => {
    for (const report of summary.scenarios) {
      const events = new Set(report.timeline.map((e) => `${e.component}:${e.event}`));
      expect([...events]).toEqual(expect.arrayContaining(['lambda:interruption-invoked', 'lambda:signal-invoked', 'brain:signals-invoked', 'arm:operation-succeeded', 'brain:failover-started', 'brain:aws-primary']));
      expect(report.signals.accepted).toBeGreaterThanOrEqual(2);
    }
    const spot = summary.scenarios.find((r) => r.scenario === 'spot-interruption');
    expect(spot?.checkpoint.warningToDurableMs).not.toBeNull();
    expect(spot?.roundsDetail.some((r) => r.partialUpdates > 0) || spot?.timeline.some((e) => e.event === 'flush-durable')).toBe(true);
  });

  it.each(['spot-interruption', 'aws-outage'])('%s: one trace links the first event of the incident to the first round with an Azure trainer', (scenario) => {
    const report = summary.scenarios.find((r) => r.scenario === scenario);
    const linked = linkedIncidents(report?.traces ?? []);
    expect(linked).toHaveLength(1);
    const chain = linked[0]?.chain ?? [];
    // Span by span: the aggregator's round <- the brain's handling of the signal <- the signal's origin. A Spot warning
    // comes through both Lambdas. In an outage, whichever reaches the brain first opens the incident: the EKS alarm
    // (through both Lambdas) or the aggregator's own aws-silent.
    const origins = scenario === 'spot-interruption' ? [['lambda', 'lambda']] : [['lambda', 'lambda'], ['aggregator']];
    expect(origins.map((origin) => ['aggregator', 'brain', ...origin])).toContainEqual(chain);
    const incident = report?.traces.find((trace) => trace.traceId === linked[0]?.traceId);
    const steps = new Set(incident?.spans.map((span) => span.step));
    // An outage flushes no trainer on a warning (the kubelet's SIGTERM drains them); an aggregator's signal needs no Lambda.
    const absent = new Set([...(scenario === 'aws-outage' ? ['flush-durable'] : []), ...(chain.at(-1) === 'aggregator' ? ['signal-delivered'] : [])]);
    expect(INCIDENT_STEPS.filter((step) => !absent.has(step) && !steps.has(step))).toStrictEqual([]);
    expect(incident?.spans.map((span) => span.component)).toEqual(expect.arrayContaining(['brain', 'arm', 'kubernetes', 'aggregator']));
  });

  it('ran the production configuration on one compressed clock, and says where it differs', () => {
    expect(summary.timeCompression?.factor).toBe(60);
    const differences = summary.differsFromProduction ?? [];
    expect(differences.map((d) => d.setting)).toEqual(expect.arrayContaining(['interruption Lambda timeout', 'TRAINER_PORT', 'SPOTON_LEASE_SECONDS']));
    // Queue settings come from the template as they are: nothing about them differs.
    expect(differences.filter((d) => /visibility|receive/i.test(d.setting))).toStrictEqual([]);
  });

  it('writes the HTML report and the JSON next to it', () => {
    expect(readFileSync(path.join(dir, 'index.html'), 'utf8')).toMatch(/<svg/);
    expect(DrillSummarySchema.parse(JSON.parse(readFileSync(path.join(dir, 'drill.json'), 'utf8'))).scenarios).toHaveLength(2);
  });
});
