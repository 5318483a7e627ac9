import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';

/** `source` of every lifecycle event Spot-On publishes. */
export const LIFECYCLE_SOURCE = 'spot-on';
/** `detail-type` of the interruption Lambda's lifecycle events. */
export const REFLEX_ACTION_DETAIL_TYPE = 'Spot-On Reflex Action';

/** Publishes lifecycle events (what the reflex did) on the Spot-On bus. */
export interface LifecycleBus {
  publish(detail: { readonly eventId: string }): Promise<void>;
}

/** PutEvents reported failed entries; retried. */
export class LifecycleEventError extends Error {
  override readonly name = 'LifecycleEventError';
}

/** EventBridge PutEvents on `busName`; a failed entry (PutEvents answers 200 even then) is an error. */
export function eventBridgeLifecycleBus(eventBridge: EventBridgeClient, busName: string): LifecycleBus {
  return {
    async publish(detail) {
      const response = await eventBridge.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: busName,
              Source: LIFECYCLE_SOURCE,
              DetailType: REFLEX_ACTION_DETAIL_TYPE,
              Detail: JSON.stringify(detail),
            },
          ],
        }),
      );
      if ((response.FailedEntryCount ?? 0) > 0) {
        const entry = response.Entries?.[0];
        throw new LifecycleEventError(
          `PutEvents to ${busName} failed for event ${detail.eventId}: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim(),
        );
      }
    },
  };
}
