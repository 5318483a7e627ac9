/**
 * EC2 Instance-terminate Lifecycle Action: an Auto Scaling group (or a managed node group) holds an instance
 * in Terminating:Wait so its trainers can flush. Arrives through EventBridge, or as a hook notification sent
 * to SQS directly or through SNS (see asg-notification.ts and ../sns-envelope.ts).
 * Recorded sample (events/aws.autoscaling/terminate-lifecycle/eventbridge.json, abridged):
 *   { "detail-type": "EC2 Instance-terminate Lifecycle Action", "source": "aws.autoscaling",
 *     "detail": { "LifecycleActionToken": "…", "AutoScalingGroupName": "eks-gpu-…", "LifecycleHookName": "…",
 *       "EC2InstanceId": "i-0…", "LifecycleTransition": "autoscaling:EC2_INSTANCE_TERMINATING" } }
 * A hook's test notification can arrive in the same envelope (eventbridge-test-notification.json):
 *   "detail": { "Event": "autoscaling:TEST_NOTIFICATION", "LifecycleTransition": "autoscaling:TEST_NOTIFICATION", … }
 */
import { z } from 'zod';
import { baseFields, InstanceIdSchema } from '../envelope';
import { ignored, type EventModule } from '../registry-types';

export const TERMINATING = 'autoscaling:EC2_INSTANCE_TERMINATING';
export const TEST_NOTIFICATION = 'autoscaling:TEST_NOTIFICATION';
/** Why a test notification, however it arrives, is ignored. */
export const TEST_NOTIFICATION_REASON = 'Auto Scaling test notification, sent once when a hook or notification is created';

// Named by `Event` (as when sent to SQS), by `LifecycleTransition`, or both (aws-node-termination-handler's fixture).
const AsgTestNotificationDetailSchema = z.union([
  z.looseObject({ Event: z.literal(TEST_NOTIFICATION) }),
  z.looseObject({ LifecycleTransition: z.literal(TEST_NOTIFICATION) }),
]);
type AsgTestNotificationDetail = z.infer<typeof AsgTestNotificationDetailSchema>;

export const AsgLifecycleActionDetailSchema = z.looseObject({
  LifecycleActionToken: z.string().min(1),
  AutoScalingGroupName: z.string().min(1),
  LifecycleHookName: z.string().min(1),
  EC2InstanceId: InstanceIdSchema,
  LifecycleTransition: z.string().min(1),
});

// The lifecycle action is the main shape, listed first: it is tried first, and classify() reports its issues.
export const AsgLifecycleDetailSchema = z.union([AsgLifecycleActionDetailSchema, AsgTestNotificationDetailSchema]);
type AsgLifecycleDetail = z.infer<typeof AsgLifecycleDetailSchema>;

const isTestNotification = (detail: AsgLifecycleDetail): detail is AsgTestNotificationDetail =>
  detail.Event === TEST_NOTIFICATION || detail.LifecycleTransition === TEST_NOTIFICATION;

export const asgTerminateLifecycle = {
  source: 'aws.autoscaling',
  detailType: 'EC2 Instance-terminate Lifecycle Action',
  ingestRule: 'asgTerminateLifecycle',
  kinds: ['asg-terminate-lifecycle'],
  detailSchema: AsgLifecycleDetailSchema,
  toMessage: (envelope, detail) => {
    if (isTestNotification(detail)) return ignored(envelope, TEST_NOTIFICATION_REASON);
    return detail.LifecycleTransition === TERMINATING
      ? {
          kind: 'asg-terminate-lifecycle',
          ...baseFields(envelope, [detail.EC2InstanceId]),
          autoScalingGroupName: detail.AutoScalingGroupName,
          lifecycleHookName: detail.LifecycleHookName,
          lifecycleActionToken: detail.LifecycleActionToken,
        }
      : ignored(envelope, `lifecycle transition ${detail.LifecycleTransition} is not a termination`);
  },
} as const satisfies EventModule<AsgLifecycleDetail>;
