/**
 * One route handler per ARM operation the emulator serves (server.ts lists them with their sources): each takes
 * the emulator's context and the addressed resource and answers, or throws the ArmRequestError ARM would send.
 */
import { planAgentPoolPut } from './agent-pool-rules';
import { ArmRequestError } from './errors';
import type { FaultQueue } from './faults';
import { json, parseJson, type Answer, type ArmRequest } from './http';
import { SDK_API_VERSION, type ClusterRef, type PoolRef } from './model';
import { operationPath, renderAgentPool, renderManagedCluster, renderOperation } from './render';
import type { ArmRoute } from './routes';
import { resourceNotFound, type ArmState, type ClusterRecord, type OperationRecord } from './state';
import type { TokenBuckets } from './token-bucket';

/** What the route handlers work on: the emulator's state, faults and settings. */
export interface ArmContext {
  readonly state: ArmState;
  readonly faults: FaultQueue;
  /** Per-pool PUT throttle; undefined for none. */
  readonly buckets: TokenBuckets | undefined;
  /** Accepted api-versions, lower case. */
  readonly apiVersions: ReadonlySet<string>;
  readonly provisioningDelayMs: number;
  readonly updateDelayMs: number;
  readonly asyncRetryAfterSeconds: number;
  /** Announces an operation a PUT started and has it settle on time. */
  operationStarted(operation: OperationRecord): void;
}

type RouteOf<K extends ArmRoute['kind']> = Extract<ArmRoute, { kind: K }>;

function requireResourceGroup(ctx: ArmContext, subscriptionId: string, resourceGroup: string): void {
  if (!ctx.state.hasResourceGroup(subscriptionId, resourceGroup)) {
    throw new ArmRequestError(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`);
  }
}

function requireCluster(ctx: ArmContext, ref: ClusterRef): ClusterRecord {
  requireResourceGroup(ctx, ref.subscriptionId, ref.resourceGroup);
  const cluster = ctx.state.findCluster(ref);
  if (cluster === undefined) throw resourceNotFound('managedClusters', ref.cluster, ref.resourceGroup);
  return cluster;
}

function throttled(ref: PoolRef, retryAfterSeconds: number): ArmRequestError {
  return new ArmRequestError(
    429,
    'Throttled',
    `The PutAgentPoolHandler.PUT request limit has been exceeded for agent pool '${ref.cluster}/${ref.pool}', please retry again in ${retryAfterSeconds} seconds. For more information, please visit aka.ms/aks/throttling`,
    { headers: { 'retry-after': String(retryAfterSeconds) } },
  );
}

/** GET managedClusters of a subscription or a resource group. */
export function listClusters(ctx: ArmContext, route: RouteOf<'cluster-list'>): Answer {
  if (route.resourceGroup !== undefined) requireResourceGroup(ctx, route.subscriptionId, route.resourceGroup);
  return json(200, { value: ctx.state.listClusters(route.subscriptionId, route.resourceGroup).map(renderManagedCluster) });
}

/** GET a managed cluster. */
export function getCluster(ctx: ArmContext, ref: ClusterRef): Answer {
  return json(200, renderManagedCluster(requireCluster(ctx, ref)));
}

/** GET a cluster's agent pools. */
export function listPools(ctx: ArmContext, ref: ClusterRef): Answer {
  const cluster = requireCluster(ctx, ref);
  return json(200, { value: [...cluster.pools.values()].map((pool) => renderAgentPool(cluster, pool)) });
}

/** GET an agent pool, with its ETag. */
export function getPool(ctx: ArmContext, ref: PoolRef): Answer {
  const cluster = requireCluster(ctx, ref);
  const pool = cluster.pools.get(ref.pool.toLowerCase());
  if (pool === undefined) throw resourceNotFound(`managedClusters/${cluster.name}/agentPools`, ref.pool, ref.resourceGroup);
  return json(200, renderAgentPool(cluster, pool), { etag: `"${pool.eTag}"` });
}

/**
 * PUT an agent pool: throttled per pool, checked against AKS's rules and the If-Match / If-None-Match
 * preconditions, then started as a long-running operation whose status URL the Azure-AsyncOperation header names.
 */
export function putPool(ctx: ArmContext, request: ArmRequest, ref: PoolRef): Answer {
  const throttledFor = ctx.faults.takeThrottle();
  if (throttledFor !== undefined) throw throttled(ref, throttledFor);
  const take = ctx.buckets?.take(`${ref.subscriptionId}/${ref.resourceGroup}/${ref.cluster}/${ref.pool}`.toLowerCase());
  if (take !== undefined && !take.granted) throw throttled(ref, Math.ceil(take.retryAfterMs / 1000));

  const cluster = requireCluster(ctx, ref);
  const ifMatch = request.header('if-match');
  const ifNoneMatch = request.header('if-none-match');
  const headers = { ...(ifMatch === undefined ? {} : { ifMatch }), ...(ifNoneMatch === undefined ? {} : { ifNoneMatch }) };
  const existing = ctx.state.assertPutAllowed(ref, headers);
  const plan = planAgentPoolPut({
    poolName: ref.pool,
    body: parseJson(request.body),
    ...(existing === undefined ? {} : { existing: existing.spec }),
    clusterVersion: cluster.kubernetesVersion,
  });
  const failure = ctx.faults.takeOperationFailure(ref.pool);
  const { pool, operation, created } = ctx.state.beginPoolPut(ref, headers, plan, {
    durationMs: plan.addsNodes ? ctx.provisioningDelayMs : ctx.updateDelayMs,
    ...(failure === undefined ? {} : { failure }),
  });
  ctx.operationStarted(operation);
  const apiVersion = request.url.searchParams.get('api-version') ?? SDK_API_VERSION;
  return json(created ? 201 : 200, renderAgentPool(cluster, pool), {
    'azure-asyncoperation': `${request.origin}${operationPath(operation)}?api-version=${encodeURIComponent(apiVersion)}`,
    etag: `"${pool.eTag}"`,
  });
}

/** GET the status of a long-running operation: InProgress (with Retry-After), Succeeded or Failed. */
export function getOperationStatus(ctx: ArmContext, route: RouteOf<'operation'>): Answer {
  const operation = ctx.state.findOperation(route.subscriptionId, route.operationId);
  if (operation === undefined) throw new ArmRequestError(404, 'NotFound', `Operation '${route.operationId}' was not found.`);
  return json(200, renderOperation(operation), operation.status === 'InProgress' ? { 'retry-after': String(ctx.asyncRetryAfterSeconds) } : {});
}
