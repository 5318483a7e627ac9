/** The terminal timeline and the summary table with its PASS/FAIL verdicts. */
import { SCENARIOS, type DrillReport } from '../../../local/drill/report';
import { ACCURACY_TOLERANCE_PP, expectedIncidents, judgeReport, renderSummaryTable, renderTimeline } from '../../../local/drill/view/timeline-text';
import { sampleReport } from './sample-report';

const at = (t: number) => new Date(Date.UTC(2026, 4, 14, 9, 30) + t).toISOString();

describe('renderTimeline', () => {
  it('aligns t, component, event, round and detail, flags the markers and keeps control characters inert', () => {
    const report: DrillReport = {
      ...sampleReport(),
      durationMs: 12_345,
      timeline: [
        { t: 11_120, at: at(11_120), component: 'brain', event: 'failover-started', detail: 'epoch 1', round: 3 },
        { t: 0, at: at(0), component: 'drill', event: 'scenario-started' },
        { t: 9_774, at: at(9_774), component: 'aws', event: 'spot-warning', detail: 'i-0b7e\u001b[31m red\nnext line', round: 3 },
        { t: 10_010, at: at(10_010), component: 'eventbridge', event: 'rule-matched', detail: 'spotInterruption', round: 3 },
      ],
    };
    expect(renderTimeline(report)).toBe(
      [
        'spot-interruption: timeline, 4 events over 12.3 s',
        '   t (s)  component    event             round  detail',
        '    0.00  drill        scenario-started',
        '>   9.77  aws          spot-warning          3  i-0b7e\\u001b[31m red\\nnext line',
        '   10.01  eventbridge  rule-matched          3  spotInterruption',
        '>  11.12  brain        failover-started      3  epoch 1',
        '',
      ].join('\n'),
    );
  });
});

describe('verdict', () => {
  it('expects one failover and one failback per incident, and none for a quiet deployment', () => {
    expect(SCENARIOS.map((s) => expectedIncidents(s))).toStrictEqual(SCENARIOS.map((s) => (s === 'quiet-deploy' ? { failovers: 0, failbacks: 0 } : { failovers: 1, failbacks: 1 })));
  });

  it('fails a scenario that dead-lettered a signal or an event', () => {
    const report = { ...sampleReport(), deadLettered: { interruption: 0, outbox: 1 } };
    expect(judgeReport(report).failures).toStrictEqual(['dead-lettered: 0 event(s), 1 signal(s) (expected 0)']);
  });

  it('passes at exactly the accuracy tolerance and fails just beyond it, either way', () => {
    expect(ACCURACY_TOLERANCE_PP).toBe(2);
    const judge = (accuracyDeltaPp: number) => judgeReport(sampleReport({ accuracyDeltaPp })).pass;
    expect([judge(-2), judge(2), judge(0), judge(-2.05), judge(2.05)]).toStrictEqual([true, true, true, false, false]);
  });

  it('lists every failed check', () => {
    const verdict = judgeReport(sampleReport({ examplesLost: 7, accuracyDeltaPp: 2.6, failovers: 0, failbacks: 2 }));
    expect(verdict.pass).toBe(false);
    expect(verdict.failures).toStrictEqual(['examples lost 7 (expected 0)', 'accuracy 94.6% vs baseline 92.0%: +2.6 pp (allowed ±2 pp)', 'failovers 0 (expected 1)', 'failbacks 2 (expected 1)']);
  });
});

describe('renderSummaryTable', () => {
  it('prints one line per scenario with its key figures and verdict', () => {
    const summary = {
      scenarios: [
        sampleReport({ scenario: 'spot-interruption' }),
        sampleReport({ scenario: 'aws-outage', incidentRound: 4, accuracyDeltaPp: -1.1 }),
        sampleReport({ scenario: 'capacity-loss', examplesLost: 812, failovers: 2 }),
      ],
    };
    expect(renderSummaryTable(summary)).toBe(
      [
        'scenario           rounds  lost  accuracy  baseline    delta  failovers  failbacks  flush  resume  failback  duration  verdict',
        'spot-interruption      10     0     94.6%     95.0%  -0.4 pp          1          1  1.2 s   7.8 s     4.8 s    40.8 s  PASS',
        'aws-outage             10     0     94.6%     95.7%  -1.1 pp          1          1      —   7.8 s     4.8 s    54.9 s  PASS',
        'capacity-loss          10   812     94.6%     95.0%  -0.4 pp          2          1      —   7.8 s     4.8 s    40.8 s  FAIL: examples lost 812 (expected 0); failovers 2 (expected 1)',
        '',
        'flush = Spot warning to durable checkpoint · resume = failover signal to training resumed · failback = failback signal to aws-primary',
        '2 of 3 scenarios passed, 1 failed',
        '',
      ].join('\n'),
    );
  });

  it('fails a scenario whose accuracy drifted beyond the tolerance, and says so when all pass', () => {
    const drifted = renderSummaryTable({ scenarios: [sampleReport({ scenario: 'vpn-outage', accuracyDeltaPp: -2.4 })] });
    expect(drifted.split('\n')[1]).toMatch(/^vpn-outage .* FAIL: accuracy 94\.6% vs baseline 97\.0%: -2\.4 pp \(allowed ±2 pp\)$/);
    expect(renderSummaryTable({ scenarios: [sampleReport()] }).trimEnd().split('\n').pop()).toBe('1 of 1 scenario passed');
    expect(renderSummaryTable({ scenarios: [] }).trimEnd().split('\n').pop()).toBe('no scenarios ran');
  });
});
