/** `spot-on cost`'s output: the JSON contract (report.ts) assembled, and the same as a readable text table. */
import type { PriceTable } from '../prices/schema';
import { monthlyUsd, standbyMonthly, STANDBY_LINES, type StandbyLine } from '../prices/standby';
import type { Ledger } from './ledger';
import { priceLedger } from './price-ledger';
import type { CostOutput, CostReport } from './report';

const round4 = (value: number) => Math.round(value * 10_000) / 10_000;

/** Prices every ledger of an input and adds the table and standby list used. */
export function costOutput(input: string, ledgers: readonly Ledger[], table: PriceTable, standbyLines: readonly StandbyLine[] = STANDBY_LINES): CostOutput {
  const monthly = standbyMonthly(standbyLines);
  return {
    version: 1,
    input,
    prices: { table: table.name, asOf: table.asOf, source: table.source },
    standby: {
      monthlyUsd: round4(monthly.total),
      awsMonthlyUsd: round4(monthly.aws),
      azureMonthlyUsd: round4(monthly.azure),
      computeMonthlyUsd: round4(monthly.compute),
      lines: standbyLines.map((line) => ({
        id: line.id,
        cloud: line.cloud,
        what: line.what,
        category: line.category,
        ...(line.sku === undefined ? {} : { sku: line.sku }),
        quantity: line.quantity,
        unit: line.unit,
        usdPerUnit: line.usdPerUnit,
        monthlyUsd: round4(monthlyUsd(line)),
        basis: line.basis,
        source: line.source,
      })),
    },
    runs: ledgers.map((ledger) => priceLedger(ledger, table, standbyLines)),
  };
}

/** USD with cents, or with four decimals below a dollar (drill runs cost cents). */
export function formatUsd(value: number): string {
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  return `${sign}$${abs >= 1 ? abs.toFixed(2) : abs.toFixed(4)}`;
}

/** Seconds as hours with two decimals, or minutes below an hour. */
export function formatDuration(seconds: number): string {
  return seconds >= 3600 ? `${(seconds / 3600).toFixed(2)} h` : `${(seconds / 60).toFixed(1)} min`;
}

/** Aligned columns: the first and last (text) to the left, the numbers between them to the right. */
const pad = (rows: readonly (readonly string[])[]): string[] => {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const last = widths.length - 1;
  return rows.map((row) => row.map((cell, column) => (column === 0 || column === last ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ').trimEnd());
};

function runText(report: CostReport): string[] {
  const usage = [
    ['GPU nodes', 'nodes', 'node-hours', 'USD/h', 'USD', 'price'],
    ...report.usage.map((line) => [
      `${line.cloud} ${line.pool} ${line.instanceType} ${line.pricing}`,
      String(line.nodes),
      (line.nodeSeconds / 3600).toFixed(3),
      line.usdPerHour.toFixed(4),
      formatUsd(line.usd),
      `${line.basis} (${line.pricedRegion})`,
    ]),
  ];
  const f = report.figures;
  const figures = [
    ['Figure', 'USD', 'model'],
    ['actual', formatUsd(f.actualUsd), `GPU time at its prices + standby over ${formatDuration(report.durationSeconds)}`],
    ['all on-demand on AWS', formatUsd(f.allOnDemandAwsUsd), 'useful GPU work on AWS On-Demand + the same standby'],
    ['AWS Spot, no failover', formatUsd(f.awsSpotNoFailoverUsd), `Azure's work later on AWS Spot; standby over ${formatDuration(report.noFailover.durationSeconds)} (waits ${formatDuration(report.noFailover.waitSeconds)})`],
    [f.failoverSavedUsd >= 0 ? 'failover saved' : 'failover cost', formatUsd(Math.abs(f.failoverSavedUsd)), 'no-failover minus actual'],
  ];
  const factor = report.timeCompressionFactor === null ? '' : ` (drill time x ${report.timeCompressionFactor})`;
  return [
    `== ${report.run} (${report.source}): ${formatDuration(report.durationSeconds)} real time${factor}`,
    ...pad(usage),
    `redone work: ${report.work.redoneExamples} examples = ${(report.work.redoneGpuSeconds / 3600).toFixed(3)} GPU-hours = ${formatUsd(report.work.redoneUsd)} (inside actual)`,
    `standby over the run: ${formatUsd(report.standby.usd)} (AWS ${formatUsd(report.standby.awsUsd)}, Azure ${formatUsd(report.standby.azureUsd)})`,
    ...pad(figures),
    ...report.notes.map((note) => `note: ${note}`),
  ];
}

/** The whole output as text: one block per run, then the idle standby. */
export function renderCostText(output: CostOutput): string {
  const s = output.standby;
  const priced = output.standby.lines.filter((line) => line.monthlyUsd > 0).sort((a, b) => b.monthlyUsd - a.monthlyUsd);
  const standby = [['Standby line', 'qty', 'USD/month', 'kind, price'], ...priced.map((line) => [`${line.cloud} ${line.what}`, String(line.quantity), line.monthlyUsd.toFixed(2), `${line.category}, ${line.basis}`])];
  return [
    `prices: ${output.prices.table} table (as of ${output.prices.asOf}): ${output.prices.source}`,
    '',
    ...output.runs.flatMap((report) => [...runText(report), '']),
    `Standby with nothing training: ${formatUsd(s.monthlyUsd)}/month (AWS ${formatUsd(s.awsMonthlyUsd)}, Azure ${formatUsd(s.azureMonthlyUsd)}), of which always-on compute ${formatUsd(s.computeMonthlyUsd)}`,
    'US East list prices of the example deployment (finops/prices/standby.ts); usage-billed lines (queues, storage, logs, functions) are not included',
    ...pad(standby),
  ].join('\n');
}
