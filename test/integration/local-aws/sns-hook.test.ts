/**
 * An Auto Scaling lifecycle hook whose notification target is an SNS topic that the interruption queue subscribes to,
 * as NTH's "queue processor" setups do. Without raw delivery, SNS wraps the hook message in its notification
 * envelope; with it, the queue gets the message as is. Here SNS and SQS are fauxqs's (a maintained emulator), the
 * record is built as Lambda's event source mapping builds it, and the production classifier must read the same hook
 * from both.
 */
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { classify } from '../../../lambdas/events/classify';
import { startLocalAws, type LocalAws, type SqsQueueRef } from '../../../local/aws';
import { sqsEvent } from '../../../local/aws/lambda-event';
import { loadEvent } from '../../support/events';

interface HookMessage {
  readonly EC2InstanceId: string;
  readonly LifecycleActionToken: string;
  readonly LifecycleHookName: string;
  readonly AutoScalingGroupName: string;
}

let aws: LocalAws;
let sns: SNSClient;

beforeAll(async () => {
  aws = await startLocalAws({ seed: 7 });
  const credentials = { accessKeyId: aws.env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: aws.env.AWS_SECRET_ACCESS_KEY ?? '' };
  // fauxqs serves SNS on the same endpoint as SQS.
  sns = new SNSClient({ region: aws.region, endpoint: aws.env.AWS_ENDPOINT_URL_SQS, credentials });
});
afterAll(async () => {
  sns?.destroy();
  await aws?.stop();
});

/** Subscribes a new queue to a new topic, publishes `message` as Auto Scaling does, and receives it as the Lambda would. */
async function deliverThroughSns(name: string, message: string, raw: boolean): Promise<{ queue: SqsQueueRef; body: string; kind: string; fields: Record<string, unknown> }> {
  const queue = await aws.queues.create({ name });
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${name}-topic` }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queue.arn, ...(raw ? { Attributes: { RawMessageDelivery: 'true' } } : {}) }));
  await sns.send(new PublishCommand({ TopicArn, Message: message, Subject: "Auto Scaling:  Lifecycle action 'TERMINATING'" }));
  const received = await aws.queues.client.send(new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 5, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] }));
  const [record] = sqsEvent(received.Messages ?? [], queue.arn).Records;
  if (record === undefined) throw new Error(`nothing reached ${name}`);
  const classified = classify(record) as unknown as Record<string, unknown> & { kind: string };
  return { queue, body: record.body, kind: classified.kind, fields: classified };
}

describe('a lifecycle hook through SNS (fauxqs) to the interruption queue', () => {
  const text = JSON.stringify(loadEvent('aws.autoscaling/terminate-lifecycle/sqs-direct.json'));
  const hook = JSON.parse(text) as HookMessage;
  const expected = {
    kind: 'asg-terminate-lifecycle',
    instanceIds: [hook.EC2InstanceId],
    lifecycleActionToken: hook.LifecycleActionToken,
    lifecycleHookName: hook.LifecycleHookName,
    autoScalingGroupName: hook.AutoScalingGroupName,
  };

  it('is unwrapped from the SNS envelope (no raw delivery) into the hook the Lambda completes', async () => {
    const delivered = await deliverThroughSns('hooks-enveloped', text, false);
    expect(JSON.parse(delivered.body)).toMatchObject({ Type: 'Notification', Message: text });
    expect(delivered.fields).toMatchObject(expected);
  });

  it('reads the same hook when the subscription delivers raw', async () => {
    const delivered = await deliverThroughSns('hooks-raw', text, true);
    expect(delivered.body).toBe(text);
    expect(delivered.fields).toMatchObject(expected);
  });
});
