/**
 * The local ARM emulator: an HTTPS server on 127.0.0.1 that answers the Azure Resource Manager requests
 * @azure/arm-containerservice 25.x makes to read AKS clusters and scale agent pools, so the real SDK runs
 * against it unchanged (`new ContainerServiceClient(credential, subscriptionId, { endpoint: emulator.url,
 * tlsOptions: { ca: emulator.caPem } })`).
 *
 * Emulated, with the sources followed:
 * - Resources and paths, api-version 2026-04-01: GET managed cluster (and lists), GET/PUT/LIST agent pools
 *   (https://learn.microsoft.com/rest/api/aks/agent-pools, .../managed-clusters).
 * - Long-running operations (https://learn.microsoft.com/azure/azure-resource-manager/management/
 *   async-operations): an accepted PUT answers 201 (create) or 200 (update) with the pool in Creating /
 *   Scaling / Updating and an `Azure-AsyncOperation` header; that status URL answers InProgress (with
 *   Retry-After) until the provisioning delay ends, then Succeeded, or Failed with `error { code, message }`.
 *   The SDK then GETs the pool. Each accepted PUT gets a new `properties.eTag`; If-Match / If-None-Match are
 *   honoured (412).
 * - AKS rules (agent-pool-rules.ts), 409 OperationNotAllowed during an operation, and the per-pool PUT
 *   token bucket of AKS's throttling limits (20, refilling 1/min; 429 Throttled with Retry-After).
 * - ARM error bodies `{ "error": { "code", "message" } }`; 401 AuthenticationFailed without a bearer token
 *   (any token is accepted: there is no identity here).
 * Not emulated: DELETE, cluster PUT, upgrade/abort/deleteMachines, real nodes (the Kubernetes side is the
 * cluster simulator's job). Faults are injected through `faults` or the admin API under `/_emulator`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { planAgentPoolPut } from './agent-pool-rules';
import { createLocalCertificate } from '../tls';
import { ArmRequestError } from './errors';
import { ArmFaultSchema, FaultQueue } from './faults';
import { ArmSeedSchema, SDK_API_VERSION, type AgentPoolSpec, type ArmSeed, type ClusterRef, type PoolRef } from './model';
import { operationPath, renderAgentPool, renderManagedCluster, renderOperation } from './render';
import { matchRoute, type ArmRoute } from './routes';
import { ArmState, resourceNotFound, type OperationRecord, type PoolRecord, type ProvisioningState } from './state';
import { AKS_PUT_AGENT_POOL_BUCKET, TokenBuckets, type TokenBucketConfig } from './token-bucket';
import { listen } from '../net';

/** Options of {@link startArmEmulator}. */
export interface ArmEmulatorOptions {
  /** Clusters and pools that exist at start. @default no clusters */
  readonly seed?: ArmSeed;
  /** How long a PUT that adds nodes runs (GPU node provisioning; real: about 5-11 minutes). @default 5_000 */
  readonly provisioningDelayMs?: number;
  /** How long a PUT that adds no node runs (scale down, settings). @default 1_000 */
  readonly updateDelayMs?: number;
  /** Retry-After, in seconds, on InProgress operation answers (0: the SDK's own interval applies). @default 1 */
  readonly asyncRetryAfterSeconds?: number;
  /** Per-pool PUT throttle, or false for none. @default 20 tokens, one more a minute */
  readonly putThrottle?: TokenBucketConfig | false;
  /** api-versions accepted on resource requests. @default ['2026-04-01'], the SDK's */
  readonly apiVersions?: readonly string[];
  /** Interface to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** Port; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Requests kept in the request log. @default 1_000 */
  readonly requestLogSize?: number;
}

/** One request as the emulator saw it. */
export interface RequestLogEntry {
  readonly method: string;
  /** Path and query. */
  readonly url: string;
  readonly status: number;
  /** Error code of a refused request. */
  readonly code?: string;
  readonly startedAt: number;
  readonly durationMs: number;
}

/** An agent pool as the emulator holds it: ARM's view plus the nodes actually ready. */
export interface AgentPoolSnapshot {
  readonly name: string;
  readonly provisioningState: ProvisioningState;
  /** The desired node count ARM shows. */
  readonly count: number;
  /** Nodes provisioned and ready: reaches `count` when the operation succeeds. */
  readonly readyNodeCount: number;
  readonly eTag: string;
  readonly spec: AgentPoolSpec;
  /** The wire JSON a GET returns. */
  readonly resource: Record<string, unknown>;
}

/** A snapshot of an operation. */
export type OperationSnapshot = Readonly<OperationRecord>;

/** What happened to an agent pool, for timelines. */
export type ArmEmulatorEvent =
  | { readonly type: 'operation-started'; readonly at: number; readonly operation: OperationSnapshot }
  | { readonly type: 'operation-succeeded'; readonly at: number; readonly operation: OperationSnapshot }
  | { readonly type: 'operation-failed'; readonly at: number; readonly operation: OperationSnapshot };

/** A running emulator. */
export interface ArmEmulator {
  /** Base URL, e.g. https://127.0.0.1:41234: the SDK's `endpoint`. */
  readonly url: string;
  readonly port: number;
  /** PEM of the self-signed certificate: the SDK's `tlsOptions.ca`. */
  readonly caPem: string;
  /** Fault injection. */
  readonly faults: FaultQueue;
  /** The pool now, or undefined. */
  getPool(ref: PoolRef): AgentPoolSnapshot | undefined;
  /** The cluster's wire JSON now, or undefined. */
  getCluster(ref: ClusterRef): Record<string, unknown> | undefined;
  /** Every operation so far, oldest first. */
  operations(): OperationSnapshot[];
  /** Recent requests, oldest first. */
  requests(): RequestLogEntry[];
  /** Subscribes to operation events; returns the unsubscribe function. */
  onEvent(listener: (event: ArmEmulatorEvent) => void): () => void;
  /** Closes the server and every connection. */
  stop(): Promise<void>;
}

/** A seed that does not satisfy the schema or AKS's rules. */
export class InvalidArmSeedError extends Error {
  override readonly name = 'InvalidArmSeedError';
}

/** A TokenCredential for the emulator: any bearer token is accepted there. */
export function emulatorCredential(token = 'arm-emulator-token'): {
  getToken(): Promise<{ token: string; expiresOnTimestamp: number }>;
} {
  return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 60 * 60 * 1000 }) };
}

const MAX_BODY_BYTES = 1024 * 1024;

interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({ status, body, headers });

function loadSeed(state: ArmState, seed: ArmSeed): void {
  const parsed = ArmSeedSchema.safeParse(seed);
  if (!parsed.success) throw new InvalidArmSeedError(`invalid ARM seed: ${parsed.error.message}`, { cause: parsed.error.issues });
  for (const cluster of parsed.data.clusters) {
    const { agentPools, ...clusterFields } = cluster;
    state.addCluster(clusterFields);
    const ref: ClusterRef = { subscriptionId: cluster.subscriptionId, resourceGroup: cluster.resourceGroup, cluster: cluster.name };
    for (const { name, ...properties } of agentPools) {
      try {
        const plan = planAgentPoolPut({ poolName: name, body: { properties }, clusterVersion: cluster.kubernetesVersion });
        state.addSettledPool(ref, plan.spec, name);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new InvalidArmSeedError(`invalid seed pool ${cluster.name}/${name}: ${reason}`, { cause: error });
      }
    }
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new ArmRequestError(413, 'RequestEntityTooLarge', `The request content is larger than ${MAX_BODY_BYTES} bytes.`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text.trim() === '') {
    throw new ArmRequestError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized: the body is empty.');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ArmRequestError(
      400,
      'InvalidRequestContent',
      `The request content was invalid and could not be deserialized: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function methodNotAllowed(method: string): ArmRequestError {
  return new ArmRequestError(405, 'MethodNotAllowed', `The emulator does not implement ${method} on this resource.`);
}

const SERVER_ERROR_CODES: Readonly<Record<number, string>> = {
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

/** Starts the emulator on 127.0.0.1 with a fresh self-signed certificate. */
export async function startArmEmulator(options: ArmEmulatorOptions = {}): Promise<ArmEmulator> {
  const provisioningDelayMs = options.provisioningDelayMs ?? 5_000;
  const updateDelayMs = options.updateDelayMs ?? 1_000;
  const asyncRetryAfterSeconds = options.asyncRetryAfterSeconds ?? 1;
  const apiVersions = new Set((options.apiVersions ?? [SDK_API_VERSION]).map((v) => v.toLowerCase()));
  const requestLogSize = options.requestLogSize ?? 1_000;
  const host = options.host ?? '127.0.0.1';

  const listeners = new Set<(event: ArmEmulatorEvent) => void>();
  const emit = (event: ArmEmulatorEvent): void => {
    for (const listener of listeners) listener(event);
  };
  const state = new ArmState({
    onOperationEnded: (operation) =>
      emit({
        type: operation.status === 'Succeeded' ? 'operation-succeeded' : 'operation-failed',
        at: operation.endedAt ?? Date.now(),
        operation: { ...operation },
      }),
  });
  if (options.seed !== undefined) loadSeed(state, options.seed);
  const faults = new FaultQueue();
  const buckets =
    options.putThrottle === false ? undefined : new TokenBuckets(options.putThrottle ?? AKS_PUT_AGENT_POOL_BUCKET);
  const requestLog: RequestLogEntry[] = [];

  // Completes operations at their due time even when nobody polls, so events and snapshots are timely.
  let timer: NodeJS.Timeout | undefined;
  const scheduleSettle = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const due = state.nextDueAt();
    if (due === undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      state.settle();
      scheduleSettle();
    }, Math.max(0, due - Date.now()));
    timer.unref();
  };

  const { certPem, keyPem } = await createLocalCertificate('Spot-On local ARM emulator', ['localhost', '127.0.0.1', '::1', host]);

  function requireResourceGroup(subscriptionId: string, resourceGroup: string): void {
    if (!state.hasResourceGroup(subscriptionId, resourceGroup)) {
      throw new ArmRequestError(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`);
    }
  }

  function requireCluster(ref: ClusterRef) {
    requireResourceGroup(ref.subscriptionId, ref.resourceGroup);
    const cluster = state.findCluster(ref);
    if (cluster === undefined) throw resourceNotFound('managedClusters', ref.cluster, ref.resourceGroup);
    return cluster;
  }

  function checkApiVersion(route: ArmRoute, apiVersion: string | null): void {
    if (apiVersion === null || apiVersion === '') {
      throw new ArmRequestError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
    }
    if (route.kind === 'operation' || apiVersions.has(apiVersion.toLowerCase())) return;
    throw new ArmRequestError(
      400,
      'NoRegisteredProviderFound',
      `No registered resource provider found for API version '${apiVersion}' and type 'managedClusters'. The supported api-versions are '${[...apiVersions].join(', ')}'.`,
    );
  }

  function putPool(req: IncomingMessage, ref: PoolRef, rawBody: string, apiVersion: string): Answer {
    const throttledFor = faults.takeThrottle();
    if (throttledFor !== undefined) throw throttled(ref, throttledFor);
    const take = buckets?.take(`${ref.subscriptionId}/${ref.resourceGroup}/${ref.cluster}/${ref.pool}`.toLowerCase());
    if (take !== undefined && !take.granted) throw throttled(ref, Math.ceil(take.retryAfterMs / 1000));

    const cluster = requireCluster(ref);
    const headers = {
      ...(header(req, 'if-match') === undefined ? {} : { ifMatch: header(req, 'if-match') }),
      ...(header(req, 'if-none-match') === undefined ? {} : { ifNoneMatch: header(req, 'if-none-match') }),
    };
    const existing = state.assertPutAllowed(ref, headers);
    const plan = planAgentPoolPut({
      poolName: ref.pool,
      body: parseJson(rawBody),
      ...(existing === undefined ? {} : { existing: existing.spec }),
      clusterVersion: cluster.kubernetesVersion,
    });
    const failure = faults.takeOperationFailure(ref.pool);
    const { pool, operation, created } = state.beginPoolPut(ref, headers, plan, {
      durationMs: plan.addsNodes ? provisioningDelayMs : updateDelayMs,
      ...(failure === undefined ? {} : { failure }),
    });
    emit({ type: 'operation-started', at: operation.startedAt, operation: { ...operation } });
    scheduleSettle();
    const base = `https://${header(req, 'host') ?? `${host}:${port}`}`;
    return json(created ? 201 : 200, renderAgentPool(cluster, pool), {
      'azure-asyncoperation': `${base}${operationPath(operation)}?api-version=${encodeURIComponent(apiVersion)}`,
      etag: `"${pool.eTag}"`,
    });
  }

  function throttled(ref: PoolRef, retryAfterSeconds: number): ArmRequestError {
    return new ArmRequestError(
      429,
      'Throttled',
      `The PutAgentPoolHandler.PUT request limit has been exceeded for agent pool '${ref.cluster}/${ref.pool}', please retry again in ${retryAfterSeconds} seconds. For more information, please visit aka.ms/aks/throttling`,
      { headers: { 'retry-after': String(retryAfterSeconds) } },
    );
  }

  function handleAdmin(method: string, path: string, rawBody: string): Answer {
    if (path === '/faults' && method === 'POST') {
      const parsed = ArmFaultSchema.safeParse(parseJson(rawBody));
      if (!parsed.success) throw new ArmRequestError(400, 'InvalidRequestContent', z.prettifyError(parsed.error));
      faults.enqueue(parsed.data);
      return json(202, { pending: faults.pending() });
    }
    if (path === '/faults' && method === 'GET') return json(200, { pending: faults.pending() });
    if (path === '/faults' && method === 'DELETE') {
      faults.clear();
      return { status: 204 };
    }
    if (path === '/state' && method === 'GET') {
      return json(200, {
        clusters: state.listClusters().map(renderManagedCluster),
        operations: state.listOperations().map(renderOperation),
      });
    }
    throw new ArmRequestError(404, 'NotFound', `No admin endpoint ${method} ${path}.`);
  }

  function dispatch(req: IncomingMessage, url: URL, rawBody: string): Answer {
    const method = (req.method ?? 'GET').toUpperCase();
    const route = matchRoute(url.pathname);
    if (route?.kind === 'admin') return handleAdmin(method, route.path, rawBody);

    const authorization = header(req, 'authorization');
    if (authorization === undefined || !/^Bearer\s+\S+/i.test(authorization)) {
      throw new ArmRequestError(
        401,
        'AuthenticationFailed',
        authorization === undefined
          ? "Authentication failed. The 'Authorization' header is missing."
          : "Authentication failed. The 'Authorization' header is provided in an invalid format.",
        { headers: { 'www-authenticate': 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"' } },
      );
    }
    const serverError = faults.takeServerError();
    if (serverError !== undefined) {
      throw new ArmRequestError(
        serverError,
        SERVER_ERROR_CODES[serverError] ?? 'InternalServerError',
        'Encountered internal server error (injected fault). Please retry the request.',
      );
    }
    if (route === undefined) {
      throw new ArmRequestError(
        404,
        'InvalidResourceType',
        `The resource type for path '${url.pathname}' could not be found in the namespace 'Microsoft.ContainerService' (the emulator serves managedClusters, agentPools and operations).`,
      );
    }
    const apiVersion = url.searchParams.get('api-version');
    checkApiVersion(route, apiVersion);

    switch (route.kind) {
      case 'cluster-list': {
        if (method !== 'GET') throw methodNotAllowed(method);
        if (route.resourceGroup !== undefined) requireResourceGroup(route.subscriptionId, route.resourceGroup);
        return json(200, { value: state.listClusters(route.subscriptionId, route.resourceGroup).map(renderManagedCluster) });
      }
      case 'cluster': {
        if (method !== 'GET') throw methodNotAllowed(method);
        return json(200, renderManagedCluster(requireCluster(route.ref)));
      }
      case 'pool-list': {
        if (method !== 'GET') throw methodNotAllowed(method);
        const cluster = requireCluster(route.ref);
        return json(200, { value: [...cluster.pools.values()].map((pool) => renderAgentPool(cluster, pool)) });
      }
      case 'pool': {
        if (method === 'PUT') return putPool(req, route.ref, rawBody, apiVersion ?? SDK_API_VERSION);
        if (method !== 'GET') throw methodNotAllowed(method);
        const cluster = requireCluster(route.ref);
        const pool = cluster.pools.get(route.ref.pool.toLowerCase());
        if (pool === undefined) {
          throw resourceNotFound(`managedClusters/${cluster.name}/agentPools`, route.ref.pool, route.ref.resourceGroup);
        }
        return json(200, renderAgentPool(cluster, pool), { etag: `"${pool.eTag}"` });
      }
      case 'operation': {
        if (method !== 'GET') throw methodNotAllowed(method);
        const operation = state.findOperation(route.subscriptionId, route.operationId);
        if (operation === undefined) {
          throw new ArmRequestError(404, 'NotFound', `Operation '${route.operationId}' was not found.`);
        }
        return json(
          200,
          renderOperation(operation),
          operation.status === 'InProgress' ? { 'retry-after': String(asyncRetryAfterSeconds) } : {},
        );
      }
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = Date.now();
    const url = new URL(req.url ?? '/', 'https://emulator.invalid');
    const requestId = randomUUID();
    let answer: Answer;
    let code: string | undefined;
    try {
      // Faults are for ARM traffic only; the admin API stays prompt.
      const latency = matchRoute(url.pathname)?.kind === 'admin' ? 0 : faults.takeLatency();
      if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
      const rawBody = await readBody(req);
      answer = dispatch(req, url, rawBody);
    } catch (error) {
      const refusal =
        error instanceof ArmRequestError
          ? error
          : new ArmRequestError(500, 'InternalServerError', `Emulator error: ${(error as Error).message}`, { cause: error });
      code = refusal.code;
      answer = { status: refusal.status, body: refusal.toBody(), headers: refusal.options.headers ?? {} };
    }
    const payload = answer.body === undefined ? '' : JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      ...(payload === '' ? {} : { 'content-type': 'application/json; charset=utf-8' }),
      'content-length': String(Buffer.byteLength(payload)),
      'x-ms-request-id': requestId,
      'x-ms-correlation-request-id': header(req, 'x-ms-correlation-request-id') ?? requestId,
      ...(header(req, 'x-ms-client-request-id') === undefined ? {} : { 'x-ms-client-request-id': header(req, 'x-ms-client-request-id') }),
      ...answer.headers,
    });
    res.end(payload);
    requestLog.push({
      method: req.method ?? 'GET',
      url: `${url.pathname}${url.search}`,
      status: answer.status,
      ...(code === undefined ? {} : { code }),
      startedAt,
      durationMs: Date.now() - startedAt,
    });
    if (requestLog.length > requestLogSize) requestLog.splice(0, requestLog.length - requestLogSize);
  }

  const server: Server = createServer({ key: keyPem, cert: certPem }, (req, res) => {
    // A client that hung up mid-answer is its own problem; never let it crash the emulator.
    handle(req, res).catch(() => res.destroy());
  });
  const port = await listen(server, host, options.port ?? 0);
  const urlHost = host.includes(':') ? `[${host}]` : host;

  const snapshot = (pool: PoolRecord, resource: Record<string, unknown>): AgentPoolSnapshot => ({
    name: pool.name,
    provisioningState: pool.provisioningState,
    count: pool.spec.count,
    readyNodeCount: pool.readyNodeCount,
    eTag: pool.eTag,
    spec: pool.spec,
    resource,
  });

  return {
    url: `https://${urlHost}:${port}`,
    port,
    caPem: certPem,
    faults,
    getPool(ref) {
      const cluster = state.findCluster(ref);
      const pool = cluster?.pools.get(ref.pool.toLowerCase());
      return cluster === undefined || pool === undefined ? undefined : snapshot(pool, renderAgentPool(cluster, pool));
    },
    getCluster(ref) {
      const cluster = state.findCluster(ref);
      return cluster === undefined ? undefined : renderManagedCluster(cluster);
    },
    operations: () => state.listOperations().map((operation) => ({ ...operation })),
    requests: () => [...requestLog],
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: async () => {
      if (timer !== undefined) clearTimeout(timer);
      listeners.clear();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      });
    },
  };
}
