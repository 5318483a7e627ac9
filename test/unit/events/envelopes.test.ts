/** Transport envelopes (SNS, SQS in both forms), ARN and time normalisation: the shapes peers' fixtures carry. */
import { classify, parseEventText, parseInputText } from '../../../lambdas/events/classify';
import { toInstanceId, toUtcIso } from '../../../lambdas/events/envelope';
import { InvalidEventError } from '../../../lambdas/events/errors';
import { redriveBodies, sqsBatchOf } from '../../../lambdas/events/sqs-envelope';
import { listSqsBatches } from '../../../local/corpus';
import { listEvents, loadEvent, readEventText } from '../../support/events';

const SNS_FILE = 'aws.autoscaling/terminate-lifecycle/sns-envelope.json';
const DUMP_FILE = 'sqs/dlq-receive-message.json';

interface CliMessage {
  MessageId: string;
  Body: string;
}

/** The error `fn` throws (and fails the test if it throws none). */
function thrownBy(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('SNS notification envelope', () => {
  const sns = () => loadEvent<Record<string, unknown>>(SNS_FILE);

  it('is unwrapped inside an SQS record too, the topic region winning over the queue region', () => {
    const message = classify({ messageId: 'm-1', eventSource: 'aws:sqs', awsRegion: 'eu-west-1', body: readEventText(SNS_FILE) });
    expect(message).toMatchObject({ kind: 'asg-terminate-lifecycle', region: 'us-west-2', eventId: '9d2f6b84-3e1a-4c57-8f09-6a4b2c7e1d35' });
  });

  it('carries an EventBridge event as well (EventBridge -> SNS -> SQS)', () => {
    const spot = readEventText('aws.ec2/spot-interruption/terminate.json');
    expect(classify({ ...sns(), Message: spot })).toStrictEqual(classify(parseEventText(spot)));
  });

  it('ignores subscription confirmations', () => {
    expect(classify({ ...sns(), Type: 'SubscriptionConfirmation' })).toStrictEqual({
      kind: 'ignored',
      reason: 'SNS SubscriptionConfirmation message, not a notification',
      eventId: '5b1e8f3a-92c4-5d07-a6e1-f0c83b27d944',
      source: 'aws.sns',
      detailType: 'SubscriptionConfirmation',
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a Message that is not JSON', { Message: 'Lifecycle action TERMINATING' }, 'event is not JSON: Unexpected token'],
    ['a Message that is not an object', { Message: '[1]' }, 'SNS notification Message must be a JSON object'],
    ['a Message that is another envelope', { Message: JSON.stringify({ Type: 'Notification', TopicArn: 'arn:aws:sns:us-west-2:1:t', MessageId: 'x', Message: '{}' }) }, 'SNS notification Message is itself an SQS or SNS envelope'],
    ['no MessageId', { MessageId: undefined }, 'malformed SNS notification: MessageId: Invalid input: expected string, received undefined'],
  ])('rejects %s', (_what, change, message) => {
    const error = thrownBy(() => classify({ ...sns(), ...change }));
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error.message.startsWith(message)).toBe(true);
  });
});

describe('SQS messages as `aws sqs receive-message` prints them', () => {
  const dump = () => loadEvent<{ Messages: CliMessage[] }>(DUMP_FILE);

  it('classifies one PascalCase message by its Body', () => {
    const [snsMessage, testNotification] = dump().Messages;
    expect(classify(snsMessage)).toStrictEqual(classify(parseEventText(readEventText(SNS_FILE))));
    expect(classify(testNotification)).toMatchObject({ kind: 'ignored', eventId: 'e6a1c3f8-5b2d-4097-8e4c-1d7f9a0b3c52' });
  });

  it('are listed apart from the events by the corpus loader', () => {
    expect(listSqsBatches()).toStrictEqual(['sqs/batch-mixed.json', DUMP_FILE]);
    expect(listEvents().filter((file) => listSqsBatches().includes(file))).toStrictEqual([]);
    expect(listEvents()).toContain('sqs/record-spot-interruption.json');
  });

  it('finds the messages of a dump and of a Lambda batch', () => {
    expect(sqsBatchOf(dump())).toHaveLength(2);
    expect(sqsBatchOf(loadEvent('sqs/batch-mixed.json'))).toHaveLength(5);
    expect(sqsBatchOf(loadEvent(SNS_FILE))).toBeUndefined();
    expect(sqsBatchOf([{ Records: [] }])).toBeUndefined();
  });

  it('redrives each message body unchanged, and a body-less message as its own JSON (so it dead-letters again)', () => {
    const messages = dump().Messages;
    expect(redriveBodies(dump())).toStrictEqual(messages.map((m) => m.Body));
    expect(redriveBodies({ Messages: [{ MessageId: 'm-1' }, 'text'] })).toStrictEqual(['{"MessageId":"m-1"}', '"text"']);
    expect(redriveBodies(loadEvent('sqs/record-spot-interruption.json'))).toStrictEqual([loadEvent<{ body: string }>('sqs/record-spot-interruption.json').body]);
    expect(redriveBodies(loadEvent('aws.ec2/spot-interruption/terminate.json'))).toBeUndefined();
  });

  it('lets a dump be larger than one event, but never a single event', () => {
    const big = JSON.stringify({ Messages: Array.from({ length: 3 }, (_, i) => ({ MessageId: `m-${i}`, Body: 'x'.repeat(100_000) })) });
    expect(sqsBatchOf(parseInputText(big))).toHaveLength(3);
    const oversize = readEventText('malformed/oversize.json');
    expect(() => parseInputText(oversize)).toThrow(/^event is \d+ bytes, over EventBridge's 262144-byte limit$/);
  });
});

describe('instance ARNs', () => {
  it.each<[string, string | undefined]>([
    ['i-0abcd1234ef567890', 'i-0abcd1234ef567890'],
    ['arn:aws:ec2:us-west-2:123456789012:instance/i-0abcd1234ef567890', 'i-0abcd1234ef567890'],
    ['arn:aws:ec2:us-east-1b:instance/i-0b662ef9931388ba0', 'i-0b662ef9931388ba0'],
    ['arn:aws:ec2:us-east-1::instance/i-0b662ef9931388ba0', 'i-0b662ef9931388ba0'],
    ['arn:aws:ec2::us-west-2:instance/i-0b662ef9931388ba0', 'i-0b662ef9931388ba0'],
    ['arn:aws-us-gov:ec2:us-gov-west-1:123456789012:instance/i-0b662ef9931388ba0', 'i-0b662ef9931388ba0'],
    ['arn:aws:ec2:us-west-2:123456789012:volume/vol-0123456789abcdef0', undefined],
    ['arn:aws:ec2:us-west-2:123456789012:instance/i-XYZ', undefined],
    ['arn:aws:rds:us-west-2:123456789012:instance/i-0b662ef9931388ba0', undefined],
  ])('%s -> %s', (value, id) => {
    expect(toInstanceId(value)).toBe(id);
  });

  it('reads zone-form and account-less ARNs in Health entities', () => {
    const event = loadEvent<{ detail: { affectedEntities: unknown[] } }>('aws.health/scheduled-change/ec2-instance-ids.json');
    event.detail.affectedEntities = [{ entityValue: 'arn:aws:ec2:us-west-2a:instance/i-0c2e4a6b8d0f13579' }, { entityValue: 'arn:aws:ec2:us-west-2::instance/i-0d1f3b5c7e9a24680' }];
    expect(classify(event)).toMatchObject({ instanceIds: ['i-0c2e4a6b8d0f13579', 'i-0d1f3b5c7e9a24680'] });
  });
});

describe('event times', () => {
  it.each<[string, string | undefined]>([
    ['2026-12-04T03:00:00+01:00', '2026-12-04T02:00:00Z'],
    ['2026-12-03T22:30:00-04:30', '2026-12-04T03:00:00Z'],
    ['2026-12-04T03:00:00.25+01:00', '2026-12-04T02:00:00.250Z'],
    ['2026-12-04T03:00:00Z', '2026-12-04T03:00:00Z'],
    ['2026-11-18T18:05:33.418Z', '2026-11-18T18:05:33.418Z'],
    ['yesterday', undefined],
  ])('%s -> %s', (value, utc) => {
    expect(toUtcIso(value)).toBe(utc);
  });

  it('normalises a direct hook notification time and an envelope time alike', () => {
    const notification = { ...loadEvent<Record<string, unknown>>('aws.autoscaling/terminate-lifecycle/sqs-direct.json'), Time: '2026-11-18T19:05:33.418+01:00' };
    expect(classify(notification)).toMatchObject({ time: '2026-11-18T18:05:33.418Z' });
  });
});

describe('lifecycle action details', () => {
  it('still names the missing field of a malformed hook message, not the test-notification alternative', () => {
    const event = loadEvent<{ detail: Record<string, unknown> }>('aws.autoscaling/terminate-lifecycle/eventbridge.json');
    delete event.detail.LifecycleActionToken;
    const error = thrownBy(() => classify(event));
    expect([error.name, error.message]).toStrictEqual([
      'InvalidEventError',
      'malformed EC2 Instance-terminate Lifecycle Action b182b38f-a9e6-4bd1-9b79-6a9a202cb6a8 detail: LifecycleActionToken: Invalid input: expected string, received undefined',
    ]);
    expect(error.cause).toStrictEqual([expect.objectContaining({ code: 'invalid_union' })]);
  });
});
