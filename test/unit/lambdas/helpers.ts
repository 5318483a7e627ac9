/** Shared fixtures and fakes for the reflex Lambda unit tests (no network anywhere). */
import type { LifecycleAction, LifecycleHooks } from '../../../lambdas/adapters/lifecycle-hook';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { FlushRequest } from '../../../protocol/flush-request';
import type { Signal } from '../../../protocol/signal';
import type { DeadLetterQueue, DeadLetterReason } from '../../../lambdas/adapters/dead-letter';
import type { LifecycleBus } from '../../../lambdas/adapters/lifecycle-bus';
import type { SignalOutbox } from '../../../lambdas/adapters/outbox';
import type { SigningKeySource } from '../../../lambdas/adapters/secret';
import type { FlushOutcome, FlushTarget, TrainerFlusher } from '../../../lambdas/adapters/trainer-flush';
import type { InstancePlacement, TrainerLocator, TrainerPod } from '../../../lambdas/adapters/trainer-locator';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

export const SECRET = 'unit-test-signing-secret';
export const EVENT_TIME = '2026-03-01T12:00:00Z';
/** The Lambda's clock in handler tests: 20 s after the events. */
export const NOW = new Date('2026-03-01T12:00:20.000Z');

export const INSTANCE_A = 'i-0a00000000000000a';
export const INSTANCE_B = 'i-0b00000000000000b';
export const INSTANCE_FOREIGN = 'i-0f00000000000000f';

export const quietLogger = () => new Logger({ serviceName: 'test', logLevel: 'SILENT' });
export const quietMetrics = () => new Metrics({ namespace: 'SpotOnTest', serviceName: 'test' });

export const staticKeys = (secret = SECRET): SigningKeySource => ({ get: () => Promise.resolve(secret) });

// ---- EventBridge events, shaped like the recorded samples --------------------------------------------

const envelope = (id: string, source: string, detailType: string, detail: unknown, time = EVENT_TIME) => ({
  version: '0',
  id,
  'detail-type': detailType,
  source,
  account: '123456789012',
  time,
  region: 'us-west-2',
  resources: [],
  detail,
});

export const spotWarning = (id: string, instanceId: string) =>
  envelope(id, 'aws.ec2', 'EC2 Spot Instance Interruption Warning', { 'instance-id': instanceId, 'instance-action': 'terminate' });

export const rebalance = (id: string, instanceId: string) =>
  envelope(id, 'aws.ec2', 'EC2 Instance Rebalance Recommendation', { 'instance-id': instanceId });

export const alarmChange = (id: string, alarmName: string, value: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA') =>
  envelope(id, 'aws.cloudwatch', 'CloudWatch Alarm State Change', { alarmName, state: { value }, previousState: { value: 'OK' } });

export const healthIssue = (id: string) =>
  envelope(id, 'aws.health', 'AWS Health Event', {
    service: 'EKS',
    eventTypeCode: 'AWS_EKS_OPERATIONAL_ISSUE',
    eventTypeCategory: 'issue',
    statusCode: 'open',
  });

// ---- SQS ------------------------------------------------------------------------------------------

export function sqsRecord(messageId: string, body: unknown): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1772366400000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1772366400000',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-west-2:123456789012:spot-on-interruptions',
    awsRegion: 'us-west-2',
  };
}

export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

// ---- Fakes ----------------------------------------------------------------------------------------

export const pod = (name: string, nodeName: string, ip: string | undefined): TrainerPod => ({ name, namespace: 'fl', nodeName, ip });

/** Cluster nodes by instance id; instances not listed are not nodes of the cluster. */
export class FakeLocator implements TrainerLocator {
  readonly calls: (readonly string[])[] = [];
  failWith: Error | undefined;
  constructor(private readonly nodes: Record<string, { nodeName: string; trainers: TrainerPod[] }>) {}
  async locate(instanceIds: readonly string[]): Promise<readonly InstancePlacement[]> {
    this.calls.push([...instanceIds]);
    if (this.failWith) throw this.failWith;
    return instanceIds.map((instanceId) => {
      const node = this.nodes[instanceId];
      return node ? { instanceId, nodeName: node.nodeName, trainers: node.trainers } : { instanceId, nodeName: undefined, trainers: [] };
    });
  }
}

/** Answers every flush with `outcomes[pod name]`, default 200. */
export class FakeFlusher implements TrainerFlusher {
  readonly calls: { target: FlushTarget; request: FlushRequest }[] = [];
  /** An outcome per trainer, or a sequence of outcomes for its successive calls (the last one repeats). */
  constructor(private readonly outcomes: Record<string, FlushOutcome | readonly FlushOutcome[]> = {}) {}
  async flush(target: FlushTarget, request: FlushRequest): Promise<FlushOutcome> {
    const earlier = this.calls.filter((call) => call.target.name === target.name).length;
    this.calls.push({ target, request });
    const planned = this.outcomes[target.name] ?? { outcome: 'flushed', status: 200 };
    return Array.isArray(planned) ? (planned[Math.min(earlier, planned.length - 1)] as FlushOutcome) : (planned as FlushOutcome);
  }
}

export class FakeHooks implements LifecycleHooks {
  readonly completed: LifecycleAction[] = [];
  async complete(action: LifecycleAction): Promise<'completed'> {
    this.completed.push(action);
    return 'completed';
  }
}

export class FakeOutbox implements SignalOutbox {
  readonly signals: Signal[] = [];
  failFor: ((signal: Signal) => boolean) | undefined;
  async enqueue(signal: Signal): Promise<void> {
    if (this.failFor?.(signal)) throw new Error('SQS SendMessage throttled');
    this.signals.push(signal);
  }
}

export class FakeLifecycle implements LifecycleBus {
  readonly details: { eventId: string }[] = [];
  failWith: Error | undefined;
  async publish(detail: { readonly eventId: string }): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.details.push(detail);
  }
}

export class FakeDeadLetter implements DeadLetterQueue {
  readonly sent: { body: string; why: DeadLetterReason }[] = [];
  async send(body: string, why: DeadLetterReason): Promise<void> {
    this.sent.push({ body, why });
  }
}

/** Sorts copies by a key so results of parallel work can be compared whole. */
export function sortedBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => key(a).localeCompare(key(b)));
}
