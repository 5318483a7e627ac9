/**
 * The local AWS for `npm start` and the tests: SQS, EventBridge, Secrets Manager and EKS DescribeCluster over
 * their real wire protocols (server.ts), and an SQS event source mapping that runs the production Lambda
 * handlers in-process (lambda-runner.ts).
 *
 * Typical drill wiring:
 *   const aws = await startLocalAws({ buses: ['spot-on'], secrets: { 'spot-on/signing': key } });
 *   Object.assign(process.env, aws.env);                         // the SDK's endpoints and credentials, process-wide
 *   const dlq = aws.queues.create('interruption-dlq');
 *   const queue = aws.queues.create('interruption', { visibilityTimeoutSeconds: 360, deadLetterQueue: { queue: dlq, maxReceiveCount: 3 } });
 *   aws.buses.get('default')?.putRules(INGEST_RULES, [queue]);
 *   const { createInterruptionLambda } = await import('../../lambdas/handlers/interruption');
 *   createSqsEventSource({ functionName: 'interruption', queue, createHandler: createInterruptionLambda, batchSize: 5, timeoutSeconds: 60,
 *     environment: { DEAD_LETTER_QUEUE_URL: dlq.url, ... } }).start();
 *   aws.buses.get('default')?.inject(loadEvent('aws.ec2/spot-interruption/terminate.json'), { restamp: true });
 */
export { startLocalAws, localAwsEnv, LOCAL_CREDENTIALS, LOCAL_SENDER_ID } from './server';
export type { AwsRequestLogEntry, LocalAws, LocalAwsOptions, QueueDefinition } from './server';
export { ManualClock, systemClock } from './clock';
export type { Clock } from './clock';
export { seededRandom, cryptoRandom } from './random';
export type { Random } from './random';
export { AwsServiceError } from './errors';
export { md5Hex, md5OfMessageAttributes } from './md5';
export type { MessageAttribute, MessageAttributes } from './md5';
export { SqsQueue, SQS_LIMITS, DEFAULT_QUEUE_SETTINGS } from './sqs-queue';
export type {
  DeleteOutcome,
  DeliveryFaults,
  DuplicateDelivery,
  QueueCounts,
  QueueSettings,
  QueuedMessageView,
  ReceiveMessageInput,
  ReceivedMessage,
  RedrivePolicy,
  SendMessageInput,
  SendMessageResult,
} from './sqs-queue';
export { SqsService } from './sqs-service';
export type { QueueOptions } from './sqs-service';
export { receiveMessages } from './sqs-long-poll';
export { EventBus, EventBridgeService, EVENTBRIDGE_SENDER_ID, InvalidInjectedEventError, eventTime, putEventsEntrySize } from './eventbridge-bus';
export type { BusEventRecord, Delivery, EventBridgeEvent, InjectOptions, PutEventsEntry, PutEventsResult, RuleDefinition } from './eventbridge-bus';
export { SecretsManagerService } from './secrets-manager';
export type { SecretRecord } from './secrets-manager';
export { EksService } from './eks';
export type { EksClusterDefinition } from './eks';
export { createSqsEventSource, SqsEventSource, InvalidEventSourceError } from './lambda-runner';
export type { LambdaEnvironment, LambdaInvocation, SqsEventSourceOptions, SqsLambdaFactory, SqsLambdaHandler } from './lambda-runner';
export { judgeBatchResponse, judgeInvocation, LambdaTimeoutError, InvalidBatchResponseError } from './batch-response';
export type { BatchVerdict, InvocationVerdict, Settled } from './batch-response';
export { lambdaContext, lambdaMessageAttributes, sqsEvent, sqsRecord } from './lambda-event';
