/**
 * Lambda entry point of the interruption reflex: wires the real AWS adapters from the function's environment.
 * Libraries read their own settings from process.env, as on Lambda: the SDK its endpoints and credentials,
 * Powertools POWERTOOLS_*.
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EKSClient } from '@aws-sdk/client-eks';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { sqsDeadLetterQueue } from '../adapters/dead-letter';
import { eksClusterAccess } from '../adapters/eks-auth';
import { httpsKubernetesApi } from '../adapters/kubernetes-api';
import { eventBridgeLifecycleBus } from '../adapters/lifecycle-bus';
import { autoScalingLifecycleHooks } from '../adapters/lifecycle-hook';
import { sqsSignalOutbox } from '../adapters/outbox';
import { secretsManagerKeySource } from '../adapters/secret';
import { httpTrainerFlusher } from '../adapters/trainer-flush';
import { kubernetesTrainerLocator } from '../adapters/trainer-locator';
import { classify } from '../events/classify';
import { loadInterruptionConfig, type LambdaEnvironment } from './config';
import { createInterruptionHandler } from './interruption-handler';
import type { SqsBatchHandler } from './sqs-batch';
import { createTracing } from '../../protocol/tracer';

/** Upper bound for one Kubernetes API call; the whole reflex has two minutes. */
const KUBERNETES_TIMEOUT_MS = 5_000;

/** The interruption Lambda built from `env` (its settings: lambdas/handlers/config.ts); throws ConfigError. */
export function createInterruptionLambda(env: LambdaEnvironment): SqsBatchHandler {
  const config = loadInterruptionConfig(env);
  const sqs = new SQSClient({ region: config.region });
  const keys = secretsManagerKeySource(new SecretsManagerClient({ region: config.region }), 'flush', config.flushKeysSecretArn);
  const access = eksClusterAccess({
    eks: new EKSClient({ region: config.region }),
    clusterName: config.clusterName,
    region: config.region,
    credentials: defaultProvider(),
  });
  return createInterruptionHandler({
    config,
    classify,
    locator: kubernetesTrainerLocator({
      api: httpsKubernetesApi({ access, timeoutMs: KUBERNETES_TIMEOUT_MS }),
      namespace: config.trainerNamespace,
      labelSelector: config.trainerLabelSelector,
    }),
    flusher: httpTrainerFlusher({ port: config.trainerPort, keys }),
    outbox: sqsSignalOutbox(sqs, config.outboxQueueUrl),
    lifecycle: eventBridgeLifecycleBus(new EventBridgeClient({ region: config.region }), config.eventBusName),
    hooks: autoScalingLifecycleHooks(new AutoScalingClient({ region: config.region })),
    tracing: createTracing(env, 'spot-on-interruption'),
    deadLetter: sqsDeadLetterQueue(sqs, config.deadLetterQueueUrl),
  });
}

let built: SqsBatchHandler | undefined;

/** SQS-triggered handler; configuration and clients are built once per cold start, on first use. */
export const handler: SqsBatchHandler = async (event, context) => {
  built ??= createInterruptionLambda(process.env);
  return built(event, context);
};
