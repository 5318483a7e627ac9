import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { classify, parseInputText } from '../../lambdas/events/classify';
import { InvalidEventError } from '../../lambdas/events/errors';
import type { Message } from '../../lambdas/events/message';
import { sqsBatchOf } from '../../lambdas/events/sqs-envelope';

/** What a CLI command prints and how it exits; commands are pure over their input so tests call them directly. */
export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string[];
  readonly stderr: string[];
}

/** Exit code for input that is not a valid event. */
export const EXIT_INVALID_INPUT = 2;

/**
 * Classifies event text: one event, SNS notification or SQS message (one JSON line out), or several SQS
 * messages, as a Lambda batch `{"Records": [...]}` or an `aws sqs receive-message` dump `{"Messages": [...]}`
 * (one JSON line per message, failing if any message is malformed).
 */
export function classifyText(text: string): CommandResult {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const emit = (message: Message) => stdout.push(JSON.stringify(message));
  try {
    const raw = parseInputText(text);
    const batch = sqsBatchOf(raw);
    if (batch === undefined) {
      emit(classify(raw));
      return { exitCode: 0, stdout, stderr };
    }
    batch.forEach((record, index) => {
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
    .description('classify an AWS event (EventBridge event, hook notification, SNS notification, SQS record, SQS batch or receive-message dump) and print the Message as JSON')
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
