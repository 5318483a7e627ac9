import { z } from 'zod';
import { EC2_INSTANCE_ID } from '../../protocol/ids';

/** The EventBridge envelope around every AWS event (`detail` is validated by the kind's own schema). */
export const EventBridgeEnvelopeSchema = z.looseObject({
  version: z.string().optional(),
  id: z.string().min(1),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  account: z.string().optional(),
  time: z.iso.datetime({ offset: true }),
  region: z.string().min(1),
  resources: z.array(z.string()).optional(),
  // Every event AWS sends has an object detail (possibly empty); its shape is the kind's business.
  detail: z.looseObject({}),
});
export type EventBridgeEnvelope = z.infer<typeof EventBridgeEnvelopeSchema>;

// Real Spot warnings use `arn:aws:ec2:us-west-2c:instance/i-...` (an AZ, no account); Health uses full ARNs.
const INSTANCE_ARN = /^arn:aws[a-z-]*:ec2:[a-z0-9-]*:\d*:instance\/(i-[0-9a-f]{8,17})$/;

/** `i-...` from a bare instance id or an instance ARN; undefined for anything else. */
export function toInstanceId(value: string): string | undefined {
  if (EC2_INSTANCE_ID.test(value)) return value;
  return INSTANCE_ARN.exec(value)?.[1];
}

/** An EC2 instance reference in an event detail, normalised to `i-...`. */
export const InstanceIdSchema = z.string().transform((value, ctx) => {
  const id = toInstanceId(value);
  if (id === undefined) {
    ctx.addIssue({ code: 'custom', message: `not an EC2 instance id or ARN: ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return id;
});

/** The envelope fields every message copies. */
export function baseFields(envelope: EventBridgeEnvelope, instanceIds: readonly string[]) {
  return {
    eventId: envelope.id,
    time: envelope.time,
    region: envelope.region,
    instanceIds: [...new Set(instanceIds)],
  };
}
