/**
 * The local AWS for `npm start` and the tests, as much of it maintained software as there is: SQS is fauxqs (sqs.ts);
 * EventBridge buses, Secrets Manager and EKS DescribeCluster, which nothing maintained here provides, are served over
 * their real wire protocols (server.ts); an SQS event source mapping runs the production Lambda handlers in-process
 * (lambda-runner.ts).
 */
export { startLocalAws } from './server';
export type { LocalAws, LocalAwsOptions } from './server';
export type { LocalSqs, SqsQueueRef } from './sqs';
export { seededRandom } from './random';
export { createSqsEventSource } from './lambda-runner';
export type { LambdaInvocation, SqsEventSource, SqsEventSourceOptions } from './lambda-runner';
