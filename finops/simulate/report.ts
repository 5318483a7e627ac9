/**
 * Sums up outcomes per policy over all windows and renders them. Cost ratios divide by the job on on-demand alone
 * (job hours x on-demand price); percentiles are nearest-rank; the Spot fraction is Spot hours over paid hours,
 * all windows together.
 */
import { onDemandCostUsd, type Outcome } from './engine';
import type { PoolSpec, Settings } from './model';

/** The contract others script against (`--json`): exactly these figures per policy. */
export interface PolicySummary {
  readonly name: string;
  readonly costRatioMean: number;
  readonly costRatioP50: number;
  readonly costRatioP95: number;
  readonly costUsdMean: number;
  /** Windows whose deadline was missed. */
  readonly deadlineMisses: number;
  /** Spot hours over paid hours. */
  readonly spotFraction: number;
  /** Moves away from AWS (failovers), per window. */
  readonly failoversMean: number;
}

/** More figures per policy, kept apart from the contract. */
export interface PolicyDetails {
  readonly name: string;
  /** Moves back to AWS, per window. */
  readonly failbacksMean: number;
  /** Moves within a cloud, per window. */
  readonly changeoversMean: number;
  readonly preemptionsMean: number;
  readonly onDemandHoursMean: number;
  /** Mean hours to finish, over the windows that met the deadline. */
  readonly finishedHoursMean: number | null;
}

export interface SimulationReport {
  readonly policies: readonly PolicySummary[];
  readonly details: readonly PolicyDetails[];
  readonly windows: readonly string[];
  readonly pools: readonly PoolSpec[];
  readonly settings: Settings['hours'] & { readonly onDemandCostUsd: number; readonly jobTicks: number; readonly deadlineTicks: number };
}

/** The nearest-rank percentile `q` (0-1) of `values`. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? NaN;
}

const mean = (values: readonly number[]) => (values.length === 0 ? NaN : values.reduce((sum, value) => sum + value, 0) / values.length);

/** One policy's figures over its outcomes (one per window). */
export function summarise(name: string, outcomes: readonly Outcome[], settings: Settings): { summary: PolicySummary; details: PolicyDetails } {
  const baseline = onDemandCostUsd(settings);
  const ratios = outcomes.map((outcome) => outcome.costUsd / baseline);
  const paid = outcomes.reduce((sum, outcome) => sum + outcome.paidHours, 0);
  const spot = outcomes.reduce((sum, outcome) => sum + outcome.spotHours, 0);
  const finished = outcomes.flatMap((outcome) => (outcome.finishedHours === undefined ? [] : [outcome.finishedHours]));
  return {
    summary: {
      name,
      costRatioMean: mean(ratios),
      costRatioP50: percentile(ratios, 0.5),
      costRatioP95: percentile(ratios, 0.95),
      costUsdMean: mean(outcomes.map((outcome) => outcome.costUsd)),
      deadlineMisses: outcomes.filter((outcome) => outcome.missed).length,
      spotFraction: paid === 0 ? 0 : spot / paid,
      failoversMean: mean(outcomes.map((outcome) => outcome.moves.failover)),
    },
    details: {
      name,
      failbacksMean: mean(outcomes.map((outcome) => outcome.moves.failback)),
      changeoversMean: mean(outcomes.map((outcome) => outcome.moves.changeover)),
      preemptionsMean: mean(outcomes.map((outcome) => outcome.preemptions)),
      onDemandHoursMean: mean(outcomes.map((outcome) => outcome.onDemandHours)),
      finishedHoursMean: finished.length === 0 ? null : mean(finished),
    },
  };
}

/** The report's settings block. */
export function reportSettings(settings: Settings): SimulationReport['settings'] {
  return { ...settings.hours, onDemandCostUsd: onDemandCostUsd(settings), jobTicks: settings.jobTicks, deadlineTicks: settings.deadlineTicks };
}

const HEADER = ['policy', 'cost/OD mean', 'p50', 'p95', '$ mean', 'misses', 'spot %', 'failovers'];

/** The text table (one line per policy, a header and a footer). */
export function renderTable(report: SimulationReport): string[] {
  const rows = report.policies.map((policy) => [
    policy.name,
    policy.costRatioMean.toFixed(3),
    policy.costRatioP50.toFixed(3),
    policy.costRatioP95.toFixed(3),
    policy.costUsdMean.toFixed(2),
    `${policy.deadlineMisses}/${report.windows.length}`,
    (policy.spotFraction * 100).toFixed(1),
    policy.failoversMean.toFixed(2),
  ]);
  const widths = HEADER.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  const s = report.settings;
  return [
    line(HEADER),
    ...rows.map(line),
    `${report.windows.length} window(s)${report.pools.length > 0 ? ` x ${report.pools.length} pool(s)` : ''}; job ${s.jobHours} h, deadline ${s.deadlineHours} h, ` +
      `changeover ${s.changeoverHours} h, failover ${s.failoverHours} h, failback ${s.failbackHours} h, tick ${s.tickSeconds} s; ` +
      `on-demand $${s.onDemandUsdPerHour}/h (job on on-demand: $${s.onDemandCostUsd.toFixed(2)})`,
  ];
}
