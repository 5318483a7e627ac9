import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { classify, parseEventText } from '../../lambdas/events/classify';
import { InvalidEventError } from '../../lambdas/events/errors';
import type { Message } from '../../lambdas/events/message';

/** What a CLI command prints and how it exits; commands are pure over their input so tests call them directly. */
export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string[];
  readonly stderr: string[];
}

/** Exit code for input that is not a valid event. */
export const EXIT_INVALID_INPUT = 2;

function isBatch(value: unknown): value is { Records: unknown[] } {
  return typeof value === 'object' && value !== null && Array.isArray((value as { Records?: unknown }).Records);
}

/**
 * Classifies event text: one EventBridge event or SQS record (one JSON line out), or a Lambda SQS batch
 * `{"Records": [...]}` (one JSON line per record, failing if any record is malformed).
 */
export function classifyText(text: string): CommandResult {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const emit = (message: Message) => stdout.push(JSON.stringify(message));
  try {
    const raw = parseEventText(text);
    if (!isBatch(raw)) {
      emit(classify(raw));
      return { exitCode: 0, stdout, stderr };
    }
    raw.Records.forEach((record, index) => {
      try {
        emit(classify(record));
      } catch (error) {
        if (!(error instanceof InvalidEventError)) throw error;
        stderr.push(`spot-on classify: record ${index}: ${error.message}`);
      }
    });
    return { exitCode: stderr.length > 0 ? EXIT_INVALID_INPUT : 0, stdout, stderr };
  } catch (error) {
    if (!(error instanceof InvalidEventError)) throw error;
    return { exitCode: EXIT_INVALID_INPUT, stdout, stderr: [`spot-on classify: ${error.message}`] };
  }
}

async function readInput(source: string): Promise<string> {
  if (source !== '-') return readFile(source, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function registerClassify(program: Command, run: (result: CommandResult) => void): void {
  program
    .command('classify')
    .description('classify an AWS event (EventBridge event, SQS record or SQS batch) and print the Message as JSON')
    .argument('<file>', 'event file, or - for standard input')
    .addHelpText(
      'after',
      '\nExit codes: 0 classified or ignored, 2 malformed event, 1 unreadable input.\n' +
        'Example: npx spot-on classify events/aws.ec2/spot-interruption/terminate.json',
    )
    .action(async (file: string) => {
      let text: string;
      try {
        text = await readInput(file);
      } catch (error) {
        run({ exitCode: 1, stdout: [], stderr: [`spot-on classify: cannot read ${file}: ${(error as Error).message}`] });
        return;
      }
      run(classifyText(text));
    });
}
