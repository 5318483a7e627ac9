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
import { ignored, type EventModule } from '../registry-types';
import { ALARM_NAME_PREFIX, FAILOVER_ALARM_NAME } from '../rules';

// Mirrors the ingest rule, so an alarm of another team that reaches a shared queue is ignored, not acted on.
function isSpotOnAlarm(alarmName: string): boolean {
  return alarmName === FAILOVER_ALARM_NAME || alarmName.startsWith(ALARM_NAME_PREFIX);
}

const AlarmStateValueSchema = z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']);

export const AlarmStateChangeDetailSchema = z.looseObject({
  alarmName: z.string().min(1),
  state: z.looseObject({ value: AlarmStateValueSchema }),
  previousState: z.looseObject({ value: AlarmStateValueSchema }).optional(),
});

export const alarmStateChange: EventModule<z.infer<typeof AlarmStateChangeDetailSchema>> = {
  source: 'aws.cloudwatch',
  detailType: 'CloudWatch Alarm State Change',
  detailSchema: AlarmStateChangeDetailSchema,
  toMessage: (envelope, detail) =>
    isSpotOnAlarm(detail.alarmName)
      ? {
          kind: 'alarm-state-change',
          ...baseFields(envelope, []),
          alarmName: detail.alarmName,
          state: detail.state.value,
          ...(detail.previousState ? { previousState: detail.previousState.value } : {}),
        }
      : ignored(envelope, `alarm ${detail.alarmName} is not a Spot-On alarm`),
};
