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
 *
 * Layout: routes.ts matches a path to a resource, dispatch.ts runs ARM's checks and picks the route handler,
 * handlers.ts holds one handler per ARM operation and admin.ts the admin API's, http.ts the HTTP edge; this file
 * composes them into a server and the emulator's in-process interface.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { listen } from '../net';
import { createLocalCertificate } from '../tls';
import { planAgentPoolPut } from './agent-pool-rules';
import { dispatch } from './dispatch';
import { FaultQueue } from './faults';
import type { ArmContext } from './handlers';
import { header, readBody, refusal, writeAnswer, type Answer } from './http';
import { ArmSeedSchema, SDK_API_VERSION, type AgentPoolSpec, type ArmSeed, type ClusterRef, type PoolRef } from './model';
import { renderAgentPool, renderManagedCluster } from './render';
import { matchRoute } from './routes';
import { ArmState, type OperationRecord, type PoolRecord, type ProvisioningState } from './state';
import { AKS_PUT_AGENT_POOL_BUCKET, TokenBuckets, type TokenBucketConfig } from './token-bucket';

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

/** Completes operations at their due time even when nobody polls, so events and snapshots are timely. */
function settleOnTime(state: ArmState): { readonly schedule: () => void; readonly stop: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const stop = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  const schedule = (): void => {
    stop();
    const due = state.nextDueAt();
    if (due === undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      state.settle();
      schedule();
    }, Math.max(0, due - Date.now()));
    timer.unref();
  };
  return { schedule, stop };
}

/** Answers one request and says how: its answer goes out, its entry goes to the request log. */
async function serve(ctx: ArmContext, req: IncomingMessage, res: ServerResponse, listenAddress: string): Promise<RequestLogEntry> {
  const startedAt = Date.now();
  const url = new URL(req.url ?? '/', 'https://emulator.invalid');
  const requestId = randomUUID();
  let answered: { readonly answer: Answer; readonly code?: string };
  try {
    // Faults are for ARM traffic only; the admin API stays prompt.
    const latency = matchRoute(url.pathname)?.kind === 'admin' ? 0 : ctx.faults.takeLatency();
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    const body = await readBody(req);
    const origin = `https://${header(req, 'host') ?? listenAddress}`;
    answered = { answer: dispatch(ctx, { method: (req.method ?? 'GET').toUpperCase(), url, body, origin, header: (name) => header(req, name) }) };
  } catch (error) {
    answered = refusal(error);
  }
  writeAnswer(req, res, answered.answer, requestId);
  const { status } = answered.answer;
  const code = answered.code;
  return { method: req.method ?? 'GET', url: `${url.pathname}${url.search}`, status, ...(code === undefined ? {} : { code }), startedAt, durationMs: Date.now() - startedAt };
}

function snapshot(pool: PoolRecord, resource: Record<string, unknown>): AgentPoolSnapshot {
  return { name: pool.name, provisioningState: pool.provisioningState, count: pool.spec.count, readyNodeCount: pool.readyNodeCount, eTag: pool.eTag, spec: pool.spec, resource };
}

/** Starts the emulator on 127.0.0.1 with a fresh self-signed certificate. */
export async function startArmEmulator(options: ArmEmulatorOptions = {}): Promise<ArmEmulator> {
  const host = options.host ?? '127.0.0.1';
  const listeners = new Set<(event: ArmEmulatorEvent) => void>();
  const emit = (event: ArmEmulatorEvent): void => {
    for (const listener of listeners) listener(event);
  };
  const state = new ArmState({
    onOperationEnded: (operation) =>
      emit({ type: operation.status === 'Succeeded' ? 'operation-succeeded' : 'operation-failed', at: operation.endedAt ?? Date.now(), operation: { ...operation } }),
  });
  if (options.seed !== undefined) loadSeed(state, options.seed);
  const settler = settleOnTime(state);
  const ctx: ArmContext = {
    state,
    faults: new FaultQueue(),
    buckets: options.putThrottle === false ? undefined : new TokenBuckets(options.putThrottle ?? AKS_PUT_AGENT_POOL_BUCKET),
    apiVersions: new Set((options.apiVersions ?? [SDK_API_VERSION]).map((v) => v.toLowerCase())),
    provisioningDelayMs: options.provisioningDelayMs ?? 5_000,
    updateDelayMs: options.updateDelayMs ?? 1_000,
    asyncRetryAfterSeconds: options.asyncRetryAfterSeconds ?? 1,
    operationStarted: (operation) => {
      emit({ type: 'operation-started', at: operation.startedAt, operation: { ...operation } });
      settler.schedule();
    },
  };
  const requestLogSize = options.requestLogSize ?? 1_000;
  const requestLog: RequestLogEntry[] = [];

  const { certPem, keyPem } = await createLocalCertificate('Spot-On local ARM emulator', ['localhost', '127.0.0.1', '::1', host]);
  let port = 0;
  const server: Server = createServer({ key: keyPem, cert: certPem }, (req, res) => {
    serve(ctx, req, res, `${host}:${port}`)
      .then((entry) => {
        requestLog.push(entry);
        if (requestLog.length > requestLogSize) requestLog.splice(0, requestLog.length - requestLogSize);
      })
      // A client that hung up mid-answer is its own problem; never let it crash the emulator.
      .catch(() => res.destroy());
  });
  port = await listen(server, host, options.port ?? 0);
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `https://${urlHost}:${port}`,
    port,
    caPem: certPem,
    faults: ctx.faults,
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
      settler.stop();
      listeners.clear();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      });
    },
  };
}
