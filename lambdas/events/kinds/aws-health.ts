/**
 * AWS Health Event for EC2 and EKS. Two kinds come from it: `scheduled-change` (EC2 maintenance or retirement
 * of named instances) and `service-health` (an operational issue of the service in the region).
 * Health also delivers `backupEvent` copies of each event to the affected region's backup region. Spot-On's
 * rules live in the cluster's own region, so a backup copy that reaches them is about another region's
 * resources: it is ignored. (The copy meant for us goes to our backup region, where nothing listens.)
 * Recorded sample (events/aws.health/scheduled-change/ec2-instance-ids.json, abridged):
 *   { "detail-type": "AWS Health Event", "source": "aws.health",
 *     "detail": { "service": "EC2", "eventTypeCode": "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED",
 *       "eventTypeCategory": "scheduledChange", "statusCode": "upcoming",
 *       "startTime": "Sat, 05 Jun 2027 14:00:00 GMT",
 *       "affectedEntities": [{ "entityValue": "i-0…" }] } }
 */
import { z } from 'zod';
import { baseFields, toInstanceId, type EventBridgeEnvelope } from '../envelope';
import type { Message } from '../message';
import { ignored, type EventModule } from '../registry-types';

/** Services whose health Spot-On follows; the ingest rule routes only these (the one list of them). */
export const WATCHED_SERVICES = ['EC2', 'EKS'] as const;

export const AwsHealthDetailSchema = z.looseObject({
  service: z.string().min(1),
  eventTypeCode: z.string().min(1),
  eventTypeCategory: z.string().min(1),
  statusCode: z.string().min(1).optional(),
  startTime: z.string().optional(),
  affectedEntities: z.array(z.looseObject({ entityValue: z.string() })).optional(),
  eventRegion: z.string().optional(),
  // Documented as the string "true"; accept a boolean too.
  backupEvent: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
});
type AwsHealthDetail = z.infer<typeof AwsHealthDetailSchema>;

// Health writes times as RFC 1123 ("Sat, 05 Jun 2027 14:00:00 GMT") or ISO; messages carry ISO.
function toIsoTime(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function affectedInstanceIds(detail: AwsHealthDetail): string[] {
  return (detail.affectedEntities ?? []).flatMap(({ entityValue }) => toInstanceId(entityValue) ?? []);
}

function toMessage(envelope: EventBridgeEnvelope, detail: AwsHealthDetail): Message {
  if (detail.backupEvent === true || detail.backupEvent === 'true') {
    const about = detail.eventRegion === undefined ? 'another region' : detail.eventRegion;
    return ignored(envelope, `AWS Health backup copy of an event about ${about}; it is acted on in its own region`);
  }
  if (!(WATCHED_SERVICES as readonly string[]).includes(detail.service)) {
    return ignored(envelope, `AWS Health event for service ${detail.service}, which Spot-On does not follow`);
  }
  const common = { service: detail.service, eventTypeCode: detail.eventTypeCode };
  switch (detail.eventTypeCategory) {
    case 'scheduledChange': {
      // Health updates one event in place: `closed` means the maintenance is over or was cancelled, so the
      // update is about nothing that is still to come.
      if (detail.statusCode === 'closed') {
        return ignored(envelope, `AWS Health scheduled change ${detail.eventTypeCode} is closed: it is over or cancelled, nothing to do`);
      }
      const notBefore = toIsoTime(detail.startTime);
      return {
        kind: 'scheduled-change',
        ...baseFields(envelope, affectedInstanceIds(detail)),
        ...common,
        ...(notBefore === undefined ? {} : { notBefore }),
      };
    }
    case 'issue':
      return {
        kind: 'service-health',
        ...baseFields(envelope, affectedInstanceIds(detail)),
        ...common,
        statusCode: detail.statusCode ?? 'open',
      };
    default:
      return ignored(envelope, `AWS Health ${detail.eventTypeCategory} events do not affect capacity`);
  }
}

export const awsHealth = {
  source: 'aws.health',
  detailType: 'AWS Health Event',
  ingestRule: 'health',
  ingestDetail: { service: WATCHED_SERVICES },
  kinds: ['scheduled-change', 'service-health'],
  detailSchema: AwsHealthDetailSchema,
  toMessage,
} as const satisfies EventModule<AwsHealthDetail>;
