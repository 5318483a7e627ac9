import type { Command } from 'commander';
import { classify, parseEventText } from '../../lambdas/events/classify';
import { InvalidEventError } from '../../lambdas/events/errors';
import { FAILOVER_ALARM_NAME, INGEST_RULES } from '../../lambdas/events/rules';
import { decide } from '../../lambdas/reflex/decide';
import { listEvents, readEventText } from '../../local/corpus';
import { matchesPattern } from '../../local/eventbridge/pattern';
import type { CommandResult } from './classify';

/** What the AWS half of Spot-On does with one recorded event. */
export interface DemoRow {
  readonly file: string;
  /** Ingest rules the event matches (EventBridge routing), or null when it does not travel through EventBridge. */
  readonly rules: readonly string[] | null;
  readonly outcome: string;
  readonly detail: string;
}

function routeOf(raw: unknown): string[] | null {
  const isEnvelope = typeof raw === 'object' && raw !== null && 'detail-type' in raw;
  if (!isEnvelope) return null;
  return Object.entries(INGEST_RULES)
    .filter(([, pattern]) => matchesPattern(pattern, raw))
    .map(([name]) => name);
}

/** Runs one recorded event through routing, classification and the reflex decision. */
export function demoRow(file: string, text: string): DemoRow {
  let raw: unknown;
  try {
    raw = parseEventText(text);
    const rules = routeOf(raw);
    if (rules !== null && rules.length === 0) {
      return { file, rules, outcome: 'not routed', detail: 'no ingest rule matches; the Lambda never sees it' };
    }
    const message = classify(raw);
    const decision = decide(message, { failoverAlarmName: FAILOVER_ALARM_NAME });
    const what =
      decision.action === 'flush'
        ? `flush ${decision.instanceIds.join(', ')}${decision.signalType ? ` + signal ${decision.signalType}` : ''}`
        : decision.action === 'signal'
          ? `signal ${decision.signalType}`
          : decision.action;
    return { file, rules, outcome: `${message.kind} -> ${what}`, detail: decision.rationale };
  } catch (error) {
    if (!(error instanceof InvalidEventError)) throw error;
    return { file, rules: raw === undefined ? null : routeOf(raw), outcome: 'dead-letter', detail: error.message };
  }
}

/**
 * The demo over the whole recorded corpus, one row per event. Files of several SQS messages (a Lambda batch, a
 * dead-letter dump) are not listed as events: `spot-on classify` and `spot-on replay` take them apart.
 */
export function runDemo(json: boolean): CommandResult {
  const rows = listEvents().map((file) => demoRow(file, readEventText(file)));
  if (json) return { exitCode: 0, stdout: [JSON.stringify({ events: rows })], stderr: [] };
  const width = Math.max(...rows.map((row) => row.file.length));
  const lines = [
    'Spot-On, AWS side: every recorded event through the ingest rules, classify() and the reflex decision.',
    '(`spot-on drill` runs the whole failover, both clouds and the training, on this machine.)',
    '',
    ...rows.map((row) => `${row.file.padEnd(width)}  ${row.outcome}\n${' '.repeat(width + 2)}${row.detail}`),
    '',
    `${rows.length} events: ${rows.filter((r) => r.outcome.includes('flush')).length} flush trainers, ` +
      `${rows.filter((r) => r.outcome.includes('signal')).length} signal Azure, ` +
      `${rows.filter((r) => r.outcome === 'not routed').length} not routed, ` +
      `${rows.filter((r) => r.outcome === 'dead-letter').length} dead-lettered.`,
  ];
  return { exitCode: 0, stdout: lines, stderr: [] };
}

export function registerDemo(program: Command, run: (result: CommandResult) => void): void {
  program
    .command('demo')
    .description('show what Spot-On does with every recorded AWS event (routing, classification, decision)')
    .option('--json', 'print one JSON object instead of the table')
    .action((options: { json?: boolean }) => run(runDemo(options.json ?? false)));
}
