/**
 * EC2 Spot Instance Interruption Warning: two minutes (best effort) before EC2 reclaims a Spot instance.
 * Recorded sample (events/aws.ec2/spot-interruption/real-world-arn.json, abridged):
 *   { "id": "…", "detail-type": "EC2 Spot Instance Interruption Warning", "source": "aws.ec2",
 *     "time": "…", "region": "us-west-2", "resources": ["arn:aws:ec2:us-west-2c:instance/i-0…"],
 *     "detail": { "instance-id": "i-0…", "instance-action": "terminate" } }
 */
import { z } from 'zod';
import { baseFields, InstanceIdSchema } from '../envelope';
import type { EventModule } from '../registry-types';

export const SpotInterruptionDetailSchema = z.looseObject({
  'instance-id': InstanceIdSchema,
  'instance-action': z.enum(['terminate', 'stop', 'hibernate']),
});

export const spotInterruption = {
  source: 'aws.ec2',
  detailType: 'EC2 Spot Instance Interruption Warning',
  ingestRule: 'spotInterruption',
  kinds: ['spot-interruption'],
  detailSchema: SpotInterruptionDetailSchema,
  toMessage: (envelope, detail) => ({
    kind: 'spot-interruption',
    ...baseFields(envelope, [detail['instance-id']]),
    action: detail['instance-action'],
  }),
} as const satisfies EventModule<z.infer<typeof SpotInterruptionDetailSchema>>;
