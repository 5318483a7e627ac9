/** Lambda entry point of the signal forwarder: wires the real adapters from the environment. */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { sqsDeadLetterQueue } from '../adapters/dead-letter';
import { secretsManagerKeySource } from '../adapters/secret';
import { httpSignalSender } from '../adapters/signal-sender';
import { loadSignalConfig } from './config';
import type { SqsBatchHandler } from './sqs-batch';
import { createSignalHandler } from './signal-handler';

function build(): SqsBatchHandler {
  const config = loadSignalConfig(process.env);
  return createSignalHandler({
    sender: httpSignalSender({
      endpointUrl: config.signalsEndpointUrl,
      keys: secretsManagerKeySource(new SecretsManagerClient({}), 'signal', config.signalKeysSecretArn),
      timeoutMs: config.signalTimeoutMs,
    }),
    deadLetter: sqsDeadLetterQueue(new SQSClient({}), config.deadLetterQueueUrl),
  });
}

let built: SqsBatchHandler | undefined;

/** SQS-triggered handler; configuration and clients are built once per cold start, on first use. */
export const handler: SqsBatchHandler = async (event, context) => {
  built ??= build();
  return built(event, context);
};
