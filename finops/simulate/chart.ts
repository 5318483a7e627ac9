/**
 * `--html FILE`: a self-contained page (inline SVG, no script) of each policy's mean cost ratio against the
 * deadline's slack (deadline - job hours), one point per simulated deadline.
 */

export interface ChartSeries {
  readonly name: string;
  /** One mean cost ratio per slack, in the order of `slackHours`. */
  readonly costRatios: readonly number[];
}

export interface ChartData {
  readonly title: string;
  readonly slackHours: readonly number[];
  readonly series: readonly ChartSeries[];
}

const COLORS = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#666666', '#1f78b4', '#b2df8a'];
const WIDTH = 760;
const HEIGHT = 420;
const MARGIN = { left: 60, right: 190, top: 40, bottom: 50 };

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The SVG element. */
export function renderSvg(chart: ChartData): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const xs = chart.slackHours;
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const finite = chart.series.flatMap((series) => series.costRatios.filter(Number.isFinite));
  const yMax = Math.max(1.1, Math.ceil(Math.max(...finite, 0) * 10) / 10);
  const x = (value: number) => Math.round((MARGIN.left + (xMax === xMin ? plotWidth / 2 : ((value - xMin) / (xMax - xMin)) * plotWidth)) * 10) / 10;
  const y = (value: number) => Math.round((MARGIN.top + plotHeight - (value / yMax) * plotHeight) * 10) / 10;
  const parts: string[] = [];
  for (let tick = 0; tick <= yMax + 1e-9; tick += 0.2) {
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${y(tick)}" y2="${y(tick)}" stroke="#ddd"/>`);
    parts.push(`<text x="${MARGIN.left - 8}" y="${y(tick) + 4}" text-anchor="end" font-size="11">${tick.toFixed(1)}</text>`);
  }
  for (const value of xs) {
    parts.push(`<text x="${x(value)}" y="${MARGIN.top + plotHeight + 18}" text-anchor="middle" font-size="11">${value.toFixed(2)}</text>`);
  }
  chart.series.forEach((series, index) => {
    const color = COLORS[index % COLORS.length] ?? '#000';
    const points = series.costRatios.map((ratio, at) => [x(xs[at] ?? 0), y(ratio)] as const).filter(([, py]) => Number.isFinite(py));
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ')}"/>`);
    for (const [px, py] of points) parts.push(`<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="3" fill="${color}"/>`);
    const legendY = MARGIN.top + 14 + index * 18;
    parts.push(`<line x1="${WIDTH - MARGIN.right + 16}" x2="${WIDTH - MARGIN.right + 36}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${color}" stroke-width="3"/>`);
    parts.push(`<text x="${WIDTH - MARGIN.right + 42}" y="${legendY}" font-size="12">${escape(series.name)}</text>`);
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif">`,
    `<text x="${MARGIN.left}" y="22" font-size="14">${escape(chart.title)}</text>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotHeight}" stroke="#333"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${MARGIN.top + plotHeight}" y2="${MARGIN.top + plotHeight}" stroke="#333"/>`,
    ...parts,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 10}" text-anchor="middle" font-size="12">deadline slack (hours)</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle" font-size="12">cost / on-demand (mean)</text>`,
    '</svg>',
  ].join('\n');
}

/** The whole HTML page. */
export function renderHtml(chart: ChartData): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escape(chart.title)}</title></head>\n<body>\n${renderSvg(chart)}\n</body></html>\n`;
}
