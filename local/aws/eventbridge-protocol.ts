/**
 * EventBridge over the AWS JSON 1.1 protocol, as @aws-sdk/client-eventbridge speaks it (serviceTarget
 * AWSEvents): `X-Amz-Target: AWSEvents.PutEvents`, `Time` as epoch seconds. Only PutEvents is served: rules
 * and targets are set up in-process (EventBus.putRule) from the same constants the CDK app deploys.
 */
import { z } from 'zod';
import { AwsServiceError } from './errors';
import type { EventBridgeService } from './eventbridge-bus';

const PutEventsSchema = z.object({
  Entries: z.array(
    z.object({
      Time: z.number().optional(),
      Source: z.string().optional(),
      Resources: z.array(z.string()).optional(),
      DetailType: z.string().optional(),
      Detail: z.string().optional(),
      EventBusName: z.string().optional(),
      TraceHeader: z.string().optional(),
    }),
  ),
  EndpointId: z.string().optional(),
});

/** One operation: wire JSON in, wire JSON out. */
export type EventBridgeOperation = (input: unknown) => unknown;

/** The EventBridge operations the local bus answers, by X-Amz-Target operation name. */
export function eventBridgeOperations(service: EventBridgeService): Readonly<Record<string, EventBridgeOperation>> {
  return {
    PutEvents(input) {
      const parsed = PutEventsSchema.safeParse(input ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new AwsServiceError(
          'ValidationException',
          `1 validation error detected: Value at '${(issue?.path ?? []).join('.') || 'entries'}' failed to satisfy constraint: ${issue?.message ?? 'invalid'}`,
        );
      }
      return service.putEvents(
        parsed.data.Entries.map(({ Time, ...entry }) => ({ ...entry, ...(Time === undefined ? {} : { TimeMs: Math.round(Time * 1000) }) })),
      );
    },
  };
}
