/**
 * Which trace the state's long-lived items belong to (protocol/tracing.ts). The decisions stay unaware of tracing:
 * after each change, whatever it created (an incident, a pending operation, a deferred signal) is linked to the trace
 * of the invocation that made the change, and whatever it rebuilt keeps the link it had.
 */
import { openIncident, type FailoverState } from './state';

interface Traced {
  readonly traceparent?: string | undefined;
}

/** `item` with `previous`'s link when it was rebuilt without one, or with `traceparent` when it is new. */
function linked<T extends Traced>(item: T | undefined, previous: Traced | undefined, traceparent: string | undefined): T | undefined {
  if (item === undefined || item.traceparent !== undefined) return item;
  const link = previous === undefined ? traceparent : previous.traceparent;
  return link === undefined ? item : { ...item, traceparent: link };
}

/** `after` with its new items linked to `traceparent` (the active span's, if any). */
export function linkToTrace(before: FailoverState, after: FailoverState, traceparent: string | undefined): FailoverState {
  const operation = after.pendingOperation;
  const deferred = after.deferredSignal;
  const incident = openIncident(after);
  const sameOperation = before.pendingOperation?.id === operation?.id ? before.pendingOperation : undefined;
  const sameDeferred = before.deferredSignal?.id === deferred?.id ? before.deferredSignal : undefined;
  const sameIncident = before.incidents.find((earlier) => earlier.id === incident?.id && earlier.openedAt === incident.openedAt);

  const linkedOperation = linked(operation, sameOperation, traceparent);
  const linkedDeferred = linked(deferred, sameDeferred, traceparent);
  const linkedIncident = linked(incident, sameIncident, traceparent);
  if (linkedOperation === operation && linkedDeferred === deferred && linkedIncident === incident) return after;
  return {
    ...after,
    ...(linkedOperation === undefined ? {} : { pendingOperation: linkedOperation }),
    ...(linkedDeferred === undefined ? {} : { deferredSignal: linkedDeferred }),
    ...(linkedIncident === undefined || linkedIncident === incident ? {} : { incidents: [...after.incidents.slice(0, -1), linkedIncident] }),
  };
}
