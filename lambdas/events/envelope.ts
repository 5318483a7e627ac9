import { z } from 'zod';
import { EC2_INSTANCE_ID } from '../../protocol/ids';

/**
 * An ISO-8601 instant in UTC, keeping the precision it was given: `2026-12-04T03:00:00+01:00` becomes
 * `2026-12-04T02:00:00Z`; a time already in `Z` is returned unchanged. Undefined for anything that is not a date.
 */
export function toUtcIso(value: string): string | undefined {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  if (value.endsWith('Z')) return value;
  const iso = new Date(ms).toISOString();
  return /T\d\d:\d\d:\d\d\./.test(value) ? iso : iso.replace('.000Z', 'Z');
}

/** An ISO-8601 date-time with `Z` or an offset, normalised to UTC so that every message compares and sorts alike. */
export const UtcTimeSchema = z.iso.datetime({ offset: true }).transform((value, ctx) => {
  const utc = value.endsWith('Z') ? value : toUtcIso(value); // the format is checked: only offsets need work
  if (utc === undefined) {
    ctx.addIssue({ code: 'custom', message: `not a date: ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return utc;
});

/** The EventBridge envelope around every AWS event (`detail` is validated by the kind's own schema). */
export const EventBridgeEnvelopeSchema = z.looseObject({
  version: z.string().optional(),
  id: z.string().min(1),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  account: z.string().optional(),
  time: UtcTimeSchema,
  region: z.string().min(1),
  resources: z.array(z.string()).optional(),
  // Every event AWS sends has an object detail (possibly empty); its shape is the kind's business.
  detail: z.looseObject({}),
});
export type EventBridgeEnvelope = z.infer<typeof EventBridgeEnvelopeSchema>;

// The forms seen in real events: `arn:aws:ec2:us-west-2:123456789012:instance/i-…` (documented, Health),
// `arn:aws:ec2:us-west-2c:instance/i-…` (Spot warnings: an Availability Zone and no account segment at all),
// `arn:aws:ec2:us-west-2::instance/i-…` (empty account) and `arn:aws:ec2::us-west-2:…` (the EBS samples'
// region-in-account form); any partition (aws, aws-cn, aws-us-gov).
const INSTANCE_ARN = /^arn:aws(?:-[a-z]+)*:ec2:(?:[a-z0-9-]*:)?[a-z0-9-]*:instance\/(i-[0-9a-f]{8,17})$/;

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
