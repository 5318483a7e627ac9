/**
 * EC2 Instance State-change Notification. Only states that mean the instance is going away matter; pending
 * and running are ignored (a state AWS may add later is ignored too rather than dead-lettered).
 * Recorded sample (events/aws.ec2/instance-state-change/terminated.json, abridged):
 *   { "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
 *     "detail": { "instance-id": "i-0…", "state": "terminated" } }
 */
import { z } from 'zod';
import { baseFields, InstanceIdSchema } from '../envelope';
import type { InstanceDownState } from '../message';
import { INSTANCE_DOWN_STATES } from '../rules';
import { ignored, type EventModule } from '../registry-types';

export const InstanceStateChangeDetailSchema = z.looseObject({
  'instance-id': InstanceIdSchema,
  state: z.string().min(1),
});

function isDownState(state: string): state is InstanceDownState {
  return (INSTANCE_DOWN_STATES as readonly string[]).includes(state);
}

export const instanceStateChange: EventModule<z.infer<typeof InstanceStateChangeDetailSchema>> = {
  source: 'aws.ec2',
  detailType: 'EC2 Instance State-change Notification',
  detailSchema: InstanceStateChangeDetailSchema,
  toMessage: (envelope, detail) =>
    isDownState(detail.state)
      ? { kind: 'instance-state-change', ...baseFields(envelope, [detail['instance-id']]), state: detail.state }
      : ignored(envelope, `instance state "${detail.state}" does not take capacity away`),
};
