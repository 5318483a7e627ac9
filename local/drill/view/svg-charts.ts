/**
 * The report's charts as inline SVG strings, generated here rather than by a chart library: the report is one
 * static file that must open offline from disk and from a CI artifact, with no scripts; chart libraries need a
 * browser runtime (and a bundler to inline them), which would make the page heavier, scriptable and harder to
 * test. Every chart is `role="img"` with a <title> and <desc>, and every point and marker has its own <title>.
 */
import type { Placement, RoundMetrics } from '../report';
import { escapeHtml } from './escape';
import { formatSeconds } from './format';
import type { ChartMarker } from './markers';
import { COLORS, MARKER_STYLES } from './palette';

const LABEL_FONT_PX = 11;
/** An estimate of a label's width, to keep marker labels apart without measuring text (there is no browser here). */
const labelWidth = (text: string) => text.length * LABEL_FONT_PX * 0.62 + 6;
const num = (n: number) => (Math.round(n * 100) / 100).toString();

/** A linear map from a domain to a range. */
function linear([d0, d1]: readonly [number, number], [r0, r1]: readonly [number, number]): (v: number) => number {
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** About `count` round tick values (steps of 1, 2 or 5 times a power of ten) covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max <= min) return [min];
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power);
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** A domain [min, max] widened to the nearest ticks, so the data does not touch the frame. */
export function niceDomain(values: readonly number[], options: { floor?: number; ceiling?: number; includeZero?: boolean } = {}): [number, number] {
  const finite = values.filter(Number.isFinite);
  let min = Math.min(...finite, ...(options.includeZero ? [0] : []));
  let max = Math.max(...finite);
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max - min < 1e-9) {
    min -= 0.5;
    max += 0.5;
  }
  const ticks = niceTicks(min, max, 5);
  const step = ticks.length > 1 ? (ticks[1] ?? 0) - (ticks[0] ?? 0) : 1;
  min = Math.floor(min / step + 1e-9) * step;
  max = Math.ceil(max / step - 1e-9) * step;
  return [Math.max(options.floor ?? -Infinity, min), Math.min(options.ceiling ?? Infinity, max)];
}

function svgOpen(id: string, width: number, height: number, title: string, description: string, className: string): string {
  return (
    `<svg class="chart ${className}" id="${escapeHtml(id)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" ` +
    `aria-labelledby="${escapeHtml(id)}-title ${escapeHtml(id)}-desc" preserveAspectRatio="xMidYMid meet">` +
    `<title id="${escapeHtml(id)}-title">${escapeHtml(title)}</title><desc id="${escapeHtml(id)}-desc">${escapeHtml(description)}</desc>`
  );
}

/** Marker tooltips name the event, the time and the round it fell in. */
function markerTooltip(m: ChartMarker): string {
  const round = m.round === undefined ? '' : `, round ${m.round}`;
  return `${m.event} at ${formatSeconds(m.t)}${round}${m.detail ? `: ${m.detail}` : ''}`;
}

/** Assigns each label the first row where it does not overlap the previous label; at most `rows` rows. */
function staggerLabels(xs: readonly { x: number; width: number }[], rows: number): number[] {
  const rowEnds: number[] = Array.from({ length: rows }, () => -Infinity);
  return xs.map(({ x, width }) => {
    let row = rowEnds.findIndex((end) => x > end + 6);
    if (row < 0) row = rowEnds.indexOf(Math.min(...rowEnds));
    rowEnds[row] = x + width;
    return row;
  });
}

export interface LinePoint {
  readonly x: number;
  readonly y: number;
  readonly tooltip: string;
  readonly fill: string;
  /** Draws a ring around the point (a round that aggregated flushed partial updates). */
  readonly ring?: boolean;
}

export interface LineChartSpec {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly points: readonly LinePoint[];
  readonly xDomain: readonly [number, number];
  readonly yDomain: readonly [number, number];
  readonly yFormat: (v: number) => string;
  readonly yLabel: string;
  readonly lineColor: string;
  /** A horizontal reference line, e.g. the baseline accuracy. */
  readonly reference?: { readonly y: number; readonly label: string };
  /** Markers positioned in x units (fractional rounds). */
  readonly markers: readonly ChartMarker[];
  /** Shaded x intervals (fractional rounds) during which training depended on Azure. */
  readonly bands: readonly { readonly from: number; readonly to: number }[];
  readonly width?: number;
  readonly height?: number;
}

const MARKER_ROWS = 3;

/** A per-round line chart with markers; one `circle.point` per point. */
export function lineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 560;
  const height = spec.height ?? 250;
  const margin = { top: 14 + MARKER_ROWS * 13, right: 24, bottom: 38, left: 54 };
  const plot = { left: margin.left, right: width - margin.right, top: margin.top, bottom: height - margin.bottom };
  const x = linear(spec.xDomain, [plot.left, plot.right]);
  const y = linear(spec.yDomain, [plot.bottom, plot.top]);
  const out: string[] = [svgOpen(spec.id, width, height, spec.title, spec.description, 'line-chart')];

  for (const band of spec.bands) {
    const x0 = Math.max(plot.left, x(band.from));
    const x1 = Math.min(plot.right, x(band.to));
    if (x1 > x0) out.push(`<rect class="band" x="${num(x0)}" y="${plot.top}" width="${num(x1 - x0)}" height="${plot.bottom - plot.top}" fill="${COLORS.azureBand}"/>`);
  }

  // Grid and y axis.
  out.push('<g class="axis axis-y">');
  for (const tick of niceTicks(spec.yDomain[0], spec.yDomain[1], 5)) {
    const ty = num(y(tick));
    out.push(`<line x1="${plot.left}" x2="${plot.right}" y1="${ty}" y2="${ty}" stroke="${COLORS.grid}"/>`);
    out.push(`<text x="${plot.left - 8}" y="${ty}" text-anchor="end" dominant-baseline="middle">${escapeHtml(spec.yFormat(tick))}</text>`);
  }
  out.push(`<text class="axis-title" transform="translate(14 ${num((plot.top + plot.bottom) / 2)}) rotate(-90)" text-anchor="middle">${escapeHtml(spec.yLabel)}</text>`);
  out.push('</g>');

  // X axis: one tick per round when they fit, fewer otherwise.
  const [x0, x1] = spec.xDomain;
  const every = Math.max(1, Math.ceil((x1 - x0) / ((plot.right - plot.left) / 28)));
  out.push('<g class="axis axis-x">');
  out.push(`<line x1="${plot.left}" x2="${plot.right}" y1="${plot.bottom}" y2="${plot.bottom}" stroke="${COLORS.axis}"/>`);
  for (let r = Math.ceil(x0); r <= x1; r++) {
    if ((r - Math.ceil(x0)) % every !== 0 && r !== x1) continue;
    const tx = num(x(r));
    out.push(`<line x1="${tx}" x2="${tx}" y1="${plot.bottom}" y2="${plot.bottom + 4}" stroke="${COLORS.axis}"/>`);
    out.push(`<text x="${tx}" y="${plot.bottom + 16}" text-anchor="middle">${r}</text>`);
  }
  out.push(`<text class="axis-title" x="${num((plot.left + plot.right) / 2)}" y="${height - 4}" text-anchor="middle">round</text>`);
  out.push('</g>');

  if (spec.reference) {
    const ry = num(y(spec.reference.y));
    out.push(
      `<g class="reference"><line x1="${plot.left}" x2="${plot.right}" y1="${ry}" y2="${ry}" stroke="${COLORS.baseline}" stroke-width="1.5" stroke-dasharray="6 4"/>` +
        `<text x="${plot.left + 6}" y="${num(y(spec.reference.y) + 14)}" fill="${COLORS.muted}">${escapeHtml(spec.reference.label)}</text>` +
        `<title>${escapeHtml(spec.reference.label)}</title></g>`,
    );
  }

  // Markers: a vertical line each, labels staggered over up to three rows above the plot.
  const placed = spec.markers.map((m) => ({ m, x: x(Math.min(Math.max(m.position, x0), x1)), width: labelWidth(m.label) }));
  // A label runs right of its line, into the right margin if need be; only one that would leave the chart flips left.
  const flips = placed.map((p) => p.x + 3 + p.width > width - 2);
  const rows = staggerLabels(placed.map((p, i) => ({ x: flips[i] ? p.x - p.width - 3 : p.x, width: p.width })), MARKER_ROWS);
  placed.forEach(({ m, x: mx }, i) => {
    const style = MARKER_STYLES[m.kind];
    const row = rows[i] ?? 0;
    const labelY = 12 + row * 13;
    const flip = flips[i] ?? false;
    out.push(
      `<g class="marker" data-kind="${m.kind}" data-event="${escapeHtml(m.event)}" data-position="${num(m.position)}" data-t="${m.t}">` +
        `<title>${escapeHtml(markerTooltip(m))}</title>` +
        `<line x1="${num(mx)}" x2="${num(mx)}" y1="${labelY + 3}" y2="${plot.bottom}" stroke="${style.color}" stroke-width="1.5"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''}/>` +
        `<text x="${num(flip ? mx - 3 : mx + 3)}" y="${labelY}" text-anchor="${flip ? 'end' : 'start'}" fill="${style.color}" class="marker-label">${escapeHtml(m.label)}</text></g>`,
    );
  });

  // The series.
  const sorted = [...spec.points].sort((a, b) => a.x - b.x);
  if (sorted.length > 1) {
    const d = sorted.map((p, i) => `${i === 0 ? 'M' : 'L'}${num(x(p.x))} ${num(y(p.y))}`).join(' ');
    out.push(`<path class="series" d="${d}" fill="none" stroke="${spec.lineColor}" stroke-width="2.25" stroke-linejoin="round"/>`);
  }
  for (const p of sorted) {
    const cx = num(x(p.x));
    const cy = num(y(p.y));
    if (p.ring) out.push(`<circle class="partial-ring" cx="${cx}" cy="${cy}" r="8" fill="none" stroke="${COLORS.incident}" stroke-width="1.5"/>`);
    out.push(`<circle class="point" data-round="${p.x}" cx="${cx}" cy="${cy}" r="4.5" fill="${p.fill}" stroke="#fff" stroke-width="1.5"><title>${escapeHtml(p.tooltip)}</title></circle>`);
  }
  out.push('</svg>');
  return out.join('');
}

export interface PlacementChartSpec {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly placement: readonly Placement[];
  readonly durationMs: number;
  /** Markers positioned by time. */
  readonly markers: readonly ChartMarker[];
  readonly rounds: readonly RoundMetrics[];
  /** Shaded time intervals (ms) during which training depended on Azure. */
  readonly bands: readonly { readonly from: number; readonly to: number }[];
  readonly width?: number;
}

/** A glyph at the end of a placement interval, by how it ended; each glyph has its own shape, not only a colour. */
export function endGlyph(end: Placement['end'], cx: number, cy: number): string {
  const c = (n: number) => num(n);
  switch (end) {
    case 'flushed':
      return `<path class="end end-flushed" d="M${c(cx)} ${c(cy - 7)} L${c(cx + 7)} ${c(cy)} L${c(cx)} ${c(cy + 7)} L${c(cx - 7)} ${c(cy)} Z" fill="${COLORS.recovered}" stroke="#fff" stroke-width="1.5"/>`;
    case 'killed':
      return `<path class="end end-killed" d="M${c(cx - 5)} ${c(cy - 5)} L${c(cx + 5)} ${c(cy + 5)} M${c(cx + 5)} ${c(cy - 5)} L${c(cx - 5)} ${c(cy + 5)}" stroke="${COLORS.incident}" stroke-width="3" stroke-linecap="round"/>`;
    case 'scaled-in':
      return `<path class="end end-scaled-in" d="M${c(cx - 6)} ${c(cy - 6)} L${c(cx + 6)} ${c(cy - 6)} L${c(cx)} ${c(cy + 5)} Z" fill="${COLORS.muted}" stroke="#fff" stroke-width="1.5"/>`;
    case 'stopped':
      return `<rect class="end end-stopped" x="${c(cx - 2)}" y="${c(cy - 8)}" width="4" height="16" fill="${COLORS.ink}"/>`;
    case undefined:
      return '';
  }
}

/** One row per trainer (clientId), one bar per placement interval coloured by cloud, a glyph for how it ended. */
export function placementChart(spec: PlacementChartSpec): string {
  const rowsById = new Map<string, Placement[]>();
  for (const p of [...spec.placement].sort((a, b) => a.from - b.from)) rowsById.set(p.clientId, [...(rowsById.get(p.clientId) ?? []), p]);
  const ids = [...rowsById.keys()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  // Intervals of one trainer may overlap (the AWS replacement starts before the Azure one is scaled in): such a row
  // gets one lane per overlapping interval instead of hiding one bar under the other.
  const rows = ids.map((id) => {
    const laneEnds: number[] = [];
    const bars = (rowsById.get(id) ?? []).map((p) => {
      let lane = laneEnds.findIndex((laneEnd) => laneEnd <= p.from);
      if (lane < 0) lane = laneEnds.push(0) - 1;
      laneEnds[lane] = p.to ?? Infinity;
      return { p, lane };
    });
    const lanes = Math.max(1, laneEnds.length);
    const barHeight = lanes === 1 ? 18 : 14;
    return { id, bars, lanes, barHeight, height: lanes * (barHeight + 3) + 9 };
  });
  const width = spec.width ?? 1120;
  const margin = { top: 30, right: 24, bottom: 40, left: 112 };
  const rowsHeight = rows.reduce((sum, r) => sum + r.height, 0) || 30;
  const height = margin.top + rowsHeight + margin.bottom;
  const plot = { left: margin.left, right: width - margin.right, top: margin.top, bottom: height - margin.bottom };
  const end = Math.max(spec.durationMs, ...spec.placement.map((p) => p.to ?? p.from), 1);
  const x = linear([0, end], [plot.left, plot.right]);
  const out: string[] = [svgOpen(spec.id, width, height, spec.title, spec.description, 'placement-chart')];

  for (const band of spec.bands) {
    const b0 = x(band.from);
    const b1 = x(Math.min(band.to, end));
    if (b1 > b0) out.push(`<rect class="band" x="${num(b0)}" y="${plot.top}" width="${num(b1 - b0)}" height="${plot.bottom - plot.top}" fill="${COLORS.azureBand}"/>`);
  }

  // Time axis in seconds, with grid lines.
  out.push('<g class="axis axis-x">');
  for (const tick of niceTicks(0, end / 1000, 10)) {
    const tx = num(x(tick * 1000));
    out.push(`<line x1="${tx}" x2="${tx}" y1="${plot.top}" y2="${plot.bottom}" stroke="${COLORS.grid}"/>`);
    out.push(`<text x="${tx}" y="${plot.bottom + 16}" text-anchor="middle">${escapeHtml(`${tick} s`)}</text>`);
  }
  out.push(`<line x1="${plot.left}" x2="${plot.right}" y1="${plot.bottom}" y2="${plot.bottom}" stroke="${COLORS.axis}"/>`);
  out.push(`<text class="axis-title" x="${num((plot.left + plot.right) / 2)}" y="${height - 4}" text-anchor="middle">time since the scenario started</text>`);
  out.push('</g>');

  // Round commits along the top, thinned so labels do not collide.
  out.push('<g class="axis axis-rounds">');
  let lastLabelX = -Infinity;
  for (const r of [...spec.rounds].sort((a, b) => a.t - b.t)) {
    const rx = x(r.t);
    out.push(`<line x1="${num(rx)}" x2="${num(rx)}" y1="${plot.top - 6}" y2="${plot.top}" stroke="${COLORS.axis}"><title>${escapeHtml(`round ${r.round} committed at ${formatSeconds(r.t)}`)}</title></line>`);
    if (rx - lastLabelX >= 24) {
      out.push(`<text x="${num(rx)}" y="${plot.top - 10}" text-anchor="middle">r${r.round}</text>`);
      lastLabelX = rx;
    }
  }
  out.push('</g>');

  // Markers under the bars: the lines stay visible between rows without striking through bar labels.
  for (const m of spec.markers) {
    const style = MARKER_STYLES[m.kind];
    const mx = num(x(m.t));
    out.push(
      `<g class="marker" data-kind="${m.kind}" data-event="${escapeHtml(m.event)}" data-t="${m.t}"><title>${escapeHtml(markerTooltip(m))}</title>` +
        `<line x1="${mx}" x2="${mx}" y1="${plot.top}" y2="${plot.bottom}" stroke="${style.color}" stroke-width="1.5"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''}/></g>`,
    );
  }

  let rowTop = plot.top;
  for (const row of rows) {
    const centre = rowTop + row.height / 2;
    out.push(`<g class="trainer-row" data-client="${escapeHtml(row.id)}">`);
    out.push(`<text class="row-label" x="${plot.left - 10}" y="${num(centre)}" text-anchor="end" dominant-baseline="middle">${escapeHtml(row.id)}</text>`);
    for (const { p, lane } of row.bars) {
      const cy = rowTop + 6 + lane * (row.barHeight + 3) + row.barHeight / 2;
      const x0 = x(p.from);
      const x1 = Math.max(x0 + 2, x(p.to ?? end));
      const color = p.cloud === 'aws' ? COLORS.aws : COLORS.azure;
      const ended = p.end ? `, ${p.end}` : p.to === undefined ? ', still running' : '';
      const tooltip = `${p.clientId} on ${p.cloud} node ${p.node}: ${formatSeconds(p.from)} to ${p.to === undefined ? 'the end' : formatSeconds(p.to)}${ended}`;
      out.push(`<g class="interval" data-cloud="${p.cloud}"${p.end ? ` data-end="${p.end}"` : ''}><title>${escapeHtml(tooltip)}</title>`);
      out.push(`<rect x="${num(x0)}" y="${num(cy - row.barHeight / 2)}" width="${num(x1 - x0)}" height="${row.barHeight}" rx="3" fill="${color}"/>`);
      const label = `${p.cloud} · ${p.node}`;
      if (labelWidth(label) + 14 < x1 - x0) out.push(`<text class="bar-label" x="${num(x0 + 7)}" y="${num(cy + 0.5)}" dominant-baseline="middle" fill="#fff">${escapeHtml(label)}</text>`);
      out.push(endGlyph(p.end, x1, cy));
      out.push('</g>');
    }
    out.push('</g>');
    rowTop += row.height;
  }
  out.push('</svg>');
  return out.join('');
}
