/**
 * A scenario's cost, in real (production) time: GPU node-hours per cloud and pricing model, and the four figures of
 * finops/cost (actual, all on-demand on AWS, AWS Spot without failover, what the failover saved). Priced with the
 * offline table and the example deployment's standby, so the report stays offline and deterministic.
 */
import { DEFAULT_FLEET } from '../../../finops/cost/fleet';
import { ledgerFromDrill } from '../../../finops/cost/from-drill';
import { formatDuration, formatUsd } from '../../../finops/cost/output';
import { priceLedger } from '../../../finops/cost/price-ledger';
import { OFFLINE_PRICE_TABLE } from '../../../finops/prices/offline-table';
import { TIME_COMPRESSION_FACTOR } from '../production/time-compression';
import type { DrillReport } from '../report';
import { escapeHtml } from './escape';

/** The cost table of one scenario; `factor` is the summary's time compression (the drill's default when absent). */
export function costSection(report: DrillReport, factor: number = TIME_COMPRESSION_FACTOR): string {
  const cost = priceLedger(ledgerFromDrill(report, factor, DEFAULT_FLEET), OFFLINE_PRICE_TABLE);
  const usage = cost.usage
    .map(
      (line) =>
        `<tr><th scope="row">${escapeHtml(`${line.cloud} ${line.pool} ${line.instanceType} ${line.pricing}`)}</th><td class="num">${line.nodes}</td>` +
        `<td class="num">${(line.nodeSeconds / 3600).toFixed(2)}</td><td class="num">${escapeHtml(formatUsd(line.usd))}</td><td class="why">${escapeHtml(`${line.basis}, $${line.usdPerHour.toFixed(4)}/h (${line.pricedRegion})`)}</td></tr>`,
    )
    .join('');
  const f = cost.figures;
  const figures: [string, number, string][] = [
    ['Actual', f.actualUsd, `GPU time at its prices + standby over ${formatDuration(cost.durationSeconds)}; redone work ${formatUsd(cost.work.redoneUsd)}`],
    ['All on-demand on AWS', f.allOnDemandAwsUsd, 'the useful GPU work on AWS On-Demand + the same standby'],
    ['AWS Spot, no failover', f.awsSpotNoFailoverUsd, `Azure's work later on AWS Spot, waiting ${formatDuration(cost.noFailover.waitSeconds)} with the standby paid`],
    [f.failoverSavedUsd >= 0 ? 'Failover saved' : 'Failover cost', Math.abs(f.failoverSavedUsd), 'no failover minus actual'],
  ];
  const figureRows = figures.map(([label, usd, why]) => `<tr><th scope="row">${escapeHtml(label)}</th><td class="num">${escapeHtml(formatUsd(usd))}</td><td class="why">${escapeHtml(why)}</td></tr>`).join('');
  return (
    `<div class="grid-2 cost" data-cost-run="${escapeHtml(cost.run)}">` +
    `<div><table class="cost-usage"><caption>GPU cost <span>(real time: drill time x ${escapeHtml(factor)})</span></caption>` +
    '<thead><tr><th scope="col">Pool</th><th scope="col" class="num">Nodes</th><th scope="col" class="num">Node-hours</th><th scope="col" class="num">USD</th><th scope="col">Price</th></tr></thead>' +
    `<tbody>${usage}</tbody></table></div>` +
    `<div><table class="cost-figures"><caption>Cost <span>(offline prices, ${escapeHtml(OFFLINE_PRICE_TABLE.asOf)})</span></caption>` +
    `<thead><tr><th scope="col">Figure</th><th scope="col" class="num">USD</th><th scope="col">Model</th></tr></thead><tbody>${figureRows}</tbody></table></div>` +
    '</div>'
  );
}
