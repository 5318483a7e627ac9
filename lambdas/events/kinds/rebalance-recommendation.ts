/**
 * EC2 Instance Rebalance Recommendation: the Spot instance is at elevated risk of interruption; may come
 * before, or together with, the interruption warning.
 * Recorded sample (events/aws.ec2/rebalance-recommendation/documented.json, abridged):
 *   { "detail-type": "EC2 Instance Rebalance Recommendation", "source": "aws.ec2",
 *     "resources": ["arn:aws:ec2:us-east-2:123456789012:instance/i-1234567890abcdef0"],
 *     "detail": { "instance-id": "i-1234567890abcdef0" } }
 */
import { z } from 'zod';
import { baseFields, InstanceIdSchema } from '../envelope';
import type { EventModule } from '../registry-types';

export const RebalanceRecommendationDetailSchema = z.looseObject({ 'instance-id': InstanceIdSchema });

export const rebalanceRecommendation = {
  source: 'aws.ec2',
  detailType: 'EC2 Instance Rebalance Recommendation',
  ingestRule: 'rebalanceRecommendation',
  kinds: ['rebalance-recommendation'],
  detailSchema: RebalanceRecommendationDetailSchema,
  toMessage: (envelope, detail) => ({
    kind: 'rebalance-recommendation',
    ...baseFields(envelope, [detail['instance-id']]),
  }),
} as const satisfies EventModule<z.infer<typeof RebalanceRecommendationDetailSchema>>;
