/**
 * Each incident's critical path as a waterfall: one inline-SVG chart per trace that has step spans, a row per step
 * span in the order of INCIDENT_STEPS (protocol/tracing.ts), bars on a time axis shared by the trace's rows and
 * coloured by component, the slowest step outlined on a shaded row, and the steps the trace lacks listed in plain words.
 * Static like the rest of the report: no scripts, every span name and id escaped (a span name is whatever a
 * component exported).
 */
import { INCIDENT_STEPS, type IncidentStep } from '../../../protocol/tracing';
import type { Trace, TraceSpan } from '../report';
import { escapeHtml } from './escape';
import { formatSeconds } from './format';
import { COLORS, COMPONENT_COLORS } from './palette';
import { niceTicks } from './svg-charts';

/** A span that marks a step of the critical path. */
export type StepSpan = TraceSpan & { readonly step: IncidentStep };

export interface WaterfallRow {
  readonly span: StepSpan;
  /** endMs - startMs, never negative. */
  readonly durationMs: number;
  readonly slowest: boolean;
}

/** Bars of zero (or tiny) length are drawn this wide, so every step stays visible. */
export const MIN_BAR_PX = 3;
const WIDTH = 1120;
const ROW_HEIGHT = 26;
const BAR_HEIGHT = 14;
const MARGIN = { top: 10, right: 64, bottom: 42, left: 250 };
const LABEL_FONT_PX = 11;
const textWidth = (text: string) => text.length * LABEL_FONT_PX * 0.62 + 6;
const num = (n: number) => (Math.round(n * 100) / 100).toString();
const shortId = (traceId: string) => traceId.slice(0, 8);

/** A step's duration as the report prints times (format.ts): two decimals under a second, so 45 ms is not "0.0 s". */
export function formatStepDuration(ms: number): string {
  return formatSeconds(ms, Math.abs(ms) < 1000 ? 2 : 1);
}

const isStepSpan = (span: TraceSpan): span is StepSpan => span.step !== undefined;

/** The trace's step spans in critical-path order (by step, then by start), each with its duration; the longest is `slowest`. */
export function waterfallRows(trace: Trace): WaterfallRow[] {
  const order = (step: IncidentStep) => INCIDENT_STEPS.indexOf(step);
  const spans = trace.spans.filter(isStepSpan).sort((a, b) => order(a.step) - order(b.step) || a.startMs - b.startMs || a.endMs - b.endMs);
  const durations = spans.map((s) => Math.max(0, s.endMs - s.startMs));
  const longest = Math.max(0, ...durations);
  const slowestIndex = longest > 0 ? durations.indexOf(longest) : -1;
  return spans.map((span, i) => ({ span, durationMs: durations[i] ?? 0, slowest: i === slowestIndex }));
}

/** The steps of INCIDENT_STEPS the trace has no span for, in order. */
export function missingSteps(trace: Trace): IncidentStep[] {
  const present = new Set(trace.spans.map((s) => s.step));
  return INCIDENT_STEPS.filter((step) => !present.has(step));
}

/** `a`, `a or b`, `a, b or c`. */
function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function rowTooltip({ span, durationMs, slowest }: WaterfallRow): string {
  return `${span.step}${slowest ? ' (slowest step)' : ''}: ${span.name} on ${span.component}, ${formatStepDuration(durationMs)}, from ${formatSeconds(span.startMs, 2)} to ${formatSeconds(span.endMs, 2)} since the scenario started`;
}

function swatch(fill: string, stroke = ''): string {
  return `<svg class="swatch" width="22" height="14" viewBox="0 0 22 14" aria-hidden="true" focusable="false"><rect x="1" y="2" width="20" height="10" rx="2" fill="${fill}"${stroke ? ` stroke="${stroke}" stroke-width="2"` : ''}/></svg>`;
}

/** The SVG of one trace's waterfall; `rows` non-empty. */
function waterfallSvg(trace: Trace, rows: readonly WaterfallRow[], id: string, title: string): string {
  const t0 = Math.min(...rows.map((r) => r.span.startMs));
  const t1 = Math.max(t0 + 1, ...rows.map((r) => r.span.endMs));
  const height = MARGIN.top + rows.length * ROW_HEIGHT + MARGIN.bottom;
  const plot = { left: MARGIN.left, right: WIDTH - MARGIN.right, top: MARGIN.top, bottom: height - MARGIN.bottom };
  const x = (ms: number) => plot.left + ((ms - t0) / (t1 - t0)) * (plot.right - plot.left);
  const slowest = rows.find((r) => r.slowest);
  const description =
    `Trace ${trace.traceId}: ${rows.length} step span${rows.length === 1 ? '' : 's'} in critical-path order, each bar from its start to its end, coloured by component` +
    (slowest ? `; slowest step ${slowest.span.step} (${formatStepDuration(slowest.durationMs)}).` : '.');
  const out: string[] = [
    `<svg class="chart waterfall" id="${escapeHtml(id)}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-labelledby="${escapeHtml(id)}-title ${escapeHtml(id)}-desc" preserveAspectRatio="xMidYMid meet">`,
    `<title id="${escapeHtml(id)}-title">${escapeHtml(title)}</title><desc id="${escapeHtml(id)}-desc">${escapeHtml(description)}</desc>`,
  ];

  // The slowest step's row shaded across the chart, under the grid.
  const slowestRow = rows.findIndex((r) => r.slowest);
  if (slowestRow >= 0) out.push(`<rect class="slowest-band" x="0" y="${num(plot.top + slowestRow * ROW_HEIGHT)}" width="${WIDTH}" height="${ROW_HEIGHT}" fill="${COLORS.slowestBand}"/>`);

  // Time axis in seconds since the first step's start, with grid lines through every row.
  const zero = t0 < 0 ? `${formatSeconds(-t0, 2)} before the scenario started` : `${formatSeconds(t0, 2)} into the scenario`;
  out.push('<g class="axis axis-x">');
  for (const tick of niceTicks(0, (t1 - t0) / 1000, 8)) {
    const tx = num(x(t0 + tick * 1000));
    out.push(`<line x1="${tx}" x2="${tx}" y1="${plot.top}" y2="${plot.bottom}" stroke="${COLORS.grid}"/>`);
    out.push(`<text x="${tx}" y="${plot.bottom + 16}" text-anchor="middle">${escapeHtml(`${tick} s`)}</text>`);
  }
  out.push(`<line x1="${plot.left}" x2="${plot.right}" y1="${plot.bottom}" y2="${plot.bottom}" stroke="${COLORS.axis}"/>`);
  out.push(`<text class="axis-title" x="${num((plot.left + plot.right) / 2)}" y="${height - 4}" text-anchor="middle">${escapeHtml(`seconds since the first step started (${zero})`)}</text>`);
  out.push('</g>');

  rows.forEach((row, i) => {
    const { span, durationMs } = row;
    const centre = plot.top + i * ROW_HEIGHT + ROW_HEIGHT / 2;
    const x0 = x(span.startMs);
    const x1 = Math.max(x0 + MIN_BAR_PX, x(Math.max(span.startMs, span.endMs)));
    const color = COMPONENT_COLORS[span.component];
    out.push(
      `<g class="step-row${row.slowest ? ' slowest' : ''}" data-step="${escapeHtml(span.step)}" data-component="${escapeHtml(span.component)}" data-span-id="${escapeHtml(span.spanId)}" data-duration-ms="${num(durationMs)}">` +
        `<title>${escapeHtml(rowTooltip(row))}</title>` +
        `<text class="row-label" x="${plot.left - 10}" y="${num(centre)}" text-anchor="end" dominant-baseline="middle">${escapeHtml(span.step)} <tspan class="component">· ${escapeHtml(span.component)}</tspan></text>` +
        `<rect class="bar" x="${num(x0)}" y="${num(centre - BAR_HEIGHT / 2)}" width="${num(x1 - x0)}" height="${BAR_HEIGHT}" rx="2" fill="${color}"${row.slowest ? ` stroke="${COLORS.ink}" stroke-width="2"` : ''}/>`,
    );
    // The duration right of the bar; left of it when the bar ends too close to the edge; inside it when neither fits.
    const label = `${formatStepDuration(durationMs)}${row.slowest ? ' · slowest' : ''}`;
    const where = x1 + 6 + textWidth(label) <= WIDTH - 2 ? 'right' : x0 - 6 - textWidth(label) >= plot.left ? 'left' : 'inside';
    const [lx, anchor, fill] = where === 'right' ? [x1 + 6, 'start', COLORS.text] : where === 'left' ? [x0 - 6, 'end', COLORS.text] : [x1 - 6, 'end', '#fff'];
    out.push(`<text class="bar-duration" x="${num(lx)}" y="${num(centre + 0.5)}" text-anchor="${anchor}" dominant-baseline="middle" fill="${fill}">${escapeHtml(label)}</text></g>`);
  });
  out.push('</svg>');
  return out.join('');
}

function waterfallFigure(trace: Trace, rows: readonly WaterfallRow[], id: string, scenario: string): string {
  const short = shortId(trace.traceId);
  const t0 = Math.min(...rows.map((r) => r.span.startMs));
  const total = Math.max(...rows.map((r) => r.span.endMs)) - t0;
  const slowest = rows.find((r) => r.slowest);
  const chart = waterfallSvg(trace, rows, id, `${scenario}: incident critical path, trace ${short}`);
  const components = [...new Set(rows.map((r) => r.span.component))];
  const legend =
    '<ul class="legend">' +
    components.map((c) => `<li>${swatch(COMPONENT_COLORS[c])}${escapeHtml(c)}</li>`).join('') +
    (slowest ? `<li>${swatch(COLORS.surface, COLORS.ink)}slowest step (outlined, shaded row)</li>` : '') +
    '</ul>';
  const missing = missingSteps(trace);
  const missingNote = missing.length === 0 ? '' : `<p class="missing-steps">No ${escapeHtml(orList(missing))} in this trace.</p>`;
  const summary = `${rows.length} step span${rows.length === 1 ? '' : 's'} over ${formatStepDuration(total)}${slowest ? ` · slowest: ${slowest.span.step} ${formatStepDuration(slowest.durationMs)}` : ''}`;
  return (
    `<figure class="waterfall-figure" data-trace-id="${escapeHtml(trace.traceId)}">` +
    `<figcaption>Incident critical path <span>trace <code class="trace-id" title="${escapeHtml(trace.traceId)}">${escapeHtml(short)}</code> · ${escapeHtml(summary)}</span></figcaption>` +
    `${chart}${legend}${missingNote}</figure>`
  );
}

/**
 * A scenario's incident traces as waterfalls, one per trace with step spans (ids `${id}-trace-1`, ...); a one-line
 * note instead when the scenario has none.
 */
export function traceWaterfalls(traces: readonly Trace[], id: string, scenario: string): string {
  const incidents = traces.map((trace) => ({ trace, rows: waterfallRows(trace) })).filter((t) => t.rows.length > 0);
  if (incidents.length === 0) {
    const why =
      traces.length === 0
        ? 'this scenario recorded no trace with a step of the critical path'
        : `${traces.length} trace${traces.length === 1 ? '' : 's'} recorded, none with a step of the critical path`;
    return `<p class="empty waterfall-note">No incident traces: ${escapeHtml(why)}.</p>`;
  }
  return `<div class="waterfalls">${incidents.map(({ trace, rows }, i) => waterfallFigure(trace, rows, `${id}-trace-${i + 1}`, scenario)).join('')}</div>`;
}
