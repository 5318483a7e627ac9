import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { classifyText, EXIT_INVALID_INPUT } from '../../../cli/commands/classify';
import { EVENTS_DIR, readEventText } from '../../support/events';

const BIN = path.resolve(__dirname, '../../../bin/spot-on.cjs');

describe('classifyText', () => {
  it('prints one JSON message for an event', () => {
    const result = classifyText(readEventText('aws.ec2/spot-interruption/terminate.json'));
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toStrictEqual([]);
    expect(result.stdout).toHaveLength(1);
    expect(JSON.parse(result.stdout[0] ?? '')).toMatchObject({ kind: 'spot-interruption', instanceIds: ['i-0abcd1234ef567890'] });
  });

  it('prints one line per record of an SQS batch and fails on the malformed one', () => {
    const result = classifyText(readEventText('sqs/batch-mixed.json'));
    expect(result.exitCode).toBe(EXIT_INVALID_INPUT);
    expect(result.stdout.map((line) => (JSON.parse(line) as { kind: string }).kind)).toStrictEqual([
      'spot-interruption',
      'rebalance-recommendation',
      'ignored',
      'spot-interruption',
    ]);
    expect(result.stderr).toStrictEqual([expect.stringMatching(/^spot-on classify: record 3: event is not JSON: /)]);
  });

  it('exits 2 with one line for malformed input', () => {
    expect(classifyText('{"source": "aws.ec2"')).toStrictEqual({
      exitCode: EXIT_INVALID_INPUT,
      stdout: [],
      stderr: [expect.stringMatching(/^spot-on classify: event is not JSON: /)],
    });
  });
});

describe('spot-on classify (the installed command)', () => {
  const run = (args: string[], input?: string) =>
    spawnSync(process.execPath, [BIN, 'classify', ...args], { input, encoding: 'utf8', timeout: 30_000 });

  it('classifies a file', () => {
    const result = run([path.join(EVENTS_DIR, 'aws.cloudwatch/alarm-state-change/composite-alarm-alarm.json')]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ kind: 'alarm-state-change', alarmName: 'aws-training-unhealthy', state: 'ALARM' });
  });

  it('reads standard input and reports malformed input on one line without a stack trace', () => {
    const result = run(['-'], readEventText('malformed/unknown-instance-action.json'));
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toStrictEqual([expect.stringMatching(/^spot-on classify: malformed .*instance-action/)]);
  });

  it('exits 1 for an unreadable file', () => {
    const result = run(['/nonexistent/event.json']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^spot-on classify: cannot read \/nonexistent\/event.json: ENOENT/);
  });
});
