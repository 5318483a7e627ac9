/**
 * The local SQS: fauxqs (../fauxqs.ts) in a process of its own, reached with the real @aws-sdk/client-sqs. Queues are
 * created with the attributes a deployment gives them (VisibilityTimeout, MessageRetentionPeriod, RedrivePolicy);
 * fauxqs keeps the semantics (visibility, receive counts, long polls, redrive, MD5s). Queue URLs handed out are
 * `<endpoint>/<account>/<name>`, so the SQS client's "QueueUrl as endpoint" rule lands on fauxqs too.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { startFauxqs } from '../fauxqs';

/** A queue, as its consumers and senders name it. */
export interface SqsQueueRef {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
}

/** A queue's attributes (SQS's defaults where not given). */
export interface QueueDefinition {
  readonly name: string;
  /** Whole seconds, 0 to 43,200. @default 30 */
  readonly visibilityTimeoutSeconds?: number;
  /** Whole seconds, 60 to 1,209,600. @default 345,600 */
  readonly messageRetentionSeconds?: number;
  /** RedrivePolicy: after `maxReceiveCount` receives a message moves to `queue`. */
  readonly deadLetterQueue?: { readonly queue: SqsQueueRef; readonly maxReceiveCount: number };
}

/** The running local SQS. */
export interface LocalSqs {
  readonly endpoint: string;
  /** A client on this SQS (region and credentials of the local AWS). */
  readonly client: SQSClient;
  create(definition: QueueDefinition): Promise<SqsQueueRef>;
  send(queue: Pick<SqsQueueRef, 'url'>, body: string, delaySeconds?: number): Promise<string>;
  /** Messages waiting or in flight (ApproximateNumberOfMessages + NotVisible), e.g. in a dead-letter queue. */
  count(queue: Pick<SqsQueueRef, 'url'>): Promise<number>;
  /** Looks at up to `max` messages without taking them (each look is a receive: use it on dead-letter queues). */
  peek(queue: Pick<SqsQueueRef, 'url'>, max?: number): Promise<Message[]>;
  stop(): Promise<void>;
}

/** Starts fauxqs and a client on it for `region` with `credentials`. */
export async function startLocalSqs(region: string, credentials: { readonly accessKeyId: string; readonly secretAccessKey: string }): Promise<LocalSqs> {
  const fauxqs = await startFauxqs();
  const client = new SQSClient({ endpoint: fauxqs.endpoint, region, credentials });
  return {
    endpoint: fauxqs.endpoint,
    client,
    async create({ name, visibilityTimeoutSeconds, messageRetentionSeconds, deadLetterQueue }) {
      const Attributes: Record<string, string> = {
        ...(visibilityTimeoutSeconds === undefined ? {} : { VisibilityTimeout: String(visibilityTimeoutSeconds) }),
        ...(messageRetentionSeconds === undefined ? {} : { MessageRetentionPeriod: String(messageRetentionSeconds) }),
        ...(deadLetterQueue === undefined
          ? {}
          : { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterQueue.queue.arn, maxReceiveCount: String(deadLetterQueue.maxReceiveCount) }) }),
      };
      const { QueueUrl: answered } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes }));
      if (answered === undefined) throw new Error(`CreateQueue ${name} answered no QueueUrl`);
      // fauxqs names its queues http://sqs.<region>.localhost:<port>/<account>/<name>, a host this machine may not
      // resolve; it finds a queue by the URL's path, so the URL on its own endpoint is the same queue.
      const url = `${fauxqs.endpoint}${new URL(answered).pathname}`;
      const { Attributes: attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
      const arn = attributes?.QueueArn;
      if (arn === undefined) throw new Error(`queue ${name} has no QueueArn`);
      return { name, url, arn };
    },
    async send(queue, body, delaySeconds) {
      const { MessageId } = await client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body, ...(delaySeconds ? { DelaySeconds: delaySeconds } : {}) }));
      return MessageId ?? '';
    },
    async count(queue) {
      const names = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] as const;
      const { Attributes: a } = await client.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: [...names] }));
      return names.reduce((sum, name) => sum + Number(a?.[name] ?? 0), 0);
    },
    async peek(queue, max = 10) {
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: Math.min(10, max), VisibilityTimeout: 0, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
      );
      return Messages;
    },
    stop: async () => {
      client.destroy();
      await fauxqs.stop();
    },
  };
}
