/**
 * The continuation queue trigger. Drop, retry or fail loudly:
 * - an unparseable message or one for another run is dropped (logged, and noted in the state for operators);
 * - transient trouble is rethrown: the host makes the message visible again and, after `maxDequeueCount`
 *   deliveries (host.json), moves it to `<queue>-poison`; the last attempt leaves a note in the state;
 * - anything else is logged and rethrown (same path, but it is a bug or a misconfiguration).
 */
import type { InvocationContext, StorageQueueHandler } from '@azure/functions';
import { parseContinuationMessage, InvalidContinuationMessageError, type ContinuationMessage } from '../domain/continuation-message';
import { withNote } from '../domain/state';
import { isRetryable, messageOf } from '../errors';
import { continueWork, type ContinuationResult } from '../use-cases/continue';
import { tracingOf, type BrainLog, type BrainServices } from '../use-cases/services';
import { mutateState } from '../use-cases/state-mutation';
import { logFrom, type ServicesProvider } from './common';

/** Deliveries before the host moves a message to the poison queue; host.json says the same. */
export const MAX_DEQUEUE_COUNT = 5;

async function note(services: BrainServices, message: string, log: BrainLog): Promise<void> {
  try {
    await mutateState(services, services.settings.runId, (current, now) => ({
      state: withNote({ ...current, updatedAt: now.toISOString() }, { at: now.toISOString(), kind: 'poison-message', message }),
      result: undefined,
    }));
  } catch (error) {
    log.warn('could not note the dropped message in the state', { error: messageOf(error) });
  }
}

function dequeueCountOf(context: InvocationContext): number {
  const value = context.triggerMetadata?.dequeueCount;
  return typeof value === 'number' ? value : Number(value ?? 1) || 1;
}

/** Builds the continuation handler over its services; resolves with what the continuation did (or undefined if dropped). */
export function createContinuationHandler(services: ServicesProvider): StorageQueueHandler {
  return async (queueEntry: unknown, context: InvocationContext): Promise<ContinuationResult | undefined> => {
    const log = logFrom(context);
    const brain = await services();
    let message: ContinuationMessage;
    try {
      message = parseContinuationMessage(queueEntry);
    } catch (error) {
      if (!(error instanceof InvalidContinuationMessageError)) throw error;
      log.error('continuation message dropped', { reason: error.message });
      await note(brain, `continuation message dropped: ${error.message}`, log);
      return undefined;
    }
    if (message.runId !== brain.settings.runId) {
      const reason = `continuation message for run ${message.runId} dropped; this brain serves run ${brain.settings.runId}`;
      log.error(reason);
      await note(brain, reason, log);
      return undefined;
    }
    const tracing = tracingOf(brain);
    try {
      const result = await tracing.inSpan(`continue ${message.kind}`, { component: 'brain', parent: message.traceparent, attributes: { attempt: message.attempt } }, () => continueWork(brain, message, log));
      log.info('continuation done', { kind: message.kind, outcome: result.outcome, reason: result.reason });
      return result;
    } catch (error) {
      const deliveries = dequeueCountOf(context);
      if (isRetryable(error)) log.warn('continuation failed; the host delivers it again', { deliveries, error: messageOf(error) });
      else log.error('continuation failed', { deliveries, error: messageOf(error) });
      if (deliveries >= MAX_DEQUEUE_COUNT) {
        await note(brain, `continuation ${message.kind} ${message.kind === 'operation' ? message.operationId : message.signalId} failed ${deliveries} times and goes to the poison queue: ${messageOf(error)}`, log);
      }
      throw error;
    } finally {
      await tracing.flush();
    }
  };
}
