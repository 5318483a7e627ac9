import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { replayEvents } from '../../local/drill/replay';

export function registerReplay(program: Command, exit: (code: number) => void): void {
  program
    .command('replay')
    .description('send AWS events through the local cloud (rules, queues, the Lambdas, trainers, the brain) and print what each component did')
    .argument('<event.json...>', 'event files: EventBridge events, Auto Scaling or SNS notifications, SQS records or batches, `aws sqs receive-message` dumps of the dead-letter queue')
    .option('--duplicates <n>', 'deliver every event n times, as at-least-once delivery may', (v) => Number.parseInt(v, 10), 1)
    .option('--logs <dir>', 'keep the processes\' logs (aggregator, brain, trainer pods) in this folder')
    .addHelpText(
      'after',
      '\nSQS-shaped files are redriven: each message body goes back on the interruption queue unchanged.\n' +
        'Example: npx spot-on replay events/aws.ec2/spot-interruption/terminate.json --duplicates 3\n' +
        'Example: aws sqs receive-message --queue-url "$DLQ_URL" --max-number-of-messages 10 > dlq.json && npx spot-on replay dlq.json',
    )
    .action(async (files: string[], options: { duplicates: number; logs?: string }) => {
      const inputs = await Promise.all(files.map(async (name) => ({ name, text: await readFile(name, 'utf8') })));
      await replayEvents(inputs, { duplicates: options.duplicates, ...(options.logs ? { logDir: options.logs } : {}), onLine: (line) => process.stdout.write(`${line}\n`) });
      exit(0);
    });
}
