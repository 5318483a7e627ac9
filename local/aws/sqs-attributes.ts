/**
 * Queue attributes on the wire (CreateQueue, SetQueueAttributes, GetQueueAttributes): string values in, string
 * values out, validated with the service's ranges. Attributes about encryption and access policy are accepted
 * and echoed but change nothing here.
 */
import { sqsErrors } from './sqs-errors';
import { SQS_LIMITS, type QueueSettings, type RedrivePolicy, type SqsQueue } from './sqs-queue';

const NUMERIC: Readonly<Record<string, { key: keyof QueueSettings; min: number; max: number }>> = {
  VisibilityTimeout: { key: 'visibilityTimeoutSeconds', min: 0, max: SQS_LIMITS.maxVisibilityTimeoutSeconds },
  DelaySeconds: { key: 'delaySeconds', min: 0, max: SQS_LIMITS.maxDelaySeconds },
  MessageRetentionPeriod: { key: 'messageRetentionSeconds', min: SQS_LIMITS.minRetentionSeconds, max: SQS_LIMITS.maxRetentionSeconds },
  MaximumMessageSize: { key: 'maximumMessageSize', min: SQS_LIMITS.minMessageSizeBytes, max: SQS_LIMITS.maxMessageSizeBytes },
  ReceiveMessageWaitTimeSeconds: { key: 'receiveMessageWaitTimeSeconds', min: 0, max: SQS_LIMITS.maxWaitTimeSeconds },
};

/** Attributes accepted and returned as given, without effect here. */
const PASSIVE = ['Policy', 'SqsManagedSseEnabled', 'KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds', 'RedriveAllowPolicy'] as const;

const READ_ONLY = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
] as const;

/** Every name GetQueueAttributes answers for (`All` means these). */
export const QUEUE_ATTRIBUTE_NAMES = [...Object.keys(NUMERIC), 'RedrivePolicy', ...PASSIVE, ...READ_ONLY] as const;

/** Settable attributes parsed into settings, plus the passive ones to echo. */
export interface ParsedQueueAttributes {
  readonly settings: Partial<QueueSettings>;
  readonly passive: Readonly<Record<string, string>>;
}

function parseRedrivePolicy(value: string, queueExists: (arn: string) => boolean): RedrivePolicy | undefined {
  if (value === '') return undefined;
  const invalid = (reason: string) => sqsErrors.invalidParameterValue(`Value ${value} for parameter RedrivePolicy is invalid. Reason: ${reason}`);
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw invalid('Redrive policy is not a valid JSON map.');
  }
  const policy = json as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
  if (typeof policy !== 'object' || policy === null || typeof policy.deadLetterTargetArn !== 'string') {
    throw invalid('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  }
  const count = Number(policy.maxReceiveCount);
  if (policy.maxReceiveCount === undefined || !Number.isInteger(count) || count < 1 || count > SQS_LIMITS.maxReceiveCount) {
    throw invalid(`Invalid value for maxReceiveCount: ${String(policy.maxReceiveCount)}, valid values are from 1 to ${SQS_LIMITS.maxReceiveCount} both inclusive.`);
  }
  if (!queueExists(policy.deadLetterTargetArn)) throw invalid('Dead letter target does not exist.');
  return { deadLetterTargetArn: policy.deadLetterTargetArn, maxReceiveCount: count };
}

/** Parses CreateQueue / SetQueueAttributes attributes; throws the service's error for a bad one. */
export function parseQueueAttributes(attributes: Readonly<Record<string, string>>, queueExists: (arn: string) => boolean): ParsedQueueAttributes {
  const settings: Record<string, unknown> = {};
  const passive: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes)) {
    const numeric = NUMERIC[name];
    if (numeric !== undefined) {
      const number = Number(value);
      if (value.trim() === '' || !Number.isInteger(number) || number < numeric.min || number > numeric.max) {
        throw sqsErrors.invalidAttributeValue(name, `Must be an integer from ${numeric.min} to ${numeric.max}.`);
      }
      settings[numeric.key] = number;
    } else if (name === 'RedrivePolicy') {
      settings.redrivePolicy = parseRedrivePolicy(value, queueExists);
    } else if (name === 'FifoQueue' || name === 'ContentBasedDeduplication' || name === 'DeduplicationScope' || name === 'FifoThroughputLimit') {
      throw sqsErrors.unsupportedOperation(`${name}: FIFO queues are not emulated by the local SQS.`);
    } else if ((PASSIVE as readonly string[]).includes(name)) {
      passive[name] = value;
    } else {
      throw sqsErrors.invalidAttributeName(name);
    }
  }
  return { settings: settings as Partial<QueueSettings>, passive };
}

/** The wire form of a redrive policy, as GetQueueAttributes returns it. */
export function renderRedrivePolicy(policy: RedrivePolicy): string {
  return JSON.stringify({ deadLetterTargetArn: policy.deadLetterTargetArn, maxReceiveCount: policy.maxReceiveCount });
}

/** GetQueueAttributes for `names` (`All` for every one); unknown names are InvalidAttributeName. */
export function renderQueueAttributes(queue: SqsQueue, passive: Readonly<Record<string, string>>, names: readonly string[]): Record<string, string> {
  for (const name of names) {
    if (name !== 'All' && !(QUEUE_ATTRIBUTE_NAMES as readonly string[]).includes(name)) throw sqsErrors.invalidAttributeName(name);
  }
  const wanted = names.includes('All') ? [...QUEUE_ATTRIBUTE_NAMES] : [...names];
  const counts = queue.counts();
  const s = queue.settings;
  const values: Record<string, string | undefined> = {
    VisibilityTimeout: String(s.visibilityTimeoutSeconds),
    DelaySeconds: String(s.delaySeconds),
    MessageRetentionPeriod: String(s.messageRetentionSeconds),
    MaximumMessageSize: String(s.maximumMessageSize),
    ReceiveMessageWaitTimeSeconds: String(s.receiveMessageWaitTimeSeconds),
    RedrivePolicy: s.redrivePolicy === undefined ? undefined : renderRedrivePolicy(s.redrivePolicy),
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
    LastModifiedTimestamp: String(Math.floor(queue.lastModified / 1000)),
    QueueArn: queue.arn,
    SqsManagedSseEnabled: 'false',
    ...passive,
  };
  return Object.fromEntries(wanted.flatMap((name) => (values[name] === undefined ? [] : [[name, values[name] as string]])));
}
