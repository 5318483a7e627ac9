/**
 * The real AWS SDK v3 clients against the local AWS, configured only through the environment it hands out
 * (AWS_ENDPOINT_URL_SQS to fauxqs; _EVENTBRIDGE / _SECRETS_MANAGER / _EKS to the hand-written server; AWS_REGION, dummy
 * credentials): the clients below are built with `{}`, exactly as the production handlers build theirs.
 */
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { INGEST_RULES } from '../../../lambdas/events/rules';
import { createLocalCertificate } from '../../../local/tls';
import { startLocalAws, type LocalAws } from '../../../local/aws';
import { loadEvent } from '../../support/events';

let aws: LocalAws;
const savedEnv = { ...process.env };

beforeAll(async () => {
  aws = await startLocalAws({ buses: ['spot-on'] });
  Object.assign(process.env, aws.env);
});

afterAll(async () => {
  process.env = savedEnv;
  await aws.stop();
});

const sqs = () => new SQSClient({});

async function errorOf(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number }; Code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('SQS (fauxqs) with @aws-sdk/client-sqs', () => {
  it('reaches fauxqs through AWS_ENDPOINT_URL_SQS: send, receive with attributes, delete', async () => {
    expect(aws.env.AWS_ENDPOINT_URL_SQS).toBe(aws.queues.endpoint);
    const queue = await aws.queues.create({ name: 'sdk-basic' });
    const client = sqs();
    const attributes = { signalType: { DataType: 'String', StringValue: 'capacity-lost' }, blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 255]) } };
    const sent = await client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"hello":"wörld"}', MessageAttributes: attributes }));
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
    );
    expect(Messages).toHaveLength(1);
    expect(Messages[0]).toMatchObject({
      MessageId: sent.MessageId,
      Body: '{"hello":"wörld"}',
      MD5OfBody: sent.MD5OfMessageBody,
      Attributes: { ApproximateReceiveCount: '1' },
      MessageAttributes: { signalType: { DataType: 'String', StringValue: 'capacity-lost' } },
    });
    await client.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: Messages[0]?.ReceiptHandle }));
    expect(await aws.queues.count(queue)).toBe(0);
  });

  it('creates queues with the deployment attributes and redrives after maxReceiveCount', async () => {
    const dlq = await aws.queues.create({ name: 'sdk-redrive-dlq' });
    const queue = await aws.queues.create({ name: 'sdk-redrive', visibilityTimeoutSeconds: 6, messageRetentionSeconds: 5760, deadLetterQueue: { queue: dlq, maxReceiveCount: 2 } });
    const client = sqs();
    const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['VisibilityTimeout', 'MessageRetentionPeriod', 'RedrivePolicy', 'QueueArn'] }));
    expect(Attributes).toMatchObject({ VisibilityTimeout: '6', MessageRetentionPeriod: '5760', QueueArn: queue.arn });
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toMatchObject({ deadLetterTargetArn: dlq.arn });
    expect(Number((JSON.parse(Attributes?.RedrivePolicy ?? '{}') as { maxReceiveCount: unknown }).maxReceiveCount)).toBe(2);

    const MessageId = await aws.queues.send(queue, 'poison');
    for (const count of ['1', '2']) {
      const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl: queue.url, VisibilityTimeout: 0, MessageSystemAttributeNames: ['All'] }));
      expect(Messages.map((m) => m.Attributes?.ApproximateReceiveCount)).toStrictEqual([count]);
    }
    const third = await client.send(new ReceiveMessageCommand({ QueueUrl: queue.url }));
    expect(third.Messages ?? []).toStrictEqual([]);
    expect((await aws.queues.peek(dlq)).map((m) => [m.MessageId, m.Body])).toStrictEqual([[MessageId, 'poison']]);
    expect(await aws.queues.count(dlq)).toBe(1);
  });

  it('long-polls: answers when a message arrives', async () => {
    const queue = await aws.queues.create({ name: 'sdk-long-poll' });
    const started = Date.now();
    const waiting = sqs().send(new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 10 }));
    setTimeout(() => void aws.queues.send(queue, 'late'), 300);
    const { Messages } = await waiting;
    expect(Messages?.map((m) => m.Body)).toStrictEqual(['late']);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('EventBridge (JSON 1.1) with @aws-sdk/client-eventbridge', () => {
  it('routes PutEvents through rules into a queue and records lifecycle events on the spot-on bus', async () => {
    const tap = await aws.queues.create({ name: 'sdk-lifecycle-tap' });
    aws.buses.get('spot-on')?.putRule({ name: 'reflex-actions', pattern: { source: ['spot-on'] }, targets: [tap] });
    const result = await new EventBridgeClient({}).send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: 'spot-on', Source: 'spot-on', DetailType: 'Spot-On Reflex Action', Detail: JSON.stringify({ eventId: 'e-1' }), Time: new Date('2026-11-18T14:21:09Z') },
          { EventBusName: 'spot-on', Source: 'spot-on', DetailType: 'Spot-On Reflex Action', Detail: '[1]' },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries?.[1]).toStrictEqual({ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' });
    const recorded = aws.buses.get('spot-on')?.events().at(-1)?.event;
    expect(recorded).toMatchObject({ id: result.Entries?.[0]?.EventId, time: '2026-11-18T14:21:09Z', detail: { eventId: 'e-1' }, account: aws.accountId, region: aws.region });
    const { Messages = [] } = await sqs().send(new ReceiveMessageCommand({ QueueUrl: tap.url }));
    expect(JSON.parse(Messages[0]?.Body ?? '{}')).toStrictEqual(recorded);
  });

  it('refuses a request signed for another region, as AWS does', async () => {
    const error = await errorOf(new EventBridgeClient({ region: 'eu-west-1' }).send(new PutEventsCommand({ Entries: [{ Source: 'spot-on', DetailType: 't', Detail: '{}' }] })));
    expect(error.name).toBe('InvalidSignatureException');
  });

  it('refuses aws.* sources on PutEvents; AWS events reach the INGEST_RULES queue by injection', async () => {
    const queue = await aws.queues.create({ name: 'sdk-interruption' });
    aws.buses.get('default')?.putRules(INGEST_RULES, [queue]);
    const warning = loadEvent<{ source: string; 'detail-type': string; detail: unknown }>('aws.ec2/spot-interruption/terminate.json');
    const refused = await new EventBridgeClient({}).send(
      new PutEventsCommand({ Entries: [{ Source: warning.source, DetailType: warning['detail-type'], Detail: JSON.stringify(warning.detail) }] }),
    );
    expect(refused).toMatchObject({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'NotAuthorizedForSourceException' }] });

    await aws.buses.get('default')?.inject(warning);
    await aws.buses.get('default')?.inject(loadEvent('aws.ec2/instance-state-change/pending.json'));
    const { Messages = [] } = await sqs().send(new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10 }));
    expect(Messages.map((m) => JSON.parse(m.Body ?? '') as unknown)).toStrictEqual([warning]);
  });
});

describe('Secrets Manager and EKS', () => {
  it('GetSecretValue by name and by ARN; a missing secret is ResourceNotFoundException', async () => {
    const secret = aws.secrets.put('spot-on/signing-key', 'shh');
    const client = new SecretsManagerClient({});
    for (const SecretId of [secret.name, secret.arn]) {
      expect(await client.send(new GetSecretValueCommand({ SecretId }))).toMatchObject({
        ARN: secret.arn,
        Name: 'spot-on/signing-key',
        SecretString: 'shh',
        VersionId: secret.versionId,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: expect.any(Date),
      });
    }
    const missing = await errorOf(client.send(new GetSecretValueCommand({ SecretId: 'nope' })));
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
  });

  it('DescribeCluster answers the registered endpoint and CA; an unknown cluster is ResourceNotFoundException', async () => {
    const { certPem } = await createLocalCertificate('local cluster CA');
    aws.eks.putCluster({ name: 'spot-on-fl', endpoint: 'https://127.0.0.1:6443', caPem: certPem });
    const client = new EKSClient({});
    const { cluster } = await client.send(new DescribeClusterCommand({ name: 'spot-on-fl' }));
    expect(cluster).toMatchObject({ name: 'spot-on-fl', endpoint: 'https://127.0.0.1:6443', status: 'ACTIVE', arn: `arn:aws:eks:${aws.region}:${aws.accountId}:cluster/spot-on-fl` });
    expect(Buffer.from(cluster?.certificateAuthority?.data ?? '', 'base64').toString('utf8')).toBe(certPem);
    expect(cluster?.createdAt).toBeInstanceOf(Date);
    const missing = await errorOf(client.send(new DescribeClusterCommand({ name: 'nope' })));
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', message: 'No cluster found for name: nope.' });
  });
});
