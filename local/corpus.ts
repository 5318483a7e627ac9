/**
 * The one loader for the recorded-events corpus in `events/` (see events/README.md). Tests, the demo and
 * replay read recorded events through here, by path relative to `events/` with forward slashes, e.g.
 * `loadEvent('aws.ec2/spot-interruption/terminate.json')`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { sqsBatchOf } from '../lambdas/events/sqs-envelope';

/** Absolute path of the corpus folder (`<repo>/events`). */
export const EVENTS_DIR: string = path.resolve(__dirname, '..', 'events');

function resolveEventPath(relPath: string): string {
  const normalised = relPath.split('\\').join('/');
  if (path.posix.isAbsolute(normalised) || path.win32.isAbsolute(relPath)) {
    throw new Error(`event path must be relative to events/: ${relPath}`);
  }
  const absolute = path.resolve(EVENTS_DIR, ...normalised.split('/'));
  const inside = path.relative(EVENTS_DIR, absolute);
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) {
    throw new Error(`event path escapes events/: ${relPath}`);
  }
  return absolute;
}

function collectJson(dir: string, prefix: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) collectJson(path.join(dir, entry.name), rel, out);
    else if (entry.isFile() && entry.name.endsWith('.json')) out.push(rel);
  }
}

function listJson(): string[] {
  const out: string[] = [];
  collectJson(EVENTS_DIR, '', out);
  return out.sort();
}

// A Lambda batch or a `receive-message` dump is several events in one file, not one event to classify.
function holdsSeveralMessages(relPath: string): boolean {
  try {
    return sqsBatchOf(JSON.parse(readEventText(relPath))) !== undefined;
  } catch {
    return false; // malformed inputs are events too, to be rejected
  }
}

/**
 * Every `.json` file under events/ that holds one event (malformed and empty inputs included), as sorted
 * relative paths with `/` separators. Files of several SQS messages are listed by listSqsBatches().
 */
export function listEvents(): string[] {
  return listJson().filter((file) => !holdsSeveralMessages(file));
}

/** The files of several SQS messages: Lambda batches (`{"Records": [...]}`) and dead-letter dumps (`{"Messages": [...]}`). */
export function listSqsBatches(): string[] {
  return listJson().filter(holdsSeveralMessages);
}

/** The raw text of a recorded event (malformed and empty files included). */
export function readEventText(relPath: string): string {
  return readFileSync(resolveEventPath(relPath), 'utf8');
}

/**
 * A recorded event parsed as JSON. Throws for files that are not JSON (events/malformed/not-json.json,
 * events/malformed/empty.json); the error names the file. The type parameter is not checked.
 */
export function loadEvent<T = unknown>(relPath: string): T {
  const text = readEventText(relPath);
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`events/${relPath} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
