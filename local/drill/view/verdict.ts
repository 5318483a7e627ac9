/**
 * The drill's pass/fail rule, shared by the terminal summary and the HTML report: no work lost, accuracy within
 * {@link ACCURACY_TOLERANCE_PP} of the uninterrupted baseline, and exactly the expected failovers and failbacks.
 */
import type { DrillReport, Scenario } from '../report';
import { formatCount, formatPercent, formatPp } from './format';

/** The largest accepted |final - baseline| accuracy difference, in percentage points. */
export const ACCURACY_TOLERANCE_PP = 2;

/** How many failovers and failbacks a scenario must produce. */
export interface IncidentCounts {
  readonly failovers: number;
  readonly failbacks: number;
}

/** Exactly one failover and one failback per incident; a quiet deployment has none. */
export function expectedIncidents(scenario: Scenario): IncidentCounts {
  switch (scenario) {
    case 'spot-interruption':
    case 'capacity-loss':
    case 'aws-outage':
    case 'duplicate-storm':
    case 'vpn-outage':
    case 'long-vpn-outage':
    case 'partial-loss':
    case 'brain-outage':
    case 'ambiguous-commit':
    case 'deadline':
      return { failovers: 1, failbacks: 1 };
    case 'quiet-deploy':
      return { failovers: 0, failbacks: 0 };
  }
}

export type VerdictCheckName = 'examples-lost' | 'accuracy' | 'failovers' | 'failbacks' | 'dead-lettered' | 'data-residency';

export interface VerdictCheck {
  readonly name: VerdictCheckName;
  readonly pass: boolean;
  /** What was measured against what was expected, e.g. `examples lost 12 (expected 0)`. */
  readonly message: string;
}

export interface Verdict {
  readonly pass: boolean;
  readonly checks: readonly VerdictCheck[];
  /** The messages of the failed checks, in check order. */
  readonly failures: readonly string[];
}

/** Final minus baseline accuracy in percentage points. */
export function accuracyDeltaPp(report: Pick<DrillReport, 'accuracy'>): number {
  return (report.accuracy.final - report.accuracy.baseline) * 100;
}

/** No byte of a shard pinned to AWS outside AWS. */
function residencyCheck(residency: NonNullable<DrillReport['residency']>): VerdictCheck {
  const pinned = residency.pinnedToAws.join(', ') || 'no shard';
  const scanned = `${formatCount(residency.azureObjectsScanned)} Azure blobs and ${formatCount(residency.azureReads)} Azure data reads checked`;
  return {
    name: 'data-residency',
    pass: residency.leaks.length === 0,
    message: residency.leaks.length === 0 ? `data residency: ${pinned} pinned to AWS, found nowhere in Azure (${scanned})` : `data residency: ${residency.leaks.join('; ')}`,
  };
}

/** Judges one scenario report. */
export function judgeReport(report: DrillReport): Verdict {
  const expected = expectedIncidents(report.scenario);
  const delta = accuracyDeltaPp(report);
  // Rounded to 1e-9 so that 0.93 - 0.91 (= 2.0000000000000018 pp in floating point) counts as exactly 2 pp.
  const withinTolerance = Math.abs(Math.round(delta * 1e9) / 1e9) <= ACCURACY_TOLERANCE_PP;
  const checks: VerdictCheck[] = [
    {
      name: 'examples-lost',
      pass: report.examplesLost === 0,
      message: `examples lost ${formatCount(report.examplesLost)} (expected 0)`,
    },
    {
      name: 'accuracy',
      pass: withinTolerance,
      message: `accuracy ${formatPercent(report.accuracy.final)} vs baseline ${formatPercent(report.accuracy.baseline)}: ${formatPp(delta)} (allowed ±${ACCURACY_TOLERANCE_PP} pp)`,
    },
    {
      name: 'failovers',
      pass: report.failovers === expected.failovers,
      message: `failovers ${report.failovers} (expected ${expected.failovers})`,
    },
    {
      name: 'failbacks',
      pass: report.failbacks === expected.failbacks,
      message: `failbacks ${report.failbacks} (expected ${expected.failbacks})`,
    },
    {
      name: 'dead-lettered',
      pass: report.deadLettered.interruption === 0 && report.deadLettered.outbox === 0,
      message: `dead-lettered: ${report.deadLettered.interruption} event(s), ${report.deadLettered.outbox} signal(s) (expected 0)`,
    },
    ...(report.residency === undefined ? [] : [residencyCheck(report.residency)]),
  ];
  const failures = checks.filter((c) => !c.pass).map((c) => c.message);
  return { pass: failures.length === 0, checks, failures };
}
