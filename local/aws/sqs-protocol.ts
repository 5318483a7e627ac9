/**
 * SQS over the AWS JSON 1.0 protocol, as @aws-sdk/client-sqs 3.11xx speaks it (AwsJson1_0Protocol with
 * serviceTarget AmazonSQS and awsQueryCompatible): `POST /` with `X-Amz-Target: AmazonSQS.<Operation>`, a JSON
 * body whose members are the API's member names (QueueUrl, MessageBody, ...; blobs base64), answers in the
 * same shape. Each operation validates its input (zod) and calls the typed queue (sqs-queue.ts).
 */
import { z } from 'zod';
import { AwsServiceError } from './errors';
import type { MessageAttribute, MessageAttributes } from './md5';
import { renderQueueAttributes } from './sqs-attributes';
import { sqsErrors } from './sqs-errors';
import { receiveMessages } from './sqs-long-poll';
import type { ReceivedMessage, SqsQueue } from './sqs-queue';
import type { SqsService } from './sqs-service';

/** Who sent the request and when to give up waiting. */
export interface SqsRequestContext {
  /** SenderId of messages this request sends (the caller's access key id here). */
  readonly senderId: string;
  /** Aborted when the server stops: long polls answer with what they have. */
  readonly signal: AbortSignal;
}

/** One operation: wire JSON in, wire JSON out. */
export type SqsOperation = (input: unknown, context: SqsRequestContext) => unknown;

const AttributeValueSchema = z.object({
  DataType: z.string(),
  StringValue: z.string().optional(),
  BinaryValue: z.string().optional(),
  StringListValues: z.array(z.string()).optional(),
  BinaryListValues: z.array(z.string()).optional(),
});
const AttributeMapSchema = z.record(z.string(), AttributeValueSchema);
const StringMapSchema = z.record(z.string(), z.string());
const Names = z.array(z.string());
const Int = z.number().int();
const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;
const MAX_BATCH_ENTRIES = 10;

const Schemas = {
  CreateQueue: z.object({ QueueName: z.string(), Attributes: StringMapSchema.optional(), tags: StringMapSchema.optional() }),
  GetQueueUrl: z.object({ QueueName: z.string(), QueueOwnerAWSAccountId: z.string().optional() }),
  ListQueues: z.object({ QueueNamePrefix: z.string().optional(), MaxResults: Int.optional(), NextToken: z.string().optional() }),
  DeleteQueue: z.object({ QueueUrl: z.string() }),
  PurgeQueue: z.object({ QueueUrl: z.string() }),
  GetQueueAttributes: z.object({ QueueUrl: z.string(), AttributeNames: Names.optional() }),
  SetQueueAttributes: z.object({ QueueUrl: z.string(), Attributes: StringMapSchema }),
  SendMessage: z.object({
    QueueUrl: z.string(),
    MessageBody: z.string(),
    DelaySeconds: Int.optional(),
    MessageAttributes: AttributeMapSchema.optional(),
    MessageSystemAttributes: AttributeMapSchema.optional(),
  }),
  SendMessageBatch: z.object({
    QueueUrl: z.string(),
    Entries: z.array(
      z.object({
        Id: z.string(),
        MessageBody: z.string(),
        DelaySeconds: Int.optional(),
        MessageAttributes: AttributeMapSchema.optional(),
        MessageSystemAttributes: AttributeMapSchema.optional(),
      }),
    ),
  }),
  ReceiveMessage: z.object({
    QueueUrl: z.string(),
    AttributeNames: Names.optional(),
    MessageSystemAttributeNames: Names.optional(),
    MessageAttributeNames: Names.optional(),
    MaxNumberOfMessages: Int.optional(),
    VisibilityTimeout: Int.optional(),
    WaitTimeSeconds: Int.optional(),
    ReceiveRequestAttemptId: z.string().optional(),
  }),
  DeleteMessage: z.object({ QueueUrl: z.string(), ReceiptHandle: z.string() }),
  DeleteMessageBatch: z.object({ QueueUrl: z.string(), Entries: z.array(z.object({ Id: z.string(), ReceiptHandle: z.string() })) }),
  ChangeMessageVisibility: z.object({ QueueUrl: z.string(), ReceiptHandle: z.string(), VisibilityTimeout: Int }),
  ChangeMessageVisibilityBatch: z.object({
    QueueUrl: z.string(),
    Entries: z.array(z.object({ Id: z.string(), ReceiptHandle: z.string(), VisibilityTimeout: Int.optional() })),
  }),
} as const;

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Parses an operation's input; a missing member is MissingParameter, a mistyped one InvalidParameterValue. */
function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path ?? [];
  const name = path.map(String).join('.');
  if (valueAt(input, path) === undefined) throw sqsErrors.missingParameter(name);
  throw sqsErrors.invalidParameterValue(`Value for parameter ${name} is invalid. Reason: ${issue?.message ?? 'invalid'}.`);
}

function toAttributes(wire: Readonly<Record<string, z.infer<typeof AttributeValueSchema>>> | undefined): MessageAttributes {
  const out: Record<string, MessageAttribute> = {};
  for (const [name, value] of Object.entries(wire ?? {})) {
    if (value.StringListValues?.length || value.BinaryListValues?.length) {
      throw sqsErrors.invalidParameterValue(`Message (user) attribute '${name}': StringListValues and BinaryListValues are reserved for future use.`);
    }
    out[name] = {
      dataType: value.DataType,
      ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
      ...(value.BinaryValue === undefined ? {} : { binaryValue: Buffer.from(value.BinaryValue, 'base64') }),
    };
  }
  return out;
}

/** Message attributes in wire form (binary as base64). */
export function toWireAttributes(attributes: MessageAttributes): Record<string, Record<string, string>> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, a]) => [
      name,
      {
        DataType: a.dataType,
        ...(a.stringValue === undefined ? {} : { StringValue: a.stringValue }),
        ...(a.binaryValue === undefined ? {} : { BinaryValue: a.binaryValue.toString('base64') }),
      },
    ]),
  );
}

function traceHeaderOf(system: Readonly<Record<string, z.infer<typeof AttributeValueSchema>>> | undefined): string | undefined {
  for (const name of Object.keys(system ?? {})) {
    if (name !== 'AWSTraceHeader') {
      throw sqsErrors.invalidParameterValue(`Message system attribute name '${name}' is invalid. Only AWSTraceHeader is supported.`);
    }
  }
  return system?.AWSTraceHeader?.StringValue;
}

function renderMessage(message: ReceivedMessage): Record<string, unknown> {
  return {
    MessageId: message.messageId,
    ReceiptHandle: message.receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
    ...(Object.keys(message.attributes).length > 0 ? { Attributes: message.attributes } : {}),
    ...(message.md5OfMessageAttributes === undefined ? {} : { MD5OfMessageAttributes: message.md5OfMessageAttributes }),
    ...(Object.keys(message.messageAttributes).length > 0 ? { MessageAttributes: toWireAttributes(message.messageAttributes) } : {}),
  };
}

function checkBatch<T extends { Id: string }>(entries: readonly T[], entryName: string): void {
  if (entries.length === 0) throw sqsErrors.emptyBatchRequest(entryName);
  if (entries.length > MAX_BATCH_ENTRIES) throw sqsErrors.tooManyEntriesInBatchRequest(entries.length);
  const seen = new Set<string>();
  for (const entry of entries) {
    if (!BATCH_ID.test(entry.Id)) throw sqsErrors.invalidBatchEntryId();
    if (seen.has(entry.Id)) throw sqsErrors.batchEntryIdsNotDistinct(entry.Id);
    seen.add(entry.Id);
  }
}

/** Runs each batch entry; an entry's AwsServiceError becomes a Failed entry, as the service reports it. */
function runBatch<T extends { Id: string }>(entries: readonly T[], run: (entry: T) => Record<string, unknown>) {
  const Successful: Record<string, unknown>[] = [];
  const Failed: Record<string, unknown>[] = [];
  for (const entry of entries) {
    try {
      Successful.push({ Id: entry.Id, ...run(entry) });
    } catch (error) {
      if (!(error instanceof AwsServiceError)) throw error;
      Failed.push({ Id: entry.Id, SenderFault: error.senderFault, Code: error.queryCode ?? error.code, Message: error.message });
    }
  }
  return { Successful, Failed };
}

function sendOne(queue: SqsQueue, entry: z.infer<typeof Schemas.SendMessage> | z.infer<typeof Schemas.SendMessageBatch>['Entries'][number], senderId: string) {
  const traceHeader = traceHeaderOf(entry.MessageSystemAttributes);
  const result = queue.send({
    body: entry.MessageBody,
    ...(entry.DelaySeconds === undefined ? {} : { delaySeconds: entry.DelaySeconds }),
    messageAttributes: toAttributes(entry.MessageAttributes),
    senderId,
    ...(traceHeader === undefined ? {} : { traceHeader }),
  });
  return {
    MessageId: result.messageId,
    MD5OfMessageBody: result.md5OfMessageBody,
    ...(result.md5OfMessageAttributes === undefined ? {} : { MD5OfMessageAttributes: result.md5OfMessageAttributes }),
  };
}

/** The SQS operations the local SQS answers, by X-Amz-Target operation name. */
export function sqsOperations(service: SqsService): Readonly<Record<string, SqsOperation>> {
  return {
    CreateQueue(input) {
      const { QueueName, Attributes } = parse(Schemas.CreateQueue, input);
      return { QueueUrl: service.createFromWire(QueueName, Attributes ?? {}).url };
    },
    GetQueueUrl(input) {
      const { QueueName, QueueOwnerAWSAccountId } = parse(Schemas.GetQueueUrl, input);
      if (QueueOwnerAWSAccountId !== undefined && QueueOwnerAWSAccountId !== service.accountId) throw sqsErrors.queueDoesNotExist();
      return { QueueUrl: service.require(QueueName).url };
    },
    ListQueues(input) {
      const { QueueNamePrefix, MaxResults, NextToken } = parse(Schemas.ListQueues, input);
      const urls = service.list(QueueNamePrefix).map((q) => q.url);
      const start = NextToken === undefined ? 0 : Number(NextToken);
      const end = MaxResults === undefined ? urls.length : start + MaxResults;
      const page = urls.slice(start, end);
      return { ...(page.length > 0 ? { QueueUrls: page } : {}), ...(end < urls.length ? { NextToken: String(end) } : {}) };
    },
    DeleteQueue(input) {
      service.delete(service.byUrl(parse(Schemas.DeleteQueue, input).QueueUrl));
      return {};
    },
    PurgeQueue(input) {
      service.byUrl(parse(Schemas.PurgeQueue, input).QueueUrl).purge();
      return {};
    },
    GetQueueAttributes(input) {
      const { QueueUrl, AttributeNames } = parse(Schemas.GetQueueAttributes, input);
      const queue = service.byUrl(QueueUrl);
      const attributes = renderQueueAttributes(queue, service.passiveAttributes(queue), AttributeNames ?? []);
      return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
    },
    SetQueueAttributes(input) {
      const { QueueUrl, Attributes } = parse(Schemas.SetQueueAttributes, input);
      service.setAttributes(service.byUrl(QueueUrl), Attributes);
      return {};
    },
    SendMessage(input, context) {
      const request = parse(Schemas.SendMessage, input);
      return sendOne(service.byUrl(request.QueueUrl), request, context.senderId);
    },
    SendMessageBatch(input, context) {
      const { QueueUrl, Entries } = parse(Schemas.SendMessageBatch, input);
      const queue = service.byUrl(QueueUrl);
      checkBatch(Entries, 'SendMessageBatchRequestEntry');
      const bytes = Entries.reduce((sum, e) => sum + Buffer.byteLength(e.MessageBody), 0);
      if (bytes > queue.settings.maximumMessageSize) throw sqsErrors.batchRequestTooLong(bytes, queue.settings.maximumMessageSize);
      return runBatch(Entries, (entry) => sendOne(queue, entry, context.senderId));
    },
    async ReceiveMessage(input, context) {
      const request = parse(Schemas.ReceiveMessage, input);
      const queue = service.byUrl(request.QueueUrl);
      const attributeNames = [...(request.AttributeNames ?? []), ...(request.MessageSystemAttributeNames ?? [])];
      const messages = await receiveMessages(
        queue,
        {
          ...(request.MaxNumberOfMessages === undefined ? {} : { maxNumberOfMessages: request.MaxNumberOfMessages }),
          ...(request.VisibilityTimeout === undefined ? {} : { visibilityTimeoutSeconds: request.VisibilityTimeout }),
          ...(request.WaitTimeSeconds === undefined ? {} : { waitTimeSeconds: request.WaitTimeSeconds }),
          attributeNames,
          messageAttributeNames: request.MessageAttributeNames ?? [],
        },
        context.signal,
      );
      return messages.length > 0 ? { Messages: messages.map(renderMessage) } : {};
    },
    DeleteMessage(input) {
      const { QueueUrl, ReceiptHandle } = parse(Schemas.DeleteMessage, input);
      service.byUrl(QueueUrl).delete(ReceiptHandle);
      return {};
    },
    DeleteMessageBatch(input) {
      const { QueueUrl, Entries } = parse(Schemas.DeleteMessageBatch, input);
      const queue = service.byUrl(QueueUrl);
      checkBatch(Entries, 'DeleteMessageBatchRequestEntry');
      return runBatch(Entries, (entry) => {
        queue.delete(entry.ReceiptHandle);
        return {};
      });
    },
    ChangeMessageVisibility(input) {
      const { QueueUrl, ReceiptHandle, VisibilityTimeout } = parse(Schemas.ChangeMessageVisibility, input);
      service.byUrl(QueueUrl).changeVisibility(ReceiptHandle, VisibilityTimeout);
      return {};
    },
    ChangeMessageVisibilityBatch(input) {
      const { QueueUrl, Entries } = parse(Schemas.ChangeMessageVisibilityBatch, input);
      const queue = service.byUrl(QueueUrl);
      checkBatch(Entries, 'ChangeMessageVisibilityBatchRequestEntry');
      return runBatch(Entries, (entry) => {
        if (entry.VisibilityTimeout === undefined) throw sqsErrors.missingParameter('VisibilityTimeout');
        queue.changeVisibility(entry.ReceiptHandle, entry.VisibilityTimeout);
        return {};
      });
    },
  };
}
