/**
 * The drill report as one self-contained HTML file: per scenario the verdict, loss and accuracy per round with
 * failover/failback markers, trainer placement over time, the timing figures, the signal counters, each incident's
 * critical path as a waterfall (trace-waterfall.ts) and the timeline.
 *
 * Static and offline by design: no scripts, no external CSS, fonts or images, charts as inline SVG
 * (see svg-charts.ts for why no chart library), and a Content-Security-Policy that forbids any fetch or script,
 * so the file renders the same opened from disk, from a CI artifact or an e-mail. Every piece of report text is
 * HTML-escaped (escape.ts): a timeline detail can carry whatever an event contained.
 */
import type { DrillReport, DrillSummary, RoundMetrics, Scenario } from '../report';
import { costSection } from './cost-section';
import { escapeHtml, slug } from './escape';
import { productionSection } from './production-section';
import { roundsDetails, signalsTable, timelineDetails, timingTable } from './scenario-tables';
import { formatCount, formatLoss, formatPercent, formatPp, formatSeconds, NOT_APPLICABLE } from './format';
import { REPORT_CSS } from './html-styles';
import { azureIntervals, chartMarkers, MARKER_LABELS, roundAxisStart, roundPosition, type ChartMarker, type MarkerKind } from './markers';
import { COLORS, MARKER_STYLES } from './palette';
import { endGlyph, lineChart, niceDomain, placementChart } from './svg-charts';
import { traceWaterfalls } from './trace-waterfall';
import { ACCURACY_TOLERANCE_PP, accuracyDeltaPp, expectedIncidents, judgeReport, type Verdict } from './verdict';

export interface HtmlReportOptions {
  /** The page title. @default 'Spot-On failover drill' */
  readonly title?: string;
  /** When the drill ran; shown in the header. Omitted when not given, so the output is deterministic. */
  readonly generatedAt?: Date | string;
  /** Open the timeline tables by default. @default true */
  readonly timelineOpen?: boolean;
}

/** What each scenario injects, in one sentence, for the section header. */
export const SCENARIO_DESCRIPTIONS: Readonly<Record<Scenario, string>> = {
  'spot-interruption': 'A two-minute Spot interruption warning for an AWS trainer node: the trainer flushes its partial update, training fails over to the Azure GPU Spot pool and fails back when AWS capacity returns.',
  'capacity-loss': 'An AWS Spot trainer node disappears without a warning: at most the current round is redone, on Azure, until AWS capacity returns.',
  'aws-outage': 'AWS stops answering (trainers, EventBridge and Lambda): the aggregator on Azure notices the silence and signals the failover itself, and the failback when AWS reports again.',
  'duplicate-storm': 'The same interruption event is delivered many times: the brain deduplicates the signals and fails over and back exactly once.',
  'vpn-outage': 'The site-to-site VPN between AWS and Azure drops: AWS trainers cannot reach the aggregator, which fails over to Azure and back when the tunnel returns.',
  'quiet-deploy': 'A fresh deployment trains with no incident at all: no alarm, no silence and no signal may start a failover.',
  'long-vpn-outage': 'The VPN is down for an hour (compressed) while a Spot interruption happens: the signal waits in the outbox, nothing is dead-lettered, and the failover happens when the tunnel returns.',
  'brain-outage': 'AWS goes silent (no event can get out) while the Function App is unreachable for 10 (compressed) minutes: the aggregator keeps its aws-silent until the brain is back, then the failover and failback run as usual.',
  'ambiguous-commit': 'The brain writes its failover intent, the write lands, but its answer is lost: the storage SDK retries and fails its own condition. The brain must recognise its own write and carry the failover through, with no second signal.',
  deadline: 'A run with a deadline loses every AWS Spot node and the Azure Spot pool has no capacity either: behind its uniform progress line, the brain moves the failover to the on-demand GPU pool (the deadline safety net), the run trains there, fails back when Spot returns, and finishes before its deadline.',
  'partial-loss': 'One of the AWS Spot nodes is reclaimed with no alarm: Azure covers the missing trainer and training fails back once Karpenter replaces the node.',
};

const DEFAULT_TITLE = 'Spot-On failover drill';

/** Renders one or several scenario reports as a complete HTML document. */
export function renderHtmlReport(summary: DrillSummary, options: HtmlReportOptions = {}): string {
  const title = options.title ?? DEFAULT_TITLE;
  const verdicts = summary.scenarios.map((r) => judgeReport(r));
  const failed = verdicts.filter((v) => !v.pass).length;
  const ids = uniqueIds(summary.scenarios.map((r) => `scenario-${slug(r.scenario)}`));
  const generated = options.generatedAt === undefined ? '' : ` · generated ${escapeHtml(formatGeneratedAt(options.generatedAt))}`;
  const overall =
    summary.scenarios.length === 0
      ? ''
      : failed === 0
        ? `<span class="badge pass large">${summary.scenarios.length === 1 ? 'PASS' : `ALL ${summary.scenarios.length} SCENARIOS PASS`}</span>`
        : `<span class="badge fail large">${failed} OF ${summary.scenarios.length} FAIL</span>`;
  const sections = summary.scenarios.map((report, i) => scenarioSection(report, verdicts[i] ?? judgeReport(report), ids[i] ?? `scenario-${i}`, options, summary.timeCompression?.factor));
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Nothing may be fetched or run: the report is data, and a hostile timeline detail must stay text.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    '<div class="page">',
    '<header class="page-header">',
    `<div><p class="eyebrow">Local failover drill report</p><h1>${escapeHtml(title)}</h1>`,
    `<p class="subtitle">${summary.scenarios.length} scenario${summary.scenarios.length === 1 ? '' : 's'}${generated}</p></div>`,
    overall,
    '</header>',
    '<main>',
    summary.scenarios.length === 0 ? '<p class="card empty">No scenarios in this report.</p>' : overviewTable(summary.scenarios, verdicts, ids),
    productionSection(summary),
    ...sections,
    '</main>',
    '<footer>Spot-On · times are measured from the start of each scenario · hover a point, marker or bar for details</footer>',
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function formatGeneratedAt(at: Date | string): string {
  const date = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) return String(at);
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Element ids per scenario, suffixed when a summary holds the same scenario twice. */
function uniqueIds(bases: readonly string[]): string[] {
  const counts = new Map<string, number>();
  return bases.map((base) => {
    const n = (counts.get(base) ?? 0) + 1;
    counts.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  });
}

const badge = (verdict: Verdict) => (verdict.pass ? '<span class="badge pass">PASS</span>' : '<span class="badge fail">FAIL</span>');

function overviewTable(reports: readonly DrillReport[], verdicts: readonly Verdict[], ids: readonly string[]): string {
  const rows = reports.map((r, i) => {
    const v = verdicts[i] ?? judgeReport(r);
    const expected = expectedIncidents(r.scenario);
    return (
      `<tr><th scope="row"><a href="#${ids[i]}">${escapeHtml(r.scenario)}</a></th><td>${badge(v)}</td>` +
      `<td class="num">${formatCount(r.examplesLost)}</td>` +
      `<td class="num">${formatPercent(r.accuracy.final)}</td>` +
      `<td class="num">${formatPp(accuracyDeltaPp(r))}</td>` +
      `<td class="num"${r.failovers === expected.failovers && r.failbacks === expected.failbacks ? '' : ` title="expected ${expected.failovers} / ${expected.failbacks}"`}>${r.failovers} / ${r.failbacks}</td>` +
      `<td class="num">${formatSeconds(r.checkpoint.warningToDurableMs)}</td>` +
      `<td class="num">${formatSeconds(r.failover.signalToTrainingResumedMs)}</td>` +
      `<td class="num">${formatSeconds(r.failback.signalToAwsPrimaryMs)}</td>` +
      `<td class="num">${formatSeconds(r.durationMs)}</td></tr>`
    );
  });
  return (
    '<section class="card overview" aria-labelledby="overview-title"><div class="overview-head"><h2 id="overview-title">Scenarios</h2>' +
    `<p class="criteria">Pass: no examples lost · accuracy within ±${ACCURACY_TOLERANCE_PP} pp of the uninterrupted baseline · the expected failovers and failbacks</p></div><div class="table-scroll"><table>` +
    '<thead><tr><th scope="col">Scenario</th><th scope="col">Verdict</th><th scope="col" class="num">Examples lost</th><th scope="col" class="num">Final accuracy</th>' +
    '<th scope="col" class="num">Δ baseline</th><th scope="col" class="num">Failovers / failbacks</th><th scope="col" class="num">Warning → durable</th>' +
    '<th scope="col" class="num">Signal → resumed</th><th scope="col" class="num">Failback</th><th scope="col" class="num">Duration</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table></div></section>`
  );
}

function kpi(label: string, value: string, note: string, ok = true): string {
  return `<div class="kpi${ok ? '' : ' is-fail'}"><div class="label">${escapeHtml(label)}</div><div class="value">${escapeHtml(value)}</div><div class="note">${escapeHtml(note)}</div></div>`;
}

function scenarioSection(report: DrillReport, verdict: Verdict, id: string, options: HtmlReportOptions, compressionFactor?: number): string {
  const markers = chartMarkers(report);
  const check = (name: string) => verdict.checks.find((c) => c.name === name)?.pass ?? true;
  const expected = expectedIncidents(report.scenario);
  const failures = verdict.failures.length === 0 ? '' : `<div class="failures" role="note"><ul>${verdict.failures.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul></div>`;
  const kpis = [
    kpi('Examples lost', formatCount(report.examplesLost), `trained, never aggregated; ${formatCount(report.examplesRedone)} redone after an epoch change, ${formatCount(report.examplesDuplicated ?? 0)} trained twice at a shard handover`, check('examples-lost')),
    kpi('Final accuracy', formatPercent(report.accuracy.final), `baseline ${formatPercent(report.accuracy.baseline)} · ${formatPp(accuracyDeltaPp(report))}`, check('accuracy')),
    kpi('Failovers / failbacks', `${report.failovers} / ${report.failbacks}`, `expected ${expected.failovers} / ${expected.failbacks}`, check('failovers') && check('failbacks')),
    kpi('Resumed after signal', formatSeconds(report.failover.signalToTrainingResumedMs), `Azure pool ready in ${formatSeconds(report.failover.signalToPoolScaledMs)}`),
    kpi('Duration', formatSeconds(report.durationMs), `${report.rounds} rounds · seed ${report.seed}`),
  ].join('');
  return [
    `<section class="card scenario" id="${id}" data-scenario="${escapeHtml(report.scenario)}" aria-labelledby="${id}-title">`,
    `<div class="scenario-header"><h2 id="${id}-title">${escapeHtml(report.scenario)}</h2>${badge(verdict)}<span class="meta">epochs <span class="epochs">${report.epochs.map((e) => escapeHtml(e)).join(' → ') || NOT_APPLICABLE}</span></span></div>`,
    `<p class="description">${escapeHtml(SCENARIO_DESCRIPTIONS[report.scenario])}</p>`,
    failures,
    `<div class="kpis">${kpis}</div>`,
    roundCharts(report, markers, id),
    placementFigure(report, markers, id),
    '<div class="grid-2">',
    timingTable(report),
    signalsTable(report),
    '</div>',
    traceWaterfalls(report.traces ?? [], id, report.scenario), // ?? []: a report from before traces, not read through the schema
    costSection(report, compressionFactor),
    roundsDetails(report),
    timelineDetails(report, options.timelineOpen ?? true),
    '</section>',
  ].join('\n');
}

function pointFill(r: RoundMetrics): string {
  if (r.participants.azure === 0) return COLORS.aws;
  if (r.participants.aws === 0) return COLORS.azure;
  return COLORS.mixed;
}

function pointTooltip(r: RoundMetrics): string {
  const partial = r.partialUpdates > 0 ? ` · ${r.partialUpdates} flushed partial update${r.partialUpdates === 1 ? '' : 's'}` : '';
  return `Round ${r.round} at ${formatSeconds(r.t)}: loss ${formatLoss(r.loss)}, accuracy ${formatPercent(r.accuracy)} · aws ${r.participants.aws}, azure ${r.participants.azure} · ${formatCount(r.examples)} examples · epoch ${r.epoch}${partial}`;
}

function swatch(body: string, width = 22): string {
  return `<svg class="swatch" width="${width}" height="14" viewBox="0 0 ${width} 14" aria-hidden="true" focusable="false">${body}</svg>`;
}

function markerLegend(kinds: readonly MarkerKind[]): string {
  return kinds
    .map((kind) => {
      const s = MARKER_STYLES[kind];
      return `<li>${swatch(`<line x1="11" x2="11" y1="0" y2="14" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`, 14)}${escapeHtml(MARKER_LABELS[kind])}</li>`;
    })
    .join('');
}

function roundCharts(report: DrillReport, markers: readonly ChartMarker[], id: string): string {
  const rounds = [...report.roundsDetail].sort((a, b) => a.round - b.round);
  if (rounds.length === 0) return '<p class="empty">No rounds were committed.</p>';
  const last = rounds[rounds.length - 1]?.round ?? 0;
  const xDomain: [number, number] = [roundAxisStart(rounds), Math.max(last, roundAxisStart(rounds) + 1)];
  const bands = azureIntervals(markers, report.durationMs).map((b) => ({ from: roundPosition(b.from, rounds), to: roundPosition(b.to, rounds) }));
  const common = { xDomain, markers, bands };
  const loss = lineChart({
    ...common,
    id: `${id}-loss`,
    title: `${report.scenario}: loss per round`,
    description: `Training loss after each of ${rounds.length} committed rounds, from ${formatLoss(rounds[0]?.loss ?? 0)} to ${formatLoss(rounds[rounds.length - 1]?.loss ?? 0)}, with failover and failback markers.`,
    points: rounds.map((r) => ({ x: r.round, y: r.loss, tooltip: pointTooltip(r), fill: pointFill(r), ring: r.partialUpdates > 0 })),
    yDomain: niceDomain(rounds.map((r) => r.loss), { includeZero: true }),
    yFormat: (v) => (Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(1)),
    yLabel: 'loss',
    lineColor: COLORS.loss,
  });
  const accuracyValues = [...rounds.map((r) => r.accuracy), report.accuracy.baseline];
  const accuracy = lineChart({
    ...common,
    id: `${id}-accuracy`,
    title: `${report.scenario}: accuracy per round`,
    description: `Accuracy after each committed round, final ${formatPercent(report.accuracy.final)} against ${formatPercent(report.accuracy.baseline)} for the uninterrupted baseline, with failover and failback markers.`,
    points: rounds.map((r) => ({ x: r.round, y: r.accuracy, tooltip: pointTooltip(r), fill: pointFill(r), ring: r.partialUpdates > 0 })),
    yDomain: niceDomain(accuracyValues, { floor: 0, ceiling: 1 }),
    yFormat: (v) => `${Math.round(v * 1000) / 10}%`,
    yLabel: 'accuracy',
    lineColor: COLORS.accuracy,
    reference: { y: report.accuracy.baseline, label: `baseline (no interruption) ${formatPercent(report.accuracy.baseline)}` },
  });
  const kinds = [...new Set(markers.map((m) => m.kind))];
  const dot = (color: string) => swatch(`<circle cx="7" cy="7" r="5" fill="${color}"/>`, 14);
  const legend =
    '<ul class="legend">' +
    `<li>${dot(COLORS.aws)}round on AWS only</li><li>${dot(COLORS.mixed)}AWS + Azure</li><li>${dot(COLORS.azure)}Azure only</li>` +
    (rounds.some((r) => r.partialUpdates > 0) ? `<li>${swatch(`<circle cx="7" cy="7" r="5.5" fill="none" stroke="${COLORS.incident}" stroke-width="1.5"/>`, 14)}includes flushed partial work</li>` : '') +
    (bands.length > 0 ? `<li>${swatch(`<rect width="22" height="14" fill="${COLORS.azureBand}" stroke="#bfd4ea"/>`)}depends on Azure</li>` : '') +
    markerLegend(kinds) +
    '</ul>';
  return (
    `<div class="grid-2"><figure><figcaption>Loss <span>per committed round</span></figcaption>${loss}</figure>` +
    `<figure><figcaption>Accuracy <span>per committed round, against the baseline</span></figcaption>${accuracy}</figure></div>${legend}`
  );
}

function placementFigure(report: DrillReport, markers: readonly ChartMarker[], id: string): string {
  if (report.placement.length === 0) return '';
  const trainers = new Set(report.placement.map((p) => p.clientId)).size;
  const chart = placementChart({
    id: `${id}-placement`,
    title: `${report.scenario}: trainer placement over time`,
    description: `${trainers} trainers; one row per trainer, one bar per process, coloured by cloud (AWS or Azure), with a glyph where a process was flushed, killed, scaled in or stopped.`,
    placement: report.placement,
    durationMs: report.durationMs,
    markers,
    rounds: report.roundsDetail,
    bands: azureIntervals(markers, report.durationMs),
  });
  const ends = new Set(report.placement.map((p) => p.end).filter((e) => e !== undefined));
  const endLabels: Record<string, string> = { flushed: 'flushed on a warning', killed: 'killed without warning', 'scaled-in': 'scaled in', stopped: 'stopped at the end' };
  const endItems = (['flushed', 'killed', 'scaled-in', 'stopped'] as const)
    .filter((e) => ends.has(e))
    .map((e) => `<li>${swatch(endGlyph(e, 8, 7), 16)}${endLabels[e]}</li>`)
    .join('');
  const legend =
    '<ul class="legend">' +
    `<li>${swatch(`<rect y="2" width="22" height="10" rx="2" fill="${COLORS.aws}"/>`)}AWS Spot node</li>` +
    `<li>${swatch(`<rect y="2" width="22" height="10" rx="2" fill="${COLORS.azure}"/>`)}Azure gpuspot node</li>` +
    endItems +
    '</ul>';
  return `<figure><figcaption>Trainer placement <span>one row per trainer; ticks on top mark round commits</span></figcaption>${chart}${legend}</figure>`;
}
