/**
 * The drill's final terminal output: the timeline of one scenario as aligned columns, and a summary table with
 * one line per scenario and its PASS/FAIL verdict (verdict.ts holds the rule, shared with the HTML report).
 */
import type { DrillReport, DrillSummary } from '../report';
import { formatCount, formatPercent, formatPp, formatSeconds } from './format';
import { markerKind } from './markers';
import { formatColumns, terminalSafe } from './text-table';
import { accuracyDeltaPp, judgeReport } from './verdict';

export { expectedIncidents, judgeReport, ACCURACY_TOLERANCE_PP } from './verdict';

/** Seconds with two decimals and no unit, for the `t` column. */
const seconds = (ms: number) => (ms / 1000).toFixed(2);

/**
 * The timeline of one scenario: a title line, then `t (s)`, component, event, round, detail in aligned columns,
 * ordered by time; marker events (MARKER_EVENTS) carry a `>` in the first column so the failover steps stand out.
 */
export function renderTimeline(report: DrillReport): string {
  const entries = [...report.timeline].sort((a, b) => a.t - b.t);
  const rows = [
    ['', 't (s)', 'component', 'event', 'round', 'detail'],
    ...entries.map((e) => [markerKind(e.event) ? '>' : '', seconds(e.t), e.component, terminalSafe(e.event), e.round === undefined ? '' : String(e.round), terminalSafe(e.detail ?? '')]),
  ];
  const title = `${report.scenario}: timeline, ${entries.length} event${entries.length === 1 ? '' : 's'} over ${formatSeconds(report.durationMs)}`;
  return [title, ...formatColumns(rows, ['left', 'right', 'left', 'left', 'right', 'left'])].join('\n') + '\n';
}

/**
 * One line per scenario with the key figures and its verdict (`PASS`, or `FAIL: ` and what failed), under a
 * header, followed by a legend of the timing columns and a total line.
 */
export function renderSummaryTable(summary: DrillSummary): string {
  const header = ['scenario', 'rounds', 'lost', 'accuracy', 'baseline', 'delta', 'failovers', 'failbacks', 'flush', 'resume', 'failback', 'duration', 'verdict'];
  let passed = 0;
  const rows = summary.scenarios.map((r) => {
    const verdict = judgeReport(r);
    if (verdict.pass) passed++;
    return [
      r.scenario,
      String(r.rounds),
      formatCount(r.examplesLost),
      formatPercent(r.accuracy.final),
      formatPercent(r.accuracy.baseline),
      formatPp(accuracyDeltaPp(r)),
      String(r.failovers),
      String(r.failbacks),
      formatSeconds(r.checkpoint.warningToDurableMs),
      formatSeconds(r.failover.signalToTrainingResumedMs),
      formatSeconds(r.failback.signalToAwsPrimaryMs),
      formatSeconds(r.durationMs),
      verdict.pass ? 'PASS' : `FAIL: ${verdict.failures.join('; ')}`,
    ];
  });
  const align = ['left', ...Array<'right'>(11).fill('right'), 'left'] as const;
  const total = summary.scenarios.length;
  return (
    [
      ...formatColumns([header, ...rows], align),
      '',
      'flush = Spot warning to durable checkpoint · resume = failover signal to training resumed · failback = failback signal to aws-primary',
      total === 0 ? 'no scenarios ran' : `${passed} of ${total} scenario${total === 1 ? '' : 's'} passed${passed === total ? '' : `, ${total - passed} failed`}`,
    ].join('\n') + '\n'
  );
}
