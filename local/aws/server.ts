/**
 * The local AWS: SQS is fauxqs (sqs.ts, a process of its own); the three services Spot-On's Lambdas call that no
 * maintained emulator here provides are served by one HTTP server on 127.0.0.1 that speaks their wire protocols. The
 * production handlers and the real SDK v3 clients run against both with nothing but endpoint variables and dummy
 * credentials (`env`):
 *
 * | service         | SDK client                       | protocol  | request                                              |
 * |-----------------|----------------------------------|-----------|------------------------------------------------------|
 * | SQS             | @aws-sdk/client-sqs              | fauxqs    | AWS_ENDPOINT_URL_SQS                                 |
 * | EventBridge     | @aws-sdk/client-eventbridge      | JSON 1.1  | POST /, X-Amz-Target: AWSEvents.PutEvents            |
 * | Secrets Manager | @aws-sdk/client-secrets-manager  | JSON 1.1  | POST /, X-Amz-Target: secretsmanager.GetSecretValue  |
 * | EKS             | @aws-sdk/client-eks              | REST-JSON | GET /clusters/{name}                                 |
 *
 * The SDK picks the endpoint from AWS_ENDPOINT_URL_<SERVICE ID> (service id upper-cased, spaces to underscores), then
 * AWS_ENDPOINT_URL; see @smithy/core's endpoints `getEndpointUrlConfig`. Requests must be SigV4-signed for the right
 * service and region (any key and signature are accepted). Only what the Lambdas call is served: rules, targets,
 * secrets and clusters are set up in-process, from the same constants the CDK app deploys.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { text } from 'node:stream/consumers';
import { listen } from '../net';
import { systemClock } from './clock';
import { EksService } from './eks';
import { AwsServiceError } from './errors';
import { EventBridgeService, putEventsEntries } from './eventbridge-bus';
import { cryptoRandom, seededRandom } from './random';
import { SecretsManagerService } from './secrets-manager';
import { startLocalSqs, type LocalSqs } from './sqs';
import { checkCredentialScope, errorAnswer, jsonAnswer, type WireAnswer } from './wire';

/** AWS's documentation example key pair: obviously not a credential. */
const LOCAL_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } as const;

export interface LocalAwsOptions {
  /** Seeds ids and injected faults; unseeded runs use node:crypto. */
  readonly seed?: number;
  /** Deliveries of each matched event to each SQS target: SQS's at-least-once delivery, injected. @default 1 */
  readonly duplicateDeliveries?: number;
  /** Event buses besides `default`, e.g. 'spot-on'. */
  readonly buses?: readonly string[];
  /** Secrets by name. */
  readonly secrets?: Readonly<Record<string, string>>;
}

/** A running local AWS. */
export interface LocalAws {
  /** us-west-2, the region of the recorded events. */
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
  /** Closes the server and every connection, and stops the local SQS. */
  stop(): Promise<void>;
}

/** A JSON 1.1 service: its SigV4 signing name, the body member of error messages, its operations by name. */
interface JsonService {
  readonly signingName: string;
  readonly messageKey?: 'Message';
  readonly operations: Readonly<Record<string, (input: unknown) => unknown>>;
}

/** Starts the local AWS on 127.0.0.1, on a free port. */
export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const region = 'us-west-2';
  const accountId = '000000000000';
  const clock = systemClock;
  const random = options.seed === undefined ? cryptoRandom : seededRandom(options.seed);
  const queues = await startLocalSqs(region, LOCAL_CREDENTIALS);
  const buses = new EventBridgeService({ region, accountId, clock, random, deliver: (target, body, delay) => queues.send(target, body, delay), copies: options.duplicateDeliveries ?? 1 });
  const secrets = new SecretsManagerService({ region, accountId, clock, random });
  const eks = new EksService({ region, accountId, clock });
  for (const name of options.buses ?? []) buses.create(name);
  for (const [name, value] of Object.entries(options.secrets ?? {})) secrets.put(name, value);
  // By X-Amz-Target prefix.
  const jsonServices = new Map<string, JsonService>([
    ['AWSEvents', { signingName: 'events', operations: { PutEvents: (input) => buses.putEvents(putEventsEntries(input)) } }],
    ['secretsmanager', { signingName: 'secretsmanager', messageKey: 'Message', operations: { GetSecretValue: (input) => secrets.getSecretValue(input) } }],
  ]);

  async function handle(req: IncomingMessage): Promise<WireAnswer> {
    const requestId = randomUUID();
    const target = req.headers['x-amz-target'];
    const [prefix = '', operation = ''] = typeof target === 'string' ? target.split('.') : [];
    const service = jsonServices.get(prefix);
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    const cluster = /^\/clusters\/([^/]+)$/.exec(path);
    try {
      if (service !== undefined && req.method === 'POST') {
        checkCredentialScope(req.headers.authorization, service.signingName, region);
        const body = await text(req);
        let input: unknown;
        try {
          input = body.trim() === '' ? {} : (JSON.parse(body) as unknown);
        } catch (error) {
          throw new AwsServiceError('SerializationException', `Request body is not JSON: ${(error as Error).message}`, { cause: error });
        }
        const run = Object.hasOwn(service.operations, operation) ? service.operations[operation] : undefined;
        if (run !== undefined) return jsonAnswer('awsJson1_1', await run(input), requestId);
      } else if (target === undefined && cluster !== null && req.method === 'GET') {
        checkCredentialScope(req.headers.authorization, 'eks', region);
        return jsonAnswer('restJson1', eks.describeCluster(decodeURIComponent(cluster[1] as string)), requestId);
      }
      throw new AwsServiceError('UnknownOperationException', `The local AWS does not serve ${target ?? `${req.method} ${path}`}.`, { status: target === undefined ? 404 : 400 });
    } catch (error) {
      const refused = error instanceof AwsServiceError ? error : new AwsServiceError('InternalFailure', `local AWS failed: ${(error as Error).message}`, { status: 500, cause: error });
      return errorAnswer(target === undefined ? 'restJson1' : 'awsJson1_1', refused, requestId, service?.messageKey);
    }
  }

  const server = createServer((req, res) => {
    void handle(req).then((answer) => {
      if (!res.destroyed) res.writeHead(answer.status, answer.headers).end(answer.body);
    });
  });
  const port = await listen(server, '127.0.0.1', 0).catch(async (error: unknown) => {
    await queues.stop();
    throw error;
  });
  const endpoint = `http://127.0.0.1:${port}`;

  return {
    region,
    accountId,
    env: {
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL: endpoint,
      AWS_ENDPOINT_URL_SQS: queues.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
      AWS_ENDPOINT_URL_EKS: endpoint,
      AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false',
      // No instance metadata service here: never let the credential chain wait for one.
      AWS_EC2_METADATA_DISABLED: 'true',
      // The SDK warns once per client package on Node < 22; the drill runs on the Node 20 of this machine.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    queues,
    buses,
    secrets,
    eks,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await queues.stop();
    },
  };
}
