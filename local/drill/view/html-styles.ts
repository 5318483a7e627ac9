/** The report's stylesheet, inlined into the page (no external CSS or fonts: the file must render offline). */
import { COLORS } from './palette';

export const REPORT_CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: ${COLORS.page}; color: ${COLORS.text}; border-top: 4px solid ${COLORS.aws};
  border-image: linear-gradient(90deg, ${COLORS.aws}, ${COLORS.azure}) 1;
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif; }
a { color: ${COLORS.azure}; }
a:focus-visible, summary:focus-visible { outline: 2px solid ${COLORS.azure}; outline-offset: 2px; }
.page { max-width: 1200px; margin: 0 auto; padding: 22px 24px 56px; }
.page-header { display: flex; justify-content: space-between; align-items: flex-end; gap: 24px; padding-bottom: 14px; }
.eyebrow { margin: 0 0 2px; font-size: 12px; font-weight: 600; letter-spacing: .08em; text-transform: uppercase; color: ${COLORS.muted}; }
h1 { margin: 0; font-size: 26px; line-height: 1.2; letter-spacing: -.01em; color: ${COLORS.ink}; }
.subtitle { margin: 6px 0 0; color: ${COLORS.muted}; }
h2 { margin: 0; font-size: 20px; line-height: 1.3; color: ${COLORS.ink}; }
h3 { margin: 0 0 8px; font-size: 14px; font-weight: 650; color: ${COLORS.ink}; }
.card { background: ${COLORS.surface}; border: 1px solid #e2e8f0; border-radius: 12px; box-shadow: 0 1px 2px rgba(15, 23, 42, .05), 0 4px 12px rgba(15, 23, 42, .03); padding: 18px 22px; margin-top: 16px; }
.overview-head { display: flex; align-items: baseline; justify-content: space-between; gap: 16px; flex-wrap: wrap; margin-bottom: 8px; }
.overview h2 { font-size: 16px; }
.criteria { margin: 0; color: ${COLORS.muted}; font-size: 12.5px; }
.overview th[scope="row"] { white-space: nowrap; }
.overview td, .overview th { padding-top: 6px; padding-bottom: 6px; }
.badge { display: inline-flex; align-items: center; gap: 6px; font-size: 12px; font-weight: 700; letter-spacing: .05em; padding: 3px 10px; border-radius: 999px; white-space: nowrap; }
.badge::before { content: ""; width: 7px; height: 7px; border-radius: 50%; background: currentColor; }
.badge.pass { background: #dcfce7; color: #14532d; }
.badge.fail { background: #fee2e2; color: #7f1d1d; }
.badge.large { font-size: 14px; padding: 6px 14px; }
.scenario-header { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
.scenario-header .meta { margin-left: auto; color: ${COLORS.muted}; font-size: 13px; }
.description { margin: 4px 0 0; color: ${COLORS.muted}; max-width: 880px; }
.failures { margin: 10px 0 0; padding: 8px 12px; border-left: 3px solid ${COLORS.fail}; background: #fef2f2; color: #7f1d1d; border-radius: 4px; }
.failures ul { margin: 0; padding-left: 18px; }
.kpis { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 12px; margin: 14px 0 4px; }
.kpi { border: 1px solid #e2e8f0; border-radius: 10px; padding: 8px 14px; background: #f8fafc; }
.kpi.is-fail { border-color: #fca5a5; background: #fef2f2; }
.kpi .label { font-size: 11.5px; font-weight: 600; letter-spacing: .05em; text-transform: uppercase; color: ${COLORS.muted}; }
.kpi .value { font-size: 22px; font-weight: 680; line-height: 1.25; color: ${COLORS.ink}; font-variant-numeric: tabular-nums; }
.kpi.is-fail .value { color: #991b1b; }
.kpi .note { font-size: 12.5px; color: ${COLORS.muted}; }
.grid-2 { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 28px; margin-top: 16px; }
figure { margin: 18px 0 0; }
.grid-2 figure { margin: 0; }
figcaption { font-weight: 650; color: ${COLORS.ink}; margin-bottom: 4px; }
figcaption span { font-weight: 400; color: ${COLORS.muted}; font-size: 13px; }
svg.chart { display: block; width: 100%; height: auto; overflow: visible; }
svg.chart text { font-family: inherit; font-size: 11px; }
svg.chart .axis text, svg.chart .axis-title { fill: ${COLORS.muted}; }
svg.chart .row-label { fill: ${COLORS.text}; font-size: 12px; font-weight: 600; }
svg.chart .bar-label { font-size: 11px; font-weight: 500; }
svg.chart .marker-label { font-weight: 650; }
.waterfalls figure { margin-top: 20px; }
figcaption .trace-id { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; color: ${COLORS.ink}; }
svg.waterfall .row-label .component { fill: ${COLORS.muted}; font-weight: 400; }
svg.waterfall .bar-duration { font-size: 11px; font-variant-numeric: tabular-nums; }
svg.waterfall .step-row.slowest .row-label { font-weight: 800; fill: ${COLORS.ink}; }
svg.waterfall .step-row.slowest .bar-duration { font-weight: 700; }
.missing-steps { margin: 6px 0 0; color: ${COLORS.muted}; font-size: 13px; }
.waterfall-note { margin: 18px 0 0; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 8px 0 0; padding: 0; list-style: none; font-size: 12.5px; color: ${COLORS.muted}; }
.legend li { display: inline-flex; align-items: center; gap: 6px; }
.legend svg { flex: none; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 650; color: ${COLORS.ink}; padding-bottom: 6px; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid #e2e8f0; vertical-align: baseline; }
thead th { white-space: normal; vertical-align: bottom; font-size: 11.5px; font-weight: 650; letter-spacing: .05em; text-transform: uppercase; color: ${COLORS.muted}; background: #f8fafc; border-bottom-color: #cbd5e1; }
tbody th { font-weight: 600; color: ${COLORS.ink}; }
.num { text-align: right; white-space: nowrap; }
thead th.num { white-space: normal; }
table.timings tbody th { white-space: nowrap; }
td.why { color: ${COLORS.muted}; font-size: 13px; }
.mono, td.event { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
.chip { display: inline-block; padding: 0 8px; border-radius: 999px; background: #f1f5f9; border: 1px solid #e2e8f0; font-size: 12px; color: ${COLORS.text}; }
tr.is-marker td { background: #f8fafc; }
tr.is-marker td.event { font-weight: 650; }
.dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 7px; vertical-align: 1px; }
.epochs { font-variant-numeric: tabular-nums; }
details { margin-top: 20px; }
summary { cursor: pointer; font-weight: 650; color: ${COLORS.ink}; padding: 6px 0; }
summary span { font-weight: 400; color: ${COLORS.muted}; }
.table-scroll { overflow-x: auto; }
.overview td .badge { font-size: 11px; }
.overview a { font-weight: 600; text-decoration: none; }
.overview a:hover { text-decoration: underline; }
.empty { color: ${COLORS.muted}; }
footer { margin-top: 28px; color: ${COLORS.muted}; font-size: 12.5px; }
@media (max-width: 960px) { .kpis { grid-template-columns: repeat(2, minmax(0, 1fr)); } .grid-2 { grid-template-columns: minmax(0, 1fr); } }
@media print { body { background: #fff; } .card { box-shadow: none; break-inside: avoid; } details { display: block; } }
`;
