import type { Command } from 'commander';
import { CHAOS_CASES, runChaos, type CaseResult, type ChaosReport } from '../../local/chaos/run';

/** One table row per case: id, expected, observed, pass or FAIL. */
export function renderChaosTable(report: ChaosReport): string {
  const rows = report.cases.map((c) => [c.pass ? 'pass' : 'FAIL', c.id, c.expected, c.pass ? '' : c.observed]);
  const width = (column: number) => Math.max(...rows.map((row) => (row[column] ?? '').length), 4);
  const line = (row: readonly string[]) => row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(width(i)) : cell)).join('  ').trimEnd();
  const { cases, passed, failed, ms } = report.totals;
  return [line(['', 'case', 'expected', 'observed (when it differs)']), ...rows.map(line), '', `${cases} cases: ${passed} passed, ${failed} failed in ${(ms / 1000).toFixed(1)} s`].join('\n');
}

export function registerChaos(program: Command, exit: (code: number) => void): void {
  program
    .command('chaos')
    .description('attack the real components on the local cloud: forged, stale, replayed and oversize requests to every endpoint, poisoned updates, dependency outages, lost answers and crashes; a table (or JSON) of what each came to')
    .option('--json', 'print { cases: [{ id, target, expected, observed, pass }], totals } on stdout', false)
    .option('--case <text>', 'run only the cases whose id contains this text')
    .addHelpText('after', `\n${CHAOS_CASES.length} cases. Exit code 0 when every case passes.`)
    .action(async (options: { json: boolean; case?: string }) => {
      const cases = options.case === undefined ? CHAOS_CASES : CHAOS_CASES.filter((c) => c.id.includes(options.case as string));
      const progress = (result: CaseResult) => process.stderr.write(`${result.pass ? 'pass' : 'FAIL'} ${result.id}${result.pass ? '' : `: expected "${result.expected}", observed "${result.observed}"`}\n`);
      const report = await runChaos({ cases, onCase: progress });
      process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `${renderChaosTable(report)}\n`);
      exit(report.totals.failed === 0 && report.totals.cases > 0 ? 0 : 1);
    });
}
