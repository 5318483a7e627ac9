/**
 * What Lambda hands an SQS-triggered function: the event (one record per message, in the shape of the Lambda
 * Developer Guide's "Example standard queue message event") and the invocation context.
 */
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';

/** Message attributes in Lambda's shape: camelCase, binary as base64, empty list members. */
function lambdaMessageAttributes(attributes: Readonly<Record<string, MessageAttributeValue>>): SQSMessageAttributes {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, a]) => [
      name,
      {
        ...(a.StringValue === undefined ? {} : { stringValue: a.StringValue }),
        ...(a.BinaryValue === undefined ? {} : { binaryValue: Buffer.from(a.BinaryValue).toString('base64') }),
        stringListValues: [],
        binaryListValues: [],
        dataType: a.DataType ?? 'String',
      },
    ]),
  );
}

/** One record of the event, from an SDK message received with every system and message attribute. */
function sqsRecord(message: Message, queueArn: string): SQSRecord {
  const a = message.Attributes ?? {};
  const attributes: SQSRecordAttributes = {
    ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
    SentTimestamp: a.SentTimestamp ?? '0',
    SenderId: a.SenderId ?? '',
    ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? '0',
    ...(a.AWSTraceHeader === undefined ? {} : { AWSTraceHeader: a.AWSTraceHeader }),
    ...(a.DeadLetterQueueSourceArn === undefined ? {} : { DeadLetterQueueSourceArn: a.DeadLetterQueueSourceArn }),
  };
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes,
    messageAttributes: lambdaMessageAttributes(message.MessageAttributes ?? {}),
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes === undefined ? {} : { md5OfMessageAttributes: message.MD5OfMessageAttributes }),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3] ?? '',
  };
}

/** The event for a batch of messages from the queue `queueArn`. */
export function sqsEvent(messages: readonly Message[], queueArn: string): SQSEvent {
  return { Records: messages.map((m) => sqsRecord(m, queueArn)) };
}

function callbackStyle(name: string): never {
  throw new Error(`context.${name}() is the deprecated callback style; the local Lambda runner runs async handlers only`);
}

/**
 * The context of one invocation, as the Node.js runtime builds it, for a function in the queue's region and account.
 * `logStreamId` (32 hex digits) names the execution environment's log stream; `now` counts down to `deadlineMs`.
 */
export function lambdaContext(input: {
  readonly functionName: string;
  readonly queueArn: string;
  readonly requestId: string;
  readonly memoryLimitInMB: number;
  readonly logStreamId: string;
  readonly startedAt: number;
  readonly deadlineMs: number;
  readonly now: () => number;
}): Context {
  const [, , , region, accountId] = input.queueArn.split(':');
  const day = new Date(input.startedAt).toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: input.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${input.functionName}`,
    memoryLimitInMB: String(input.memoryLimitInMB),
    awsRequestId: input.requestId,
    logGroupName: `/aws/lambda/${input.functionName}`,
    logStreamName: `${day}/[$LATEST]${input.logStreamId}`,
    getRemainingTimeInMillis: () => Math.max(0, input.deadlineMs - input.now()),
    done: () => callbackStyle('done'),
    fail: () => callbackStyle('fail'),
    succeed: () => callbackStyle('succeed'),
  };
}
