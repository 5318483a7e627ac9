/**
 * The real AWS SDK v3 clients against the local AWS, configured only through the environment it hands out
 * (AWS_ENDPOINT_URL_SQS / _EVENTBRIDGE / _SECRETS_MANAGER / _EKS, AWS_REGION, dummy credentials): the clients
 * below are built with `{}`, exactly as the production handlers build theirs.
 */
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { INGEST_RULES } from '../../../lambdas/events/rules';
import { createLocalCertificate } from '../../../local/tls';
import { md5OfMessageAttributes, startLocalAws, type LocalAws } from '../../../local/aws';
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

describe('SQS (JSON 1.0) with @aws-sdk/client-sqs', () => {
  it('sends, receives and deletes with message attributes; the SDK checks every MD5', async () => {
    const queue = aws.queues.create('sdk-basic');
    const client = sqs();
    const attributes = {
      signalType: { DataType: 'String', StringValue: 'capacity-lost' },
      attempt: { DataType: 'Number', StringValue: '3' },
      blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 255]) },
    };
    const sent = await client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"hello":"wörld"}', MessageAttributes: attributes }));
    expect(sent.MD5OfMessageAttributes).toBe(
      md5OfMessageAttributes({
        signalType: { dataType: 'String', stringValue: 'capacity-lost' },
        attempt: { dataType: 'Number', stringValue: '3' },
        blob: { dataType: 'Binary', binaryValue: Buffer.from([0, 1, 2, 255]) },
      }),
    );

    const received = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
    );
    expect(received.Messages).toHaveLength(1);
    const [message] = received.Messages ?? [];
    expect(message).toMatchObject({
      MessageId: sent.MessageId,
      Body: '{"hello":"wörld"}',
      MD5OfBody: sent.MD5OfMessageBody,
      MD5OfMessageAttributes: sent.MD5OfMessageAttributes,
      Attributes: { ApproximateReceiveCount: '1', SenderId: aws.env.AWS_ACCESS_KEY_ID },
      MessageAttributes: {
        signalType: { DataType: 'String', StringValue: 'capacity-lost' },
        attempt: { DataType: 'Number', StringValue: '3' },
        blob: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 255]) },
      },
    });
    expect(Number(message?.Attributes?.SentTimestamp)).toBeGreaterThan(Date.now() - 60_000);

    await client.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message?.ReceiptHandle }));
    const counts = await client.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['All'] }));
    expect(counts.Attributes).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0', QueueArn: queue.arn });
  });

  it('creates queues, finds them by name and batches sends and deletes', async () => {
    const client = sqs();
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'sdk-created', Attributes: { VisibilityTimeout: '45' } }));
    expect(QueueUrl).toBe(`${aws.endpoint}/${aws.accountId}/sdk-created`);
    expect((await client.send(new GetQueueUrlCommand({ QueueName: 'sdk-created' }))).QueueUrl).toBe(QueueUrl);
    const renamed = await errorOf(client.send(new CreateQueueCommand({ QueueName: 'sdk-created', Attributes: { VisibilityTimeout: '30' } })));
    expect(renamed.name).toBe('QueueNameExists');

    const batch = await client.send(
      new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', MessageBody: 'one' }, { Id: 'b', MessageBody: 'two', DelaySeconds: 901 }] }),
    );
    expect(batch.Successful?.map((e) => e.Id)).toStrictEqual(['a']);
    expect(batch.Failed).toStrictEqual([{ Id: 'b', SenderFault: true, Code: 'InvalidParameterValue', Message: expect.stringContaining('DelaySeconds') }]);
    const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    const deleted = await client.send(
      new DeleteMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'x', ReceiptHandle: Messages[0]?.ReceiptHandle }, { Id: 'y', ReceiptHandle: 'forged' }] }),
    );
    expect(deleted.Successful).toStrictEqual([{ Id: 'x' }]);
    expect(deleted.Failed?.[0]).toMatchObject({ Id: 'y', Code: 'ReceiptHandleIsInvalid', SenderFault: true });
  });

  it('long-polls: answers when a message arrives, or empty when the wait ends', async () => {
    const queue = aws.queues.create('sdk-long-poll');
    const client = sqs();
    const started = Date.now();
    const waiting = client.send(new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 10 }));
    setTimeout(() => void sqs().send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'late' })), 300);
    const { Messages } = await waiting;
    const waited = Date.now() - started;
    expect(Messages?.map((m) => m.Body)).toStrictEqual(['late']);
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(5_000);

    const emptyStarted = Date.now();
    const empty = await client.send(new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 1 }));
    expect(empty.Messages).toBeUndefined();
    expect(Date.now() - emptyStarted).toBeGreaterThanOrEqual(900);
  });

  it('redrives to the dead-letter queue after maxReceiveCount, observably through the SDK', async () => {
    const dlq = aws.queues.create('sdk-redrive-dlq');
    const queue = aws.queues.create('sdk-redrive', { deadLetterQueue: { queue: dlq, maxReceiveCount: 2 } });
    const client = sqs();
    const { MessageId } = await client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'poison' }));
    for (const count of ['1', '2']) {
      const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl: queue.url, VisibilityTimeout: 0, MessageSystemAttributeNames: ['All'] }));
      expect(Messages.map((m) => m.Attributes?.ApproximateReceiveCount)).toStrictEqual([count]);
    }
    const third = await client.send(new ReceiveMessageCommand({ QueueUrl: queue.url }));
    expect(third.Messages).toBeUndefined();
    const moved = await client.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, MessageSystemAttributeNames: ['All'] }));
    expect(moved.Messages?.[0]).toMatchObject({ MessageId, Body: 'poison', Attributes: { DeadLetterQueueSourceArn: queue.arn } });
    const policy = await client.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['RedrivePolicy'] }));
    expect(JSON.parse(policy.Attributes?.RedrivePolicy ?? '{}')).toStrictEqual({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 });
  });

  it('answers errors the SDK maps to its modeled exceptions', async () => {
    const queue = aws.queues.create('sdk-errors');
    const client = sqs();
    const missing = await errorOf(client.send(new GetQueueUrlCommand({ QueueName: 'no-such-queue' })));
    expect(missing).toMatchObject({ name: 'QueueDoesNotExist', message: 'The specified queue does not exist.', Code: 'AWS.SimpleQueueService.NonExistentQueue' });
    expect(missing.$metadata?.httpStatusCode).toBe(400);
    const forged = await errorOf(client.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: 'forged' })));
    expect(forged.name).toBe('ReceiptHandleIsInvalid');
    await client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'x' }));
    const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl: queue.url }));
    await client.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: Messages[0]?.ReceiptHandle }));
    const gone = await errorOf(client.send(new ChangeMessageVisibilityCommand({ QueueUrl: queue.url, ReceiptHandle: Messages[0]?.ReceiptHandle, VisibilityTimeout: 5 })));
    expect(gone.name).toBe('InvalidParameterValue');
    const tooMany = await errorOf(client.send(new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 11 })));
    expect(tooMany).toMatchObject({ name: 'InvalidParameterValue', message: 'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.' });
  });

  it('refuses a request signed for another region, as AWS does', async () => {
    const error = await errorOf(new SQSClient({ region: 'eu-west-1' }).send(new GetQueueUrlCommand({ QueueName: 'sdk-basic' })));
    expect(error.name).toBe('InvalidSignatureException');
  });

  it('answers the documented JSON error shape on the wire', async () => {
    const response = await fetch(aws.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AmazonSQS.GetQueueUrl',
        authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260301/${aws.region}/sqs/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: JSON.stringify({ QueueName: 'no-such-queue' }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(response.headers.get('x-amzn-query-error')).toBe('AWS.SimpleQueueService.NonExistentQueue;Sender');
    expect(await response.json()).toStrictEqual({ __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' });
  });
});

describe('EventBridge (JSON 1.1) with @aws-sdk/client-eventbridge', () => {
  it('routes PutEvents through rules into a queue and records lifecycle events on the spot-on bus', async () => {
    const tap = aws.queues.create('sdk-lifecycle-tap');
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

  it('refuses aws.* sources on PutEvents; AWS events reach the INGEST_RULES queue by injection', async () => {
    const queue = aws.queues.create('sdk-interruption');
    aws.buses.get('default')?.putRules(INGEST_RULES, [queue]);
    const warning = loadEvent<{ source: string; 'detail-type': string; detail: unknown }>('aws.ec2/spot-interruption/terminate.json');
    const refused = await new EventBridgeClient({}).send(
      new PutEventsCommand({ Entries: [{ Source: warning.source, DetailType: warning['detail-type'], Detail: JSON.stringify(warning.detail) }] }),
    );
    expect(refused).toMatchObject({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'NotAuthorizedForSourceException' }] });

    aws.buses.get('default')?.inject(warning);
    aws.buses.get('default')?.inject(loadEvent('aws.ec2/instance-state-change/pending.json'));
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

  it('logs every request', () => {
    const log = aws.requests();
    expect(log.some((r) => r.service === 'sqs' && r.operation === 'SendMessage' && r.status === 200)).toBe(true);
    expect(log.some((r) => r.service === 'eks' && r.operation === 'DescribeCluster' && r.status === 404 && r.errorCode === 'ResourceNotFoundException')).toBe(true);
  });
});
