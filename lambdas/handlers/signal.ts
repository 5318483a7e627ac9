/**
 * Lambda entry point of the signal forwarder: wires the real adapters from the function's environment.
 * Libraries read their own settings from process.env, as on Lambda: the SDK its region, endpoints and
 * credentials, Powertools POWERTOOLS_*.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { sqsDeadLetterQueue } from '../adapters/dead-letter';
import { secretsManagerKeySource } from '../adapters/secret';
import { httpSignalSender } from '../adapters/signal-sender';
import { loadSignalConfig, type LambdaEnvironment } from './config';
import type { SqsBatchHandler } from './sqs-batch';
import { createTracing } from '../../protocol/tracer';
import { createSignalHandler } from './signal-handler';

/** The signal Lambda built from `env` (its settings: lambdas/handlers/config.ts); throws ConfigError. */
export function createSignalLambda(env: LambdaEnvironment): SqsBatchHandler {
  const config = loadSignalConfig(env);
  return createSignalHandler({
    sender: httpSignalSender({
      endpointUrl: config.signalsEndpointUrl,
      keys: secretsManagerKeySource(new SecretsManagerClient({}), 'signal', config.signalKeysSecretArn),
      timeoutMs: config.signalTimeoutMs,
    }),
    tracing: createTracing(env, 'spot-on-signal'),
    deadLetter: sqsDeadLetterQueue(new SQSClient({}), config.deadLetterQueueUrl),
  });
}

let built: SqsBatchHandler | undefined;

/** SQS-triggered handler; configuration and clients are built once per cold start, on first use. */
export const handler: SqsBatchHandler = async (event, context) => {
  built ??= createSignalLambda(process.env);
  return built(event, context);
};
