/** The report's "differs from production" card: the clock factor and every setting not run as deployed. */
import type { DrillSummary } from '../report';
import { escapeHtml } from './escape';

/** Empty when the summary says nothing about production (an older report). */
export function productionSection(summary: DrillSummary): string {
  const compression = summary.timeCompression;
  const differences = summary.differsFromProduction ?? [];
  if (compression === undefined && differences.length === 0) return '';
  const rows = differences
    .map((d) => `<tr><th scope="row">${escapeHtml(d.setting)}</th><td>${escapeHtml(d.production)}</td><td>${escapeHtml(d.drill)}</td><td class="why">${escapeHtml(d.reason)}</td></tr>`)
    .join('');
  return [
    '<section class="card production" aria-labelledby="production-title">',
    '<h2 id="production-title">Production configuration</h2>',
    `<p class="description">Settings come from the synthesized CloudFormation template, the chart's rendered manifests and the Functions' deployed defaults.${compression ? ` Time compression: ${escapeHtml(compression.meaning)}.` : ''}</p>`,
    differences.length === 0 ? '' : `<table class="differs"><caption>Differs from production</caption><thead><tr><th scope="col">setting</th><th scope="col">production</th><th scope="col">drill</th><th scope="col">why</th></tr></thead><tbody>${rows}</tbody></table>`,
    '</section>',
  ].join('');
}
