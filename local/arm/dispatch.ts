/**
 * Routes one request: the admin API as it is; an ARM request through ARM's checks, in ARM's order (bearer token,
 * an injected server error, a known resource type, a supported api-version, an implemented method), to the
 * route handler of its operation (handlers.ts).
 */
import { routeAdmin } from './admin';
import { ArmRequestError } from './errors';
import { getCluster, getOperationStatus, getPool, listClusters, listPools, putPool, type ArmContext } from './handlers';
import type { Answer, ArmRequest } from './http';
import { matchRoute, type ArmRoute } from './routes';

const SERVER_ERROR_CODES: Readonly<Record<number, string>> = {
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

/** Any bearer token passes: there is no identity here. */
function authenticate(request: ArmRequest): void {
  const authorization = request.header('authorization');
  if (authorization !== undefined && /^Bearer\s+\S+/i.test(authorization)) return;
  throw new ArmRequestError(
    401,
    'AuthenticationFailed',
    authorization === undefined
      ? "Authentication failed. The 'Authorization' header is missing."
      : "Authentication failed. The 'Authorization' header is provided in an invalid format.",
    { headers: { 'www-authenticate': 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"' } },
  );
}

function throwInjectedServerError(ctx: ArmContext): void {
  const status = ctx.faults.takeServerError();
  if (status === undefined) return;
  throw new ArmRequestError(status, SERVER_ERROR_CODES[status] ?? 'InternalServerError', 'Encountered internal server error (injected fault). Please retry the request.');
}

// Operation status URLs carry the api-version of the PUT that started them: any is accepted there.
function checkApiVersion(ctx: ArmContext, route: ArmRoute, apiVersion: string | null): void {
  if (apiVersion === null || apiVersion === '') {
    throw new ArmRequestError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
  }
  if (route.kind === 'operation' || ctx.apiVersions.has(apiVersion.toLowerCase())) return;
  throw new ArmRequestError(
    400,
    'NoRegisteredProviderFound',
    `No registered resource provider found for API version '${apiVersion}' and type 'managedClusters'. The supported api-versions are '${[...ctx.apiVersions].join(', ')}'.`,
  );
}

/** The handler of `method`, or 405 MethodNotAllowed. */
function byMethod(method: string, handlers: Readonly<Partial<Record<'GET' | 'PUT', () => Answer>>>): Answer {
  const handler = method === 'GET' || method === 'PUT' ? handlers[method] : undefined;
  if (handler === undefined) throw new ArmRequestError(405, 'MethodNotAllowed', `The emulator does not implement ${method} on this resource.`);
  return handler();
}

function routeArm(ctx: ArmContext, request: ArmRequest, route: Exclude<ArmRoute, { kind: 'admin' }>): Answer {
  switch (route.kind) {
    case 'cluster-list':
      return byMethod(request.method, { GET: () => listClusters(ctx, route) });
    case 'cluster':
      return byMethod(request.method, { GET: () => getCluster(ctx, route.ref) });
    case 'pool-list':
      return byMethod(request.method, { GET: () => listPools(ctx, route.ref) });
    case 'pool':
      return byMethod(request.method, { GET: () => getPool(ctx, route.ref), PUT: () => putPool(ctx, request, route.ref) });
    case 'operation':
      return byMethod(request.method, { GET: () => getOperationStatus(ctx, route) });
  }
}

/** Answers one request, or throws the ArmRequestError ARM would answer with. */
export function dispatch(ctx: ArmContext, request: ArmRequest): Answer {
  const route = matchRoute(request.url.pathname);
  if (route?.kind === 'admin') return routeAdmin(ctx, request, route.path);
  authenticate(request);
  throwInjectedServerError(ctx);
  if (route === undefined) {
    throw new ArmRequestError(
      404,
      'InvalidResourceType',
      `The resource type for path '${request.url.pathname}' could not be found in the namespace 'Microsoft.ContainerService' (the emulator serves managedClusters, agentPools and operations).`,
    );
  }
  checkApiVersion(ctx, route, request.url.searchParams.get('api-version'));
  return routeArm(ctx, request, route);
}
