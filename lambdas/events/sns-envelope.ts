/**
 * The SNS notification envelope: what an SQS queue subscribed to a topic receives when raw message delivery
 * is off, e.g. from an Auto Scaling lifecycle hook whose notification target is an SNS topic. The real
 * message is the JSON text in `Message`; classify() unwraps it, as aws-node-termination-handler does.
 * Recorded sample (events/aws.autoscaling/terminate-lifecycle/sns-envelope.json, abridged):
 *   { "Type": "Notification", "MessageId": "…", "TopicArn": "arn:aws:sns:us-west-2:123456789012:…",
 *     "Subject": "Auto Scaling:  Lifecycle action 'TERMINATING' for instance i-0… in progress.",
 *     "Message": "{\"Origin\":\"AutoScalingGroup\",…,\"Service\":\"AWS Auto Scaling\",…}",
 *     "Timestamp": "…", "SignatureVersion": "1", "Signature": "…", "SigningCertURL": "…", "UnsubscribeURL": "…" }
 */
import { z } from 'zod';
import type { IgnoredMessage } from './message';

export const SnsNotificationSchema = z.looseObject({
  Type: z.string().min(1),
  MessageId: z.string().min(1),
  TopicArn: z.string().min(1),
  Message: z.string(),
});
export type SnsNotification = z.infer<typeof SnsNotificationSchema>;

/** True for anything that claims to be an SNS envelope (then it must parse as one). */
export function looksLikeSnsEnvelope(raw: object): boolean {
  const candidate = raw as { Type?: unknown; TopicArn?: unknown };
  return typeof candidate.Type === 'string' && candidate.TopicArn !== undefined;
}

/** The Region of the topic (`arn:aws:sns:<region>:<account>:<name>`), where the wrapped event happened. */
export function topicRegion(topicArn: string): string | undefined {
  return /^arn:aws[a-z-]*:sns:([a-z0-9-]+):/.exec(topicArn)?.[1];
}

/** Ignored for every envelope but a notification (SubscriptionConfirmation, UnsubscribeConfirmation). */
export function nonNotification(envelope: SnsNotification): IgnoredMessage | undefined {
  if (envelope.Type === 'Notification') return undefined;
  return { kind: 'ignored', reason: `SNS ${envelope.Type} message, not a notification`, eventId: envelope.MessageId, source: 'aws.sns', detailType: envelope.Type };
}
