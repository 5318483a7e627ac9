/**
 * The preflight runner: every check over one set of inputs, and the report as text or JSON. Pure: the command
 * (cli/commands/preflight.ts) loads the inputs and prints.
 */
import { CHECKS } from './checks';
import type { Check, PreflightInputs } from './types';

export interface PreflightProblem {
  readonly check: string;
  readonly message: string;
}

export interface PreflightReport {
  readonly problems: readonly PreflightProblem[];
  readonly skipped: readonly { readonly check: string; readonly reason: string }[];
  /** Checks that ran (skipped ones excluded). */
  readonly checks: number;
}

/** Runs `checks` over `inputs`. */
export function runChecks(inputs: PreflightInputs, checks: readonly Check[] = CHECKS): PreflightReport {
  const problems: PreflightProblem[] = [];
  const skipped: { check: string; reason: string }[] = [];
  for (const check of checks) {
    const outcome = check.run(inputs);
    if ('skipped' in outcome) skipped.push({ check: check.name, reason: outcome.skipped });
    else problems.push(...outcome.problems.map((message) => ({ check: check.name, message })));
  }
  return { problems, skipped, checks: checks.length - skipped.length };
}

/** One `check: message` line per problem, `skipped: check: reason` per skipped check, then `ok: N checks` when clean. */
export function reportLines(report: PreflightReport): string[] {
  return [
    ...report.problems.map(({ check, message }) => `${check}: ${message}`),
    ...report.skipped.map(({ check, reason }) => `skipped: ${check}: ${reason}`),
    ...(report.problems.length === 0 ? [`ok: ${report.checks} checks`] : []),
  ];
}

/** `{ problems: [{ check, message }], checks: n, skipped: [{ check, reason }] }`. */
export function reportJson(report: PreflightReport): string {
  return JSON.stringify({ problems: report.problems, checks: report.checks, skipped: report.skipped });
}
