/**
 * The local AWS for `npm start` and the tests, as much of it maintained software as there is:
 * - SQS is fauxqs (npm, MIT), in a process of its own (sqs.ts): queues with the deployment's attributes, reached by
 *   the production code and the event source mapping with the real @aws-sdk/client-sqs;
 * - EventBridge buses (rules with the CDK's patterns, delivery to SQS with injectable duplicates and reordering),
 *   Secrets Manager and EKS DescribeCluster, which nothing maintained here provides, over their real wire protocols
 *   on one HTTP server (server.ts);
 * - an SQS event source mapping that runs the production Lambda handlers in-process (lambda-runner.ts).
 *
 * Typical drill wiring:
 *   const aws = await startLocalAws({ buses: ['spot-on'], secrets: { 'spot-on/signing': key } });
 *   Object.assign(process.env, aws.env);                         // the SDK's endpoints and credentials, process-wide
 *   const dlq = await aws.queues.create({ name: 'interruption-dlq' });
 *   const queue = await aws.queues.create({ name: 'interruption', visibilityTimeoutSeconds: 360, deadLetterQueue: { queue: dlq, maxReceiveCount: 3 } });
 *   aws.buses.get('default')?.putRules(INGEST_RULES, [queue]);
 *   const { createInterruptionLambda } = await import('../../lambdas/handlers/interruption');
 *   createSqsEventSource({ functionName: 'interruption', client: aws.queues.client, queue, createHandler: createInterruptionLambda, batchSize: 5,
 *     timeoutSeconds: 60, environment: { DEAD_LETTER_QUEUE_URL: dlq.url, ... } }).start();
 *   await aws.buses.get('default')?.inject(loadEvent('aws.ec2/spot-interruption/terminate.json'), { restamp: true });
 */
export { startLocalAws, localAwsEnv, LOCAL_CREDENTIALS } from './server';
export type { AwsRequestLogEntry, LocalAws, LocalAwsOptions } from './server';
export { startLocalSqs } from './sqs';
export type { LocalSqs, QueueDefinition, SqsQueueRef } from './sqs';
export { ManualClock, systemClock } from './clock';
export type { Clock } from './clock';
export { seededRandom, cryptoRandom } from './random';
export type { Random } from './random';
export { AwsServiceError } from './errors';
export { EventBus, EventBridgeService, InvalidInjectedEventError, eventTime, putEventsEntrySize } from './eventbridge-bus';
export type { BusEventRecord, DeliverToQueue, Delivery, EventBridgeEvent, InjectOptions, PutEventsEntry, PutEventsResult, RuleDefinition, SqsTarget } from './eventbridge-bus';
export { SecretsManagerService } from './secrets-manager';
export type { SecretRecord } from './secrets-manager';
export { EksService } from './eks';
export type { EksClusterDefinition } from './eks';
export { createSqsEventSource, SqsEventSource, InvalidEventSourceError } from './lambda-runner';
export type { LambdaEnvironment, LambdaInvocation, SqsEventSourceOptions, SqsLambdaFactory, SqsLambdaHandler } from './lambda-runner';
export { judgeBatchResponse, judgeInvocation, LambdaTimeoutError, InvalidBatchResponseError } from './batch-response';
export type { BatchVerdict, InvocationVerdict, Settled } from './batch-response';
export { lambdaContext, lambdaMessageAttributes, sqsEvent, sqsRecord } from './lambda-event';
