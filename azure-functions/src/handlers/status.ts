/**
 * `GET /api/status?runId=<id>&transitions=<n>`: phase, epoch, the pool as ARM shows it, the pending operation,
 * recent transitions, incidents and notes. Registered with authLevel `function` (a function key in Azure, on top
 * of the private endpoint); the local host and tests call the handler directly.
 */
import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { isRetryable, messageOf } from '../errors';
import { readStatus } from '../use-cases/read-status';
import { json, logFrom, type ServicesProvider } from './common';

const DEFAULT_TRANSITIONS = 20;

/** Builds the status handler over its services. */
export function createStatusHandler(services: ServicesProvider): HttpHandler {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const log = logFrom(context);
    const brain = await services();
    const runId = request.query.get('runId') ?? brain.settings.runId;
    if (runId !== brain.settings.runId) {
      return json(404, { error: 'unknown-run', reason: `this brain serves run ${brain.settings.runId}, not ${runId}` });
    }
    const wanted = Number(request.query.get('transitions') ?? DEFAULT_TRANSITIONS);
    const transitions = Number.isInteger(wanted) && wanted >= 0 ? Math.min(wanted, 50) : DEFAULT_TRANSITIONS;
    try {
      return json(200, await readStatus(brain, { transitions }));
    } catch (error) {
      if (isRetryable(error)) return json(503, { error: 'unavailable', reason: messageOf(error) }, { 'retry-after': '5' });
      log.error('status failed', { error: messageOf(error) });
      throw error;
    }
  };
}
