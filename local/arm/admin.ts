/**
 * The emulator's own admin API under /_emulator (not ARM; no token needed, no fault applies): queue, list and
 * clear faults, and read the whole state.
 */
import { z } from 'zod';
import { ArmRequestError } from './errors';
import { ArmFaultSchema } from './faults';
import type { ArmContext } from './handlers';
import { json, parseJson, type Answer, type ArmRequest } from './http';
import { renderManagedCluster, renderOperation } from './render';

/** POST /faults: queues one fault (faults.ts ArmFaultSchema). */
function postFault(ctx: ArmContext, request: ArmRequest): Answer {
  const parsed = ArmFaultSchema.safeParse(parseJson(request.body));
  if (!parsed.success) throw new ArmRequestError(400, 'InvalidRequestContent', z.prettifyError(parsed.error));
  ctx.faults.enqueue(parsed.data);
  return json(202, { pending: ctx.faults.pending() });
}

/** GET /faults: the faults still pending. */
function getFaults(ctx: ArmContext): Answer {
  return json(200, { pending: ctx.faults.pending() });
}

/** DELETE /faults: drops every pending fault. */
function clearFaults(ctx: ArmContext): Answer {
  ctx.faults.clear();
  return { status: 204 };
}

/** GET /state: every cluster and operation. */
function getState(ctx: ArmContext): Answer {
  return json(200, { clusters: ctx.state.listClusters().map(renderManagedCluster), operations: ctx.state.listOperations().map(renderOperation) });
}

const ADMIN_ROUTES: ReadonlyMap<string, (ctx: ArmContext, request: ArmRequest) => Answer> = new Map([
  ['POST /faults', postFault],
  ['GET /faults', getFaults],
  ['DELETE /faults', clearFaults],
  ['GET /state', getState],
]);

/** Answers an admin request; `path` is the part after /_emulator. */
export function routeAdmin(ctx: ArmContext, request: ArmRequest, path: string): Answer {
  const handler = ADMIN_ROUTES.get(`${request.method} ${path}`);
  if (handler === undefined) throw new ArmRequestError(404, 'NotFound', `No admin endpoint ${request.method} ${path}.`);
  return handler(ctx, request);
}
