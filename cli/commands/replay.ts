import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { replayEvents } from '../../local/drill/replay';

export function registerReplay(program: Command, exit: (code: number) => void): void {
  program
    .command('replay')
    .description('send AWS events through the local cloud (rules, queues, the Lambdas, trainers, the brain) and print what each component did')
    .argument('<event.json...>', 'event files: EventBridge events, SQS records, Auto Scaling notifications')
    .option('--duplicates <n>', 'deliver every event n times, as at-least-once delivery may', (v) => Number.parseInt(v, 10), 1)
    .option('--logs <dir>', 'keep the processes\' logs (aggregator, brain, trainer pods) in this folder')
    .addHelpText('after', '\nExample: npx spot-on replay events/aws.ec2/spot-interruption/terminate.json --duplicates 3')
    .action(async (files: string[], options: { duplicates: number; logs?: string }) => {
      const inputs = await Promise.all(files.map(async (name) => ({ name, text: await readFile(name, 'utf8') })));
      await replayEvents(inputs, { duplicates: options.duplicates, ...(options.logs ? { logDir: options.logs } : {}), onLine: (line) => process.stdout.write(`${line}\n`) });
      exit(0);
    });
}
