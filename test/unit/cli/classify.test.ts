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

  it('prints one line per message of a dead-letter queue dumped by `aws sqs receive-message`', () => {
    const result = classifyText(readEventText('sqs/dlq-receive-message.json'));
    expect({ ...result, stdout: result.stdout.map((line) => JSON.parse(line) as unknown) }).toStrictEqual({
      exitCode: 0,
      stdout: [
        {
          kind: 'asg-terminate-lifecycle',
          eventId: '9d2f6b84-3e1a-4c57-8f09-6a4b2c7e1d35',
          time: '2026-11-23T16:42:05.227Z',
          region: 'us-west-2',
          instanceIds: ['i-05b7d9f1a3c2e4680'],
          autoScalingGroupName: 'eks-gpu-spot-2ec9a7b1-4d3f-8e60-5a1c-7b9d2f4e6a08',
          lifecycleHookName: 'spot-on-flush-before-terminate',
          lifecycleActionToken: 'c7e3a915-6b2d-4f80-a4c1-93d5e7f20b68',
        },
        {
          kind: 'ignored',
          reason: 'Auto Scaling test notification, sent once when a hook or notification is created',
          eventId: 'e6a1c3f8-5b2d-4097-8e4c-1d7f9a0b3c52',
          source: 'aws.autoscaling',
          detailType: 'EC2 Instance-terminate Lifecycle Action',
        },
      ],
      stderr: [],
    });
  });

  it('reports a malformed message of a dump by its index', () => {
    const result = classifyText(JSON.stringify({ Messages: [{ MessageId: 'm-1', Body: '{"id": ' }] }));
    expect(result).toStrictEqual({ exitCode: EXIT_INVALID_INPUT, stdout: [], stderr: [expect.stringMatching(/^spot-on classify: record 0: event is not JSON: /)] });
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
