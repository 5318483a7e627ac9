/** The sample generator itself: valid against the binding schema and shaped like a real drill. */
import { INCIDENT_STEPS } from '../../../protocol/tracing';
import { DrillReportSchema, DrillSummarySchema, SCENARIOS } from '../../../local/drill/report';
import { sampleReport, sampleSummary } from './sample-report';

describe('sample drill reports', () => {
  it.each(SCENARIOS)('%s parses with DrillReportSchema', (scenario) => {
    const report = sampleReport({ scenario });
    expect(DrillReportSchema.parse(report)).toStrictEqual(report);
  });

  it('builds a two-scenario summary that parses with DrillSummarySchema', () => {
    const summary = sampleSummary();
    expect(DrillSummarySchema.parse(summary)).toStrictEqual(summary);
    expect(summary.scenarios.map((s) => s.scenario)).toStrictEqual(['spot-interruption', 'aws-outage']);
  });

  it('commits rounds in time order, with the warning during round 3 and the failback during round 8', () => {
    const report = sampleReport();
    const times = report.roundsDetail.map((r) => r.t);
    expect(times).toStrictEqual([...times].sort((a, b) => a - b));
    const commit = (round: number) => report.roundsDetail.find((r) => r.round === round)?.t ?? NaN;
    const at = (event: string) => report.timeline.find((e) => e.event === event)?.t ?? NaN;
    expect(at('spot-warning')).toBeGreaterThan(commit(2));
    expect(at('spot-warning')).toBeLessThan(commit(3));
    expect(at('failback-started')).toBeGreaterThan(commit(7));
    expect(at('failback-started')).toBeLessThan(commit(8));
    expect(report.roundsDetail.find((r) => r.round === 3)?.partialUpdates).toBe(1);
    expect(report.roundsDetail.map((r) => r.participants.azure)).toStrictEqual([0, 0, 0, 0, 1, 1, 1, 1, 0, 0]);
  });

  it('traces the incident: every step with a warning, no warning nor flush without one, no trace without an incident', () => {
    const steps = (scenario: Parameters<typeof sampleReport>[0]) => sampleReport(scenario).traces.map((t) => [...new Set(t.spans.map((s) => s.step).filter((s) => s !== undefined))]);
    expect(steps({ scenario: 'spot-interruption' })).toStrictEqual([[...INCIDENT_STEPS]]);
    expect(steps({ scenario: 'aws-outage' })).toStrictEqual([INCIDENT_STEPS.filter((s) => s !== 'warning' && s !== 'flush-durable')]);
    expect(sampleReport({ scenario: 'quiet-deploy' }).traces).toStrictEqual([]);
    const report = sampleReport();
    const [trace] = report.traces;
    // The warning step starts before the warning's timeline entry (the event time), the failback long after the failover.
    const step = (name: string) => trace?.spans.find((s) => s.step === name);
    expect(step('warning')?.startMs).toBeLessThan(report.timeline.find((e) => e.event === 'spot-warning')?.t ?? NaN);
    expect((step('failback')?.startMs ?? NaN) - (step('pool-scaled')?.endMs ?? NaN)).toBeGreaterThan(10_000);
    // Every parent is a span of the same trace.
    const ids = new Set(trace?.spans.map((s) => s.spanId));
    expect(trace?.spans.filter((s) => s.parentSpanId !== undefined && !ids.has(s.parentSpanId))).toStrictEqual([]);
  });
});
