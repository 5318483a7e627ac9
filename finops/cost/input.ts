/**
 * What `spot-on cost` reads: a drill summary (`drill.json`, `spot-on drill --json` with several scenarios), one drill
 * report (`--json` with one scenario), or a production ledger file. The kind is recognised by shape, then the
 * file is validated with its own schema, so a damaged file fails with the schema's complaint, not a guess.
 */
import { readFileSync } from 'node:fs';
import { DrillReportSchema, DrillSummarySchema } from '../../local/drill/report';
import { TIME_COMPRESSION_FACTOR } from '../../local/drill/production/time-compression';
import { parseOrThrow } from '../prices/errors';
import { CostInputError } from './errors';
import { type Fleet } from './fleet';
import { ledgerFromDrill } from './from-drill';
import { ledgerFromFile } from './from-ledger-file';
import { LedgerFileSchema, type Ledger } from './ledger';

export interface LedgerOptions {
  readonly fleet: Fleet;
  /** Real seconds per drill second when the report does not say (a single-scenario report never does). */
  readonly factor?: number;
}

/** The ledgers of a parsed input document (one per drill scenario, or one for a ledger file). */
export function ledgersOf(json: unknown, source: string, options: LedgerOptions): Ledger[] {
  const shape = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  if (shape.kind === 'spot-on-ledger') return [ledgerFromFile(parseOrThrow(LedgerFileSchema, json, source, CostInputError), source)];
  if (Array.isArray(shape.scenarios)) {
    const summary = parseOrThrow(DrillSummarySchema, json, source, CostInputError);
    const reported = summary.timeCompression?.factor;
    const factor = options.factor ?? reported ?? TIME_COMPRESSION_FACTOR;
    const notes = reported === undefined && options.factor === undefined ? [`the report names no time compression: ${factor} assumed (the drill's default)`] : [];
    return summary.scenarios.map((report) => ledgerFromDrill(report, factor, options.fleet, notes));
  }
  if (typeof shape.scenario === 'string') {
    const report = parseOrThrow(DrillReportSchema, json, source, CostInputError);
    const factor = options.factor ?? TIME_COMPRESSION_FACTOR;
    const notes = options.factor === undefined ? [`a single-scenario report names no time compression: ${factor} assumed (the drill's default)`] : [];
    return [ledgerFromDrill(report, factor, options.fleet, notes)];
  }
  throw new CostInputError(`${source}: not a drill summary (scenarios), a drill report (scenario) or a ledger (kind: spot-on-ledger)`);
}

/** Reads and recognises an input file. */
export function readLedgers(file: string, options: LedgerOptions): Ledger[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CostInputError(`${file}: cannot read JSON (${(error as Error).message})`, { cause: error });
  }
  return ledgersOf(json, file, options);
}
