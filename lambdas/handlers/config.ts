/** Lambda configuration: environment variables set by the CDK app, validated once per cold start. */
import { z } from 'zod';
import { readEnvironment, type Environment } from '../../protocol/environment';

/** The environment a Lambda is built from: process.env in production, the runner's `environment` locally. */
export type LambdaEnvironment = Environment;

const text = z.string().trim().min(1);
const httpUrl = z.url({ protocol: /^https?$/ });
const positiveMs = z.coerce.number().int().min(1).max(900_000);

const parseEnv = <T extends z.ZodRawShape>(lambda: string, shape: T, env: LambdaEnvironment) => readEnvironment(`${lambda} Lambda`, shape, env);

const InterruptionEnvShape = {
  AWS_REGION: text,
  OUTBOX_QUEUE_URL: httpUrl,
  DEAD_LETTER_QUEUE_URL: httpUrl,
  EVENT_BUS_NAME: text,
  EKS_CLUSTER_NAME: text,
  TRAINER_NAMESPACE: text,
  TRAINER_LABEL_SELECTOR: text,
  TRAINER_PORT: z.coerce.number().int().min(1).max(65_535),
  FLUSH_KEYS_SECRET_ARN: text,
  // Same rule as the signal schema's runId, so a bad value fails here and not in every signal.
  RUN_ID: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be 1-63 of [A-Za-z0-9._-]'),
  FAILOVER_ALARM_NAME: text,
};

export interface InterruptionConfig {
  readonly region: string;
  readonly outboxQueueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly eventBusName: string;
  readonly clusterName: string;
  readonly trainerNamespace: string;
  readonly trainerLabelSelector: string;
  readonly trainerPort: number;
  /** The flush key ring (protocol/keys.ts): signs POST /checkpoint. */
  readonly flushKeysSecretArn: string;
  readonly runId: string;
  readonly failoverAlarmName: string;
}

/** Reads the interruption Lambda's settings; throws ConfigError naming each missing or invalid one. */
export function loadInterruptionConfig(env: LambdaEnvironment): InterruptionConfig {
  const e = parseEnv('interruption', InterruptionEnvShape, env);
  return {
    region: e.AWS_REGION,
    outboxQueueUrl: e.OUTBOX_QUEUE_URL,
    deadLetterQueueUrl: e.DEAD_LETTER_QUEUE_URL,
    eventBusName: e.EVENT_BUS_NAME,
    clusterName: e.EKS_CLUSTER_NAME,
    trainerNamespace: e.TRAINER_NAMESPACE,
    trainerLabelSelector: e.TRAINER_LABEL_SELECTOR,
    trainerPort: e.TRAINER_PORT,
    flushKeysSecretArn: e.FLUSH_KEYS_SECRET_ARN,
    runId: e.RUN_ID,
    failoverAlarmName: e.FAILOVER_ALARM_NAME,
  };
}

const SignalEnvShape = {
  SIGNALS_ENDPOINT_URL: httpUrl,
  SIGNAL_KEYS_SECRET_ARN: text,
  DEAD_LETTER_QUEUE_URL: httpUrl,
  SIGNAL_TIMEOUT_MS: positiveMs,
};

export interface SignalConfig {
  /** Full URL of the brain's `POST /api/signals`. */
  readonly signalsEndpointUrl: string;
  /** The signal key ring (protocol/keys.ts): signs POST /api/signals. */
  readonly signalKeysSecretArn: string;
  readonly deadLetterQueueUrl: string;
  readonly signalTimeoutMs: number;
}

/** Reads the signal Lambda's settings; throws ConfigError naming each missing or invalid one. */
export function loadSignalConfig(env: LambdaEnvironment): SignalConfig {
  const e = parseEnv('signal', SignalEnvShape, env);
  return {
    signalsEndpointUrl: e.SIGNALS_ENDPOINT_URL,
    signalKeysSecretArn: e.SIGNAL_KEYS_SECRET_ARN,
    deadLetterQueueUrl: e.DEAD_LETTER_QUEUE_URL,
    signalTimeoutMs: e.SIGNAL_TIMEOUT_MS,
  };
}
