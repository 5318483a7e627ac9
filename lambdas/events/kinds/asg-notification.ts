/**
 * Auto Scaling notifications that reach the queue without EventBridge: a lifecycle hook whose target is the
 * queue itself, or an SNS topic subscribed to it (../sns-envelope.ts unwraps that first). They have no
 * envelope: this module lifts a termination hook message into the EventBridge form so that
 * asg-terminate-lifecycle.ts handles every route, and ignores the hook's `autoscaling:TEST_NOTIFICATION`.
 * Recorded sample (events/aws.autoscaling/terminate-lifecycle/sqs-direct.json, abridged):
 *   { "Origin": "AutoScalingGroup", "Destination": "EC2", "Service": "AWS Auto Scaling",
 *     "Time": "…", "AccountId": "123456789012", "RequestId": "…",
 *     "LifecycleTransition": "autoscaling:EC2_INSTANCE_TERMINATING", "EC2InstanceId": "i-0…",
 *     "LifecycleActionToken": "…", "LifecycleHookName": "…", "AutoScalingGroupName": "…" }
 */
import { z } from 'zod';
import { UtcTimeSchema, type EventBridgeEnvelope } from '../envelope';
import type { IgnoredMessage } from '../message';
import { asgTerminateLifecycle, TEST_NOTIFICATION, TEST_NOTIFICATION_REASON } from './asg-terminate-lifecycle';

export const AUTO_SCALING_SERVICE = 'AWS Auto Scaling';

export const AsgNotificationSchema = z.looseObject({
  Service: z.literal(AUTO_SCALING_SERVICE),
  Time: UtcTimeSchema,
  RequestId: z.string().min(1),
  AccountId: z.string().optional(),
  Event: z.string().optional(),
  LifecycleTransition: z.string().optional(),
});
export type AsgNotification = z.infer<typeof AsgNotificationSchema>;

/** True for anything that claims to be an Auto Scaling notification (then it must parse as one). */
export function looksLikeAsgNotification(raw: object): boolean {
  return (raw as { Service?: unknown }).Service === AUTO_SCALING_SERVICE;
}

/** The notification as an EventBridge event, or the reason it is ignored. */
export function liftAsgNotification(
  notification: AsgNotification,
  region: string,
): { envelope: EventBridgeEnvelope } | { ignored: IgnoredMessage } {
  const ignoredBecause = (reason: string) => ({
    ignored: { kind: 'ignored' as const, reason, eventId: notification.RequestId, source: 'aws.autoscaling', detailType: notification.Event ?? 'Auto Scaling notification' },
  });
  if (notification.Event === TEST_NOTIFICATION) return ignoredBecause(TEST_NOTIFICATION_REASON);
  if (notification.LifecycleTransition === undefined) {
    return ignoredBecause(`Auto Scaling notification ${notification.Event ?? '(no Event)'} is not a lifecycle action`);
  }
  return {
    envelope: {
      id: notification.RequestId,
      'detail-type': asgTerminateLifecycle.detailType,
      source: asgTerminateLifecycle.source,
      account: notification.AccountId,
      time: notification.Time,
      region,
      resources: [],
      detail: notification,
    },
  };
}
