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
import { ignored, type EventModule } from '../registry-types';

/** States that mean an instance is going away; `pending` and `running` are not routed at all. */
export const INSTANCE_DOWN_STATES = ['stopping', 'stopped', 'shutting-down', 'terminated'] as const satisfies readonly InstanceDownState[];

export const InstanceStateChangeDetailSchema = z.looseObject({
  'instance-id': InstanceIdSchema,
  state: z.string().min(1),
});

function isDownState(state: string): state is InstanceDownState {
  return (INSTANCE_DOWN_STATES as readonly string[]).includes(state);
}

export const instanceStateChange = {
  source: 'aws.ec2',
  detailType: 'EC2 Instance State-change Notification',
  ingestRule: 'instanceStateChange',
  ingestDetail: { state: INSTANCE_DOWN_STATES },
  kinds: ['instance-state-change'],
  detailSchema: InstanceStateChangeDetailSchema,
  toMessage: (envelope, detail) =>
    isDownState(detail.state)
      ? { kind: 'instance-state-change', ...baseFields(envelope, [detail['instance-id']]), state: detail.state }
      : ignored(envelope, `instance state "${detail.state}" does not take capacity away`),
} as const satisfies EventModule<z.infer<typeof InstanceStateChangeDetailSchema>>;
