/**
 * CloudWatch Alarm State Change, for metric and composite alarms and for every target state. The composite
 * alarm `aws-training-unhealthy` going to ALARM or OK is what drives failover and failback.
 * Recorded sample (events/aws.cloudwatch/alarm-state-change/composite-alarm-alarm.json, abridged):
 *   { "detail-type": "CloudWatch Alarm State Change", "source": "aws.cloudwatch",
 *     "detail": { "alarmName": "aws-training-unhealthy",
 *       "state": { "value": "ALARM", "reason": "…", "timestamp": "…" },
 *       "previousState": { "value": "OK", … }, "configuration": { "alarmRule": "ALARM(…) OR ALARM(…)" } } }
 */
import { z } from 'zod';
import { baseFields } from '../envelope';
import type { EventModule } from '../registry-types';

/** Name of the composite alarm whose ALARM/OK states mean "fail over" / "fail back". */
export const FAILOVER_ALARM_NAME = 'aws-training-unhealthy';
/** Every other Spot-On alarm is named with this prefix so that one rule catches them all. */
export const ALARM_NAME_PREFIX = 'spot-on-';

const AlarmStateValueSchema = z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']);

export const AlarmStateChangeDetailSchema = z.looseObject({
  alarmName: z.string().min(1),
  state: z.looseObject({ value: AlarmStateValueSchema }),
  previousState: z.looseObject({ value: AlarmStateValueSchema }).optional(),
});

export const alarmStateChange = {
  source: 'aws.cloudwatch',
  detailType: 'CloudWatch Alarm State Change',
  ingestRule: 'alarmStateChange',
  // The account's other alarms never reach the queue; decide() still checks the name (a shared queue may).
  ingestDetail: { alarmName: [FAILOVER_ALARM_NAME, { prefix: ALARM_NAME_PREFIX }] },
  kinds: ['alarm-state-change'],
  detailSchema: AlarmStateChangeDetailSchema,
  // Any alarm classifies; which alarms matter is the ingest rule's and the decision's business.
  toMessage: (envelope, detail) => ({
    kind: 'alarm-state-change',
    ...baseFields(envelope, []),
    alarmName: detail.alarmName,
    state: detail.state.value,
    ...(detail.previousState ? { previousState: detail.previousState.value } : {}),
  }),
} as const satisfies EventModule<z.infer<typeof AlarmStateChangeDetailSchema>>;
