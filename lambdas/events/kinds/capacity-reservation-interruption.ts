/**
 * EC2 Capacity Reservation Instance Interruption Warning: two minutes before EC2 terminates an instance running
 * in an interruptible Capacity Reservation (or at the end of a Capacity Block) because the capacity is reclaimed.
 * Its detail has the Spot warning's shape plus the termination time.
 * Recorded sample (events/aws.ec2/capacity-reservation-interruption/interruptible-reservation.json, abridged):
 *   { "detail-type": "EC2 Capacity Reservation Instance Interruption Warning", "source": "aws.ec2",
 *     "resources": ["arn:aws:ec2:us-west-2:123456789012:instance/i-0…"],
 *     "detail": { "instance-id": "i-0…", "instance-action": "terminate",
 *       "instance-termination-time": "2026-11-21T09:32:40Z", "azId": "usw2-az3" } }
 */
import { z } from 'zod';
import { baseFields, toUtcIso } from '../envelope';
import type { EventModule } from '../registry-types';
import { SpotInterruptionDetailSchema } from './spot-interruption';

export const CapacityReservationInterruptionDetailSchema = SpotInterruptionDetailSchema.extend({
  // Auxiliary: a time we cannot read must not dead-letter the warning, so it is checked in toMessage.
  'instance-termination-time': z.string().optional(),
});

export const capacityReservationInterruption = {
  source: 'aws.ec2',
  detailType: 'EC2 Capacity Reservation Instance Interruption Warning',
  ingestRule: 'capacityReservationInterruption',
  kinds: ['capacity-reservation-interruption'],
  detailSchema: CapacityReservationInterruptionDetailSchema,
  toMessage: (envelope, detail) => {
    const terminationTime = detail['instance-termination-time'] === undefined ? undefined : toUtcIso(detail['instance-termination-time']);
    return {
      kind: 'capacity-reservation-interruption',
      ...baseFields(envelope, [detail['instance-id']]),
      action: detail['instance-action'],
      ...(terminationTime === undefined ? {} : { terminationTime }),
    };
  },
} as const satisfies EventModule<z.infer<typeof CapacityReservationInterruptionDetailSchema>>;
