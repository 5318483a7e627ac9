/**
 * The local AWS: SQS is fauxqs (sqs.ts, a process of its own); the three services Spot-On's Lambdas call that no
 * maintained emulator here provides are served by one HTTP server on 127.0.0.1 that speaks their wire protocols. The
 * production handlers and the real SDK v3 clients run against both with nothing but endpoint variables and dummy
 * credentials (`env`):
 *
 * | service         | SDK client                       | protocol  | request                                         |
 * |-----------------|----------------------------------|-----------|-------------------------------------------------|
 * | SQS             | @aws-sdk/client-sqs              | fauxqs    | AWS_ENDPOINT_URL_SQS                            |
 * | EventBridge     | @aws-sdk/client-eventbridge      | JSON 1.1  | POST /, X-Amz-Target: AWSEvents.PutEvents       |
 * | Secrets Manager | @aws-sdk/client-secrets-manager  | JSON 1.1  | POST /, X-Amz-Target: secretsmanager.GetSecretValue |
 * | EKS             | @aws-sdk/client-eks              | REST-JSON | GET /clusters/{name}                            |
 *
 * The SDK picks the endpoint from AWS_ENDPOINT_URL_<SERVICE ID> (service id upper-cased, spaces to
 * underscores: SQS, EVENTBRIDGE, SECRETS_MANAGER, EKS), then AWS_ENDPOINT_URL; see @smithy/core's
 * endpoints `getEndpointUrlConfig`. Requests must be SigV4-signed for the right service and region (any key
 * and signature are accepted).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { systemClock, type Clock } from './clock';
import { EksService, type EksClusterDefinition } from './eks';
import { AwsServiceError } from './errors';
import { EventBridgeService } from './eventbridge-bus';
import { eventBridgeOperations } from './eventbridge-protocol';
import { randomFor } from './random';
import { SecretsManagerService, secretsManagerOperations } from './secrets-manager';
import { startLocalSqs, type LocalSqs } from './sqs';
import { checkCredentialScope, errorAnswer, jsonAnswer, readBody, type AwsProtocol, type ErrorShape, type WireAnswer } from './wire';
import { listen } from '../net';

/** AWS's documentation example key pair: obviously not a credential. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } as const;

export interface LocalAwsOptions {
  /** @default 'us-west-2' (the region of the recorded events) */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default the system clock */
  readonly clock?: Clock;
  /** Seeds ids and injected faults; unseeded runs use node:crypto. */
  readonly seed?: number;
  /** Deliveries of each matched event to each SQS target: SQS's at-least-once delivery, injected. @default 1 */
  readonly duplicateDeliveries?: number;
  /** Event buses besides `default`, e.g. 'spot-on'. */
  readonly buses?: readonly string[];
  /** Secrets by name. */
  readonly secrets?: Readonly<Record<string, string>>;
  readonly eksClusters?: readonly EksClusterDefinition[];
  /** Events kept per bus. @default 10_000 */
  readonly maxRecordedEvents?: number;
  /** Requests kept in `requests()`. @default 1_000 */
  readonly requestLogSize?: number;
}

/** One request as the local AWS saw it. */
export interface AwsRequestLogEntry {
  readonly at: number;
  readonly service: 'events' | 'secretsmanager' | 'eks' | 'unknown';
  readonly operation: string;
  readonly status: number;
  readonly errorCode?: string;
  readonly durationMs: number;
}

/** A running local AWS. */
export interface LocalAws {
  /** e.g. http://127.0.0.1:41234 */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  readonly accountId: string;
  /**
   * Environment for the SDK (and the Lambda handlers): the endpoint variables, AWS_REGION, dummy credentials
   * and AWS_EC2_METADATA_DISABLED. Set it in process.env before the handlers' first invocation.
   */
  readonly env: Readonly<Record<string, string>>;
  /** The local SQS (fauxqs). */
  readonly queues: LocalSqs;
  readonly buses: EventBridgeService;
  readonly secrets: SecretsManagerService;
  readonly eks: EksService;
  /** Recent requests, oldest first. */
  requests(): AwsRequestLogEntry[];
  /** Closes the server and every connection, and stops the local SQS. */
  stop(): Promise<void>;
}

interface JsonRpcService {
  readonly name: AwsRequestLogEntry['service'];
  readonly signingName: string;
  readonly protocol: AwsProtocol;
  readonly shape: ErrorShape;
  readonly operations: Readonly<Record<string, (input: unknown) => unknown>>;
}

const SERVICE_BY_TARGET_PREFIX = { AWSEvents: 'events', secretsmanager: 'secretsmanager' } as const;

/** The environment that points AWS SDK v3 clients at `endpoint`, and SQS clients at `sqsEndpoint`. */
export function localAwsEnv(endpoint: string, region: string, sqsEndpoint: string): Record<string, string> {
  return {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ENDPOINT_URL_SQS: sqsEndpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
    AWS_ENDPOINT_URL_EKS: endpoint,
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false',
    // No instance metadata service here: never let the credential chain wait for one.
    AWS_EC2_METADATA_DISABLED: 'true',
    // The SDK warns once per client package on Node < 22; the drill runs on the Node 20 of this machine.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Starts the local AWS on 127.0.0.1 (a free port unless `port` is given). */
export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const region = options.region ?? 'us-west-2';
  const accountId = options.accountId ?? '000000000000';
  const host = options.host ?? '127.0.0.1';
  const clock = options.clock ?? systemClock;
  const random = randomFor(options.seed);
  const requestLogSize = options.requestLogSize ?? 1_000;
  const requestLog: AwsRequestLogEntry[] = [];

  // Filled in once the port, and so the queue URLs, are known.
  const started: { services?: { events: JsonRpcService; secretsmanager: JsonRpcService; eks: EksService } } = {};

  async function handle(req: IncomingMessage): Promise<{ answer: WireAnswer; entry: Omit<AwsRequestLogEntry, 'at' | 'durationMs' | 'status'> }> {
    const requestId = randomUUID();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://local');
    const target = header(req, 'x-amz-target');
    const services = started.services;
    if (services === undefined) throw new Error('local AWS not started');

    if (target !== undefined) {
      const [prefix = '', operation = ''] = target.split('.');
      const serviceName = SERVICE_BY_TARGET_PREFIX[prefix as keyof typeof SERVICE_BY_TARGET_PREFIX];
      const service = serviceName === undefined ? undefined : services[serviceName];
      const protocol: AwsProtocol = service?.protocol ?? 'awsJson1_1';
      try {
        if (service === undefined || method !== 'POST') {
          throw new AwsServiceError('UnknownOperationException', `The local AWS does not serve ${target}.`);
        }
        checkCredentialScope(header(req, 'authorization'), service.signingName, region);
        const body = await readBody(req);
        let input: unknown;
        try {
          input = body.trim() === '' ? {} : (JSON.parse(body) as unknown);
        } catch (error) {
          throw new AwsServiceError('SerializationException', `Request body is not JSON: ${(error as Error).message}`, { cause: error });
        }
        const run = service.operations[operation];
        if (run === undefined) {
          throw new AwsServiceError('UnknownOperationException', `The local AWS does not serve ${target}.`);
        }
        const output = await run(input);
        return { answer: jsonAnswer(protocol, output, requestId), entry: { service: service.name, operation } };
      } catch (error) {
        if (!(error instanceof AwsServiceError)) throw error;
        return {
          answer: errorAnswer(protocol, error, requestId, service?.shape ?? {}),
          entry: { service: service?.name ?? 'unknown', operation: operation || target, errorCode: error.code },
        };
      }
    }

    const cluster = /^\/clusters\/([^/]+)$/.exec(url.pathname);
    if (cluster !== null && method === 'GET') {
      try {
        checkCredentialScope(header(req, 'authorization'), 'eks', region);
        return {
          answer: jsonAnswer('restJson1', services.eks.describeCluster(decodeURIComponent(cluster[1] as string)), requestId),
          entry: { service: 'eks', operation: 'DescribeCluster' },
        };
      } catch (error) {
        if (!(error instanceof AwsServiceError)) throw error;
        return { answer: errorAnswer('restJson1', error, requestId), entry: { service: 'eks', operation: 'DescribeCluster', errorCode: error.code } };
      }
    }
    const unknown = new AwsServiceError('UnknownOperationException', `The local AWS does not serve ${method} ${url.pathname}.`, { status: 404 });
    return { answer: errorAnswer('restJson1', unknown, requestId), entry: { service: 'unknown', operation: `${method} ${url.pathname}`, errorCode: unknown.code } };
  }

  const server = createServer((req, res) => {
    const startedAt = Date.now();
    const at = clock.now();
    handle(req)
      .then(({ answer, entry }) => {
        requestLog.push({ at, ...entry, status: answer.status, durationMs: Date.now() - startedAt });
        if (requestLog.length > requestLogSize) requestLog.shift();
        if (!res.destroyed) res.writeHead(answer.status, answer.headers).end(answer.body);
      })
      .catch((error: unknown) => {
        const requestId = randomUUID();
        const internal = new AwsServiceError('InternalFailure', `local AWS failed: ${(error as Error).message}`, { status: 500, cause: error });
        const answer = errorAnswer('awsJson1_1', internal, requestId);
        requestLog.push({ at, service: 'unknown', operation: req.url ?? '/', status: 500, errorCode: internal.code, durationMs: Date.now() - startedAt });
        if (!res.destroyed) res.writeHead(answer.status, answer.headers).end(answer.body);
      });
  });

  const port = await listen(server, host, options.port ?? 0);
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const queues = await startLocalSqs(region, LOCAL_CREDENTIALS).catch((error: unknown) => {
    server.close();
    throw error;
  });
  const deliver = (target: { url: string }, body: string, delaySeconds: number) => queues.send(target, body, delaySeconds);
  const buses = new EventBridgeService({
    region,
    accountId,
    clock,
    random,
    deliver,
    ...(options.duplicateDeliveries === undefined ? {} : { copies: options.duplicateDeliveries }),
    ...(options.maxRecordedEvents === undefined ? {} : { maxRecordedEvents: options.maxRecordedEvents }),
  });
  const secrets = new SecretsManagerService({ region, accountId, clock, random });
  const eks = new EksService({ region, accountId, clock });
  started.services = {
    events: { name: 'events', signingName: 'events', protocol: 'awsJson1_1', shape: {}, operations: eventBridgeOperations(buses) },
    secretsmanager: {
      name: 'secretsmanager',
      signingName: 'secretsmanager',
      protocol: 'awsJson1_1',
      shape: { messageKey: 'Message' },
      operations: secretsManagerOperations(secrets),
    },
    eks,
  };

  try {
    for (const name of options.buses ?? []) buses.create(name);
    for (const [name, value] of Object.entries(options.secrets ?? {})) secrets.put(name, value);
    for (const cluster of options.eksClusters ?? []) eks.putCluster(cluster);
  } catch (error) {
    server.close();
    await queues.stop();
    throw error;
  }

  return {
    endpoint,
    port,
    region,
    accountId,
    env: localAwsEnv(endpoint, region, queues.endpoint),
    queues,
    buses,
    secrets,
    eks,
    requests: () => [...requestLog],
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await queues.stop();
    },
  };
}
