/** Wire shapes: SigV4 scope checks, each protocol's error shape, and SQS JSON operations without a socket. */
import { AwsServiceError } from '../../../../local/aws/errors';
import { md5Hex } from '../../../../local/aws/md5';
import { sqsOperations } from '../../../../local/aws/sqs-protocol';
import { checkCredentialScope, errorAnswer, parseCredentialScope } from '../../../../local/aws/wire';
import { localSqs } from './helpers';

const AUTH = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260301/us-west-2/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc';

describe('SigV4 credential scope', () => {
  it('reads the scope and accepts any signature for the right service and region', () => {
    expect(parseCredentialScope(AUTH)).toStrictEqual({ accessKeyId: 'AKIDEXAMPLE', date: '20260301', region: 'us-west-2', service: 'sqs' });
    expect(checkCredentialScope(AUTH, 'sqs', 'us-west-2').accessKeyId).toBe('AKIDEXAMPLE');
  });

  it.each([
    [undefined, 'sqs', 'us-west-2', 'MissingAuthenticationTokenException', 'Missing Authentication Token'],
    ['Bearer x', 'sqs', 'us-west-2', 'IncompleteSignatureException', 'Authorization header requires a SigV4 Credential scope.'],
    [AUTH, 'events', 'us-west-2', 'InvalidSignatureException', "Credential should be scoped to correct service: 'events'. "],
    [AUTH, 'sqs', 'eu-west-1', 'InvalidSignatureException', 'Credential should be scoped to a valid region. (the local AWS serves eu-west-1)'],
  ])('refuses %s for %s in %s', (authorization, service, region, code, message) => {
    expect(() => checkCredentialScope(authorization, service, region)).toThrow(expect.objectContaining({ code, message, status: 403 }));
  });
});

describe('errorAnswer', () => {
  const error = new AwsServiceError('QueueDoesNotExist', 'The specified queue does not exist.', { queryCode: 'AWS.SimpleQueueService.NonExistentQueue' });

  it('renders SQS JSON 1.0 errors with __type and x-amzn-query-error', () => {
    expect(errorAnswer('awsJson1_0', error, 'req-1', { typeNamespace: 'com.amazonaws.sqs', queryCompatible: true })).toStrictEqual({
      status: 400,
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': 'req-1',
        'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender',
      },
      body: JSON.stringify({ __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' }),
    });
  });

  it('renders JSON 1.1 errors with a bare __type and the service message key', () => {
    const notFound = new AwsServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    expect(JSON.parse(errorAnswer('awsJson1_1', notFound, 'r', { messageKey: 'Message' }).body)).toStrictEqual({
      __type: 'ResourceNotFoundException',
      Message: "Secrets Manager can't find the specified secret.",
    });
  });

  it('renders REST-JSON errors with x-amzn-ErrorType', () => {
    const notFound = new AwsServiceError('ResourceNotFoundException', 'No cluster found for name: x.', { status: 404, fields: { clusterName: 'x' } });
    expect(errorAnswer('restJson1', notFound, 'r')).toStrictEqual({
      status: 404,
      headers: { 'content-type': 'application/json', 'x-amzn-requestid': 'r', 'x-amzn-errortype': 'ResourceNotFoundException' },
      body: JSON.stringify({ clusterName: 'x', message: 'No cluster found for name: x.' }),
    });
  });
});

describe('SQS JSON operations', () => {
  const context = { senderId: 'AKIDEXAMPLE', signal: new AbortController().signal };

  it('answers SendMessage and ReceiveMessage in wire form, binary as base64', async () => {
    const { sqs } = localSqs();
    const queue = sqs.create('q');
    const ops = sqsOperations(sqs);
    const sent = (await ops.SendMessage?.(
      { QueueUrl: queue.url, MessageBody: 'hi', MessageAttributes: { b: { DataType: 'Binary', BinaryValue: Buffer.from('x').toString('base64') } } },
      context,
    )) as Record<string, string>;
    expect(sent).toStrictEqual({ MessageId: expect.any(String), MD5OfMessageBody: md5Hex('hi'), MD5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const received = await ops.ReceiveMessage?.({ QueueUrl: queue.url, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['SenderId'] }, context);
    expect(received).toStrictEqual({
      Messages: [
        {
          MessageId: sent.MessageId,
          ReceiptHandle: expect.any(String),
          MD5OfBody: md5Hex('hi'),
          Body: 'hi',
          Attributes: { SenderId: 'AKIDEXAMPLE' },
          MD5OfMessageAttributes: sent.MD5OfMessageAttributes,
          MessageAttributes: { b: { DataType: 'Binary', BinaryValue: 'eA==' } },
        },
      ],
    });
    expect(await ops.ReceiveMessage?.({ QueueUrl: queue.url }, context)).toStrictEqual({});
  });

  it('reports batch entry failures as Failed entries and refuses bad batches', async () => {
    const { sqs } = localSqs();
    const queue = sqs.create('q');
    const ops = sqsOperations(sqs);
    queue.send({ body: 'x' });
    const [message] = queue.receive();
    const result = await ops.DeleteMessageBatch?.(
      { QueueUrl: queue.url, Entries: [{ Id: 'ok', ReceiptHandle: message?.receiptHandle }, { Id: 'bad', ReceiptHandle: 'nope' }] },
      context,
    );
    expect(result).toStrictEqual({
      Successful: [{ Id: 'ok' }],
      Failed: [{ Id: 'bad', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: 'The input receipt handle "nope" is not a valid receipt handle.' }],
    });
    expect(() => ops.DeleteMessageBatch?.({ QueueUrl: queue.url, Entries: [] }, context)).toThrow(expect.objectContaining({ code: 'EmptyBatchRequest' }));
    expect(() =>
      ops.SendMessageBatch?.({ QueueUrl: queue.url, Entries: [{ Id: 'a', MessageBody: 'x' }, { Id: 'a', MessageBody: 'y' }] }, context),
    ).toThrow(expect.objectContaining({ code: 'BatchEntryIdsNotDistinct' }));
    expect(() => ops.SendMessage?.({ QueueUrl: queue.url }, context)).toThrow(
      expect.objectContaining({ code: 'MissingParameter', message: 'The request must contain the parameter MessageBody.' }),
    );
  });
});
