import { AutoScalingClient, CompleteLifecycleActionCommand } from '@aws-sdk/client-auto-scaling';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { sqsDeadLetterQueue } from '../../../lambdas/adapters/dead-letter';
import { eventBridgeLifecycleBus, LifecycleEventError } from '../../../lambdas/adapters/lifecycle-bus';
import { autoScalingLifecycleHooks } from '../../../lambdas/adapters/lifecycle-hook';
import { sqsSignalOutbox } from '../../../lambdas/adapters/outbox';
import { KEY_RING_MAX_AGE_MS, secretsManagerKeySource, SigningKeyError } from '../../../lambdas/adapters/secret';
import { signalId } from '../../../lambdas/reflex/signal';
import type { Signal } from '../../../protocol/signal';

const sqsMock = mockClient(SQSClient);
const eventBridgeMock = mockClient(EventBridgeClient);
const secretsMock = mockClient(SecretsManagerClient);
beforeEach(() => {
  sqsMock.reset();
  eventBridgeMock.reset();
  secretsMock.reset();
});

const OUTBOX = 'https://sqs.us-west-2.amazonaws.com/123456789012/spot-on-signals';
const DLQ = 'https://sqs.us-west-2.amazonaws.com/123456789012/spot-on-interruptions-dlq';
const SECRET_ARN = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:spot-on-signing-AbCdEf';

const SIGNAL: Signal = {
  version: 1,
  id: signalId('evt-1', 'aws-unhealthy'),
  type: 'aws-unhealthy',
  runId: 'run-42',
  issuedAt: '2026-03-01T12:00:20.000Z',
  source: { eventId: 'evt-1', source: 'aws.cloudwatch', detailType: 'CloudWatch Alarm State Change', time: '2026-03-01T12:00:00Z' },
  alarmName: 'aws-training-unhealthy',
};

describe('sqsSignalOutbox', () => {
  it('sends the signal JSON to the standard outbox queue', async () => {
    sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    await sqsSignalOutbox(new SQSClient({ region: 'us-west-2' }), OUTBOX).enqueue(SIGNAL);
    expect(sqsMock.commandCalls(SendMessageCommand).map((call) => call.args[0].input)).toStrictEqual([
      {
        QueueUrl: OUTBOX,
        MessageBody: JSON.stringify(SIGNAL),
        MessageAttributes: {
          signalId: { DataType: 'String', StringValue: SIGNAL.id },
          signalType: { DataType: 'String', StringValue: 'aws-unhealthy' },
        },
      },
    ]);
  });

  it('lets an SQS error through (the record is retried)', async () => {
    sqsMock.on(SendMessageCommand).rejects(new Error('ServiceUnavailable'));
    await expect(sqsSignalOutbox(new SQSClient({ region: 'us-west-2' }), OUTBOX).enqueue(SIGNAL)).rejects.toThrow('ServiceUnavailable');
  });
});

describe('sqsDeadLetterQueue', () => {
  it('parks the original body with reason and errorName attributes', async () => {
    sqsMock.on(SendMessageCommand).resolves({});
    const dlq = sqsDeadLetterQueue(new SQSClient({ region: 'us-west-2' }), DLQ);
    await dlq.send('{"id": ', { reason: 'event is not JSON', errorName: 'InvalidEventError' });
    await dlq.send('', { reason: 'x'.repeat(5000), errorName: 'InvalidEventError' });
    expect(sqsMock.commandCalls(SendMessageCommand).map((call) => call.args[0].input)).toStrictEqual([
      {
        QueueUrl: DLQ,
        MessageBody: '{"id": ',
        MessageAttributes: {
          reason: { DataType: 'String', StringValue: 'event is not JSON' },
          errorName: { DataType: 'String', StringValue: 'InvalidEventError' },
        },
      },
      {
        QueueUrl: DLQ,
        MessageBody: '(empty body)',
        MessageAttributes: {
          reason: { DataType: 'String', StringValue: 'x'.repeat(1000) },
          errorName: { DataType: 'String', StringValue: 'InvalidEventError' },
        },
      },
    ]);
  });
});

describe('eventBridgeLifecycleBus', () => {
  const detail = { version: 1, eventId: 'evt-1', action: 'signal' };

  it('puts one spot-on event on the bus', async () => {
    eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    await eventBridgeLifecycleBus(new EventBridgeClient({ region: 'us-west-2' }), 'spot-on').publish(detail);
    expect(eventBridgeMock.commandCalls(PutEventsCommand).map((call) => call.args[0].input)).toStrictEqual([
      { Entries: [{ EventBusName: 'spot-on', Source: 'spot-on', DetailType: 'Spot-On Reflex Action', Detail: JSON.stringify(detail) }] },
    ]);
  });

  it('treats a failed entry as an error although PutEvents answered 200', async () => {
    eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });
    const bus = eventBridgeLifecycleBus(new EventBridgeClient({ region: 'us-west-2' }), 'spot-on');
    await expect(bus.publish(detail)).rejects.toThrow(new LifecycleEventError('PutEvents to spot-on failed for event evt-1: InternalFailure try again'));
  });
});

describe('secretsManagerKeySource', () => {
  const OLD = 'old-signal-key-of-at-least-32-chars';
  const NEW = 'new-signal-key-of-at-least-32-chars';

  it('signs with the first key of the ring, reads once and shares the promise, and re-reads after KEY_RING_MAX_AGE_MS', async () => {
    let clock = 0;
    secretsMock.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolvesOnce({ SecretString: `${OLD},${NEW}` }).resolves({ SecretString: `${NEW},${OLD}` });
    const keys = secretsManagerKeySource(new SecretsManagerClient({ region: 'us-west-2' }), 'signal', SECRET_ARN, () => clock);
    expect(await Promise.all([keys.get(), keys.get()])).toStrictEqual([OLD, OLD]);
    clock = KEY_RING_MAX_AGE_MS - 1;
    expect(await keys.get()).toBe(OLD);
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    clock = KEY_RING_MAX_AGE_MS; // a rotation step reaches a warm Lambda
    expect(await keys.get()).toBe(NEW);
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('does not cache a failure, and refuses an unusable ring without printing it', async () => {
    secretsMock.on(GetSecretValueCommand).rejectsOnce(new Error('AccessDeniedException')).resolvesOnce({ SecretString: 'short-key' }).resolves({ SecretString: NEW });
    const keys = secretsManagerKeySource(new SecretsManagerClient({ region: 'us-west-2' }), 'flush', SECRET_ARN);

    const denied = (await keys.get().catch((e: unknown) => e)) as SigningKeyError;
    expect([denied.name, denied.message, (denied.cause as Error).message]).toStrictEqual([
      'SigningKeyError',
      `cannot read the flush key ring ${SECRET_ARN}: AccessDeniedException`,
      'AccessDeniedException',
    ]);
    await expect(keys.get()).rejects.toThrow(new SigningKeyError(`the flush key ring ${SECRET_ARN} is unusable: key 1 of 1: each key needs at least 32 characters`));
    expect(await keys.get()).toBe(NEW);
  });
});

describe('autoScalingLifecycleHooks', () => {
  const autoScalingMock = mockClient(AutoScalingClient);
  beforeEach(() => autoScalingMock.reset());
  const action = { autoScalingGroupName: 'eks-gpu-spot', lifecycleHookName: 'spot-on-flush', lifecycleActionToken: 'token-1', instanceId: 'i-0e8a6c4b2d0f97531' };
  const hooks = () => autoScalingLifecycleHooks(new AutoScalingClient({ region: 'us-west-2' }));

  it('continues the termination with the hook, group, token and instance', async () => {
    autoScalingMock.on(CompleteLifecycleActionCommand).resolves({});
    await expect(hooks().complete(action)).resolves.toBe('completed');
    expect(autoScalingMock.commandCalls(CompleteLifecycleActionCommand).map((call) => call.args[0].input)).toStrictEqual([
      { AutoScalingGroupName: 'eks-gpu-spot', LifecycleHookName: 'spot-on-flush', LifecycleActionToken: 'token-1', InstanceId: 'i-0e8a6c4b2d0f97531', LifecycleActionResult: 'CONTINUE' },
    ]);
  });

  it('treats an action that already ended as done, and anything else as an error to retry', async () => {
    const ended = Object.assign(new Error('No active Lifecycle Action found with token token-1'), { name: 'ValidationError' });
    autoScalingMock.on(CompleteLifecycleActionCommand).rejectsOnce(ended).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    await expect(hooks().complete(action)).resolves.toBe('gone');
    await expect(hooks().complete(action)).rejects.toThrow('Rate exceeded');
  });
});
