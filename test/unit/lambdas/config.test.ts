import { loadInterruptionConfig, loadSignalConfig } from '../../../lambdas/handlers/config';
import * as interruption from '../../../lambdas/handlers/interruption';
import * as signal from '../../../lambdas/handlers/signal';
import { ZodError } from 'zod';
import { ConfigError } from '../../../protocol/config-error';

const INTERRUPTION_ENV = {
  AWS_REGION: 'us-west-2',
  OUTBOX_QUEUE_URL: 'https://sqs.us-west-2.amazonaws.com/123456789012/spot-on-signals',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.us-west-2.amazonaws.com/123456789012/spot-on-interruptions-dlq',
  EVENT_BUS_NAME: 'spot-on',
  EKS_CLUSTER_NAME: 'spot-on',
  TRAINER_NAMESPACE: 'fl',
  TRAINER_LABEL_SELECTOR: 'app.kubernetes.io/component=fl-trainer',
  TRAINER_PORT: '8080',
  FLUSH_KEYS_SECRET_ARN: 'arn:aws:secretsmanager:us-west-2:123456789012:secret:FlushKeys-AbCdEf',
  RUN_ID: 'run-42',
  FAILOVER_ALARM_NAME: 'aws-training-unhealthy',
};

const SIGNAL_ENV = {
  SIGNALS_ENDPOINT_URL: 'https://spot-on-brain.azurewebsites.net/api/signals',
  SIGNAL_KEYS_SECRET_ARN: 'arn:aws:secretsmanager:us-west-2:123456789012:secret:SignalKeys-AbCdEf',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.us-west-2.amazonaws.com/123456789012/spot-on-signals-dlq',
  SIGNAL_TIMEOUT_MS: '10000',
};

function configError(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadInterruptionConfig', () => {
  it('reads every setting', () => {
    expect(loadInterruptionConfig(INTERRUPTION_ENV)).toStrictEqual({
      region: 'us-west-2',
      outboxQueueUrl: INTERRUPTION_ENV.OUTBOX_QUEUE_URL,
      deadLetterQueueUrl: INTERRUPTION_ENV.DEAD_LETTER_QUEUE_URL,
      eventBusName: 'spot-on',
      clusterName: 'spot-on',
      trainerNamespace: 'fl',
      trainerLabelSelector: 'app.kubernetes.io/component=fl-trainer',
      trainerPort: 8080,
      flushKeysSecretArn: INTERRUPTION_ENV.FLUSH_KEYS_SECRET_ARN,
      runId: 'run-42',
      failoverAlarmName: 'aws-training-unhealthy',
    });
  });

  it.each(Object.keys(INTERRUPTION_ENV))('names %s when it is missing', (name) => {
    const error = configError(() => loadInterruptionConfig({ ...INTERRUPTION_ENV, [name]: undefined }));
    expect([error.name, error.message, error.settings]).toStrictEqual(['ConfigError', `interruption Lambda configuration: missing ${name}`, [name]]);
  });

  it('treats an empty value as missing and names every problem at once', () => {
    const error = configError(() => loadInterruptionConfig({ ...INTERRUPTION_ENV, EVENT_BUS_NAME: '', TRAINER_PORT: '80000', RUN_ID: 'run 42' }));
    expect(error.message).toBe(
      'interruption Lambda configuration: missing EVENT_BUS_NAME; invalid TRAINER_PORT (Too big: expected number to be <=65535), RUN_ID (must be 1-63 of [A-Za-z0-9._-])',
    );
    expect(error.settings).toStrictEqual(['EVENT_BUS_NAME', 'TRAINER_PORT', 'RUN_ID']);
    expect(error.cause).toBeInstanceOf(ZodError);
    expect((error.cause as ZodError).issues).toHaveLength(3);
  });
});

describe('loadSignalConfig', () => {
  it('reads every setting', () => {
    expect(loadSignalConfig(SIGNAL_ENV)).toStrictEqual({
      signalsEndpointUrl: SIGNAL_ENV.SIGNALS_ENDPOINT_URL,
      signalKeysSecretArn: SIGNAL_ENV.SIGNAL_KEYS_SECRET_ARN,
      deadLetterQueueUrl: SIGNAL_ENV.DEAD_LETTER_QUEUE_URL,
      signalTimeoutMs: 10000,
    });
  });

  it.each(Object.keys(SIGNAL_ENV))('names %s when it is missing', (name) => {
    const error = configError(() => loadSignalConfig({ ...SIGNAL_ENV, [name]: undefined }));
    expect([error.name, error.message, error.settings]).toStrictEqual(['ConfigError', `signal Lambda configuration: missing ${name}`, [name]]);
  });

  it('rejects an endpoint that is not http(s) and a non-numeric timeout', () => {
    const error = configError(() => loadSignalConfig({ ...SIGNAL_ENV, SIGNALS_ENDPOINT_URL: 'ftp://brain/api/signals', SIGNAL_TIMEOUT_MS: 'soon' }));
    expect(error.settings).toStrictEqual(['SIGNALS_ENDPOINT_URL', 'SIGNAL_TIMEOUT_MS']);
    expect(error.message).toMatch(/^signal Lambda configuration: invalid SIGNALS_ENDPOINT_URL \(.+\), SIGNAL_TIMEOUT_MS \(.+\)$/);
  });
});

describe('entry points', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('build from the environment they are given, failing fast with a ConfigError naming what is missing', () => {
    const interruptionError = configError(() => interruption.createInterruptionLambda({ ...INTERRUPTION_ENV, RUN_ID: undefined, TRAINER_PORT: '' }));
    const signalError = configError(() => signal.createSignalLambda({ ...SIGNAL_ENV, SIGNAL_KEYS_SECRET_ARN: undefined }));
    expect([interruptionError.name, interruptionError.message, interruptionError.settings]).toStrictEqual([
      'ConfigError',
      'interruption Lambda configuration: missing TRAINER_PORT, RUN_ID',
      ['TRAINER_PORT', 'RUN_ID'],
    ]);
    expect([signalError.name, signalError.message, signalError.settings]).toStrictEqual([
      'ConfigError',
      'signal Lambda configuration: missing SIGNAL_KEYS_SECRET_ARN',
      ['SIGNAL_KEYS_SECRET_ARN'],
    ]);
  });

  it('deployed, build from process.env and fail the invocation with a ConfigError naming what is missing', async () => {
    for (const name of [...Object.keys(INTERRUPTION_ENV), ...Object.keys(SIGNAL_ENV)]) delete process.env[name];
    await expect(interruption.handler({ Records: [] })).rejects.toThrow(ConfigError);
    await expect(interruption.handler({ Records: [] })).rejects.toThrow(/^interruption Lambda configuration: missing AWS_REGION, OUTBOX_QUEUE_URL, /);
    await expect(signal.handler({ Records: [] })).rejects.toThrow(
      'signal Lambda configuration: missing SIGNALS_ENDPOINT_URL, SIGNAL_KEYS_SECRET_ARN, DEAD_LETTER_QUEUE_URL, SIGNAL_TIMEOUT_MS',
    );
  });
});
