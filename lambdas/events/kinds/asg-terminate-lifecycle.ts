/**
 * EC2 Instance-terminate Lifecycle Action: an Auto Scaling group (or a managed node group) holds an instance
 * in Terminating:Wait so its trainers can flush. Arrives through EventBridge, or as a hook notification sent
 * straight to SQS (see asg-notification.ts).
 * Recorded sample (events/aws.autoscaling/terminate-lifecycle/eventbridge.json, abridged):
 *   { "detail-type": "EC2 Instance-terminate Lifecycle Action", "source": "aws.autoscaling",
 *     "detail": { "LifecycleActionToken": "…", "AutoScalingGroupName": "eks-gpu-…", "LifecycleHookName": "…",
 *       "EC2InstanceId": "i-0…", "LifecycleTransition": "autoscaling:EC2_INSTANCE_TERMINATING" } }
 */
import { z } from 'zod';
import { baseFields, InstanceIdSchema } from '../envelope';
import { ignored, type EventModule } from '../registry-types';

export const TERMINATING = 'autoscaling:EC2_INSTANCE_TERMINATING';

export const AsgLifecycleDetailSchema = z.looseObject({
  LifecycleActionToken: z.string().min(1),
  AutoScalingGroupName: z.string().min(1),
  LifecycleHookName: z.string().min(1),
  EC2InstanceId: InstanceIdSchema,
  LifecycleTransition: z.string().min(1),
});

export const asgTerminateLifecycle: EventModule<z.infer<typeof AsgLifecycleDetailSchema>> = {
  source: 'aws.autoscaling',
  detailType: 'EC2 Instance-terminate Lifecycle Action',
  detailSchema: AsgLifecycleDetailSchema,
  toMessage: (envelope, detail) =>
    detail.LifecycleTransition === TERMINATING
      ? {
          kind: 'asg-terminate-lifecycle',
          ...baseFields(envelope, [detail.EC2InstanceId]),
          autoScalingGroupName: detail.AutoScalingGroupName,
          lifecycleHookName: detail.LifecycleHookName,
          lifecycleActionToken: detail.LifecycleActionToken,
        }
      : ignored(envelope, `lifecycle transition ${detail.LifecycleTransition} is not a termination`),
};
