/**
 * The reflex decision: what the interruption Lambda does about one classified AWS event. Pure and exhaustive;
 * all I/O (finding trainers, flushing, enqueueing, publishing) happens in the handler.
 *
 * | kind                       | flush trainers | signal          | lifecycle event |
 * |----------------------------|----------------|-----------------|-----------------|
 * | spot-interruption          | yes            | capacity-lost   | yes             |
 * | capacity-reservation-int.  | yes            | capacity-lost   | yes             |
 * | instance-state-change      | yes            | capacity-lost   | yes             |
 * | asg-terminate-lifecycle    | yes            | capacity-lost   | yes             |
 * | scheduled-change           | no (see below) | none            | yes             |
 * | rebalance-recommendation   | yes (proactive)| none            | yes             |
 * | alarm FAILOVER ALARM       | no             | aws-unhealthy   | yes             |
 * | alarm FAILOVER OK          | no             | aws-recovered   | yes             |
 * | alarm FAILOVER INSUFF_DATA | no             | none            | no              |
 * | other spot-on-* alarms     | no             | none            | yes             |
 * | anyone else's alarm        | no             | none            | no              |
 * | service-health             | no             | none            | yes             |
 * | ignored                    | no             | none            | no              |
 *
 * Instance kinds that name no instance are recorded only. Instance kinds act only on instances that turn out to
 * be nodes of our cluster (Spot warnings are region-wide): the handler filters after looking the nodes up.
 */
import type { FlushReason } from '../../protocol/flush-request';
import { flushDeadline } from '../../protocol/flush-request';
import type { SignalType } from '../../protocol/signal';
import type { InstanceMessage, Message } from '../events/message';
import { ALARM_NAME_PREFIX } from '../events/kinds/alarm-state-change';

/** Settings the decision depends on. */
export interface ReflexConfig {
  /** The composite alarm whose ALARM/OK states mean fail over / fail back. */
  readonly failoverAlarmName: string;
}

/** Do nothing at all (not even a lifecycle event). */
export interface IgnoreDecision {
  readonly action: 'ignore';
  readonly rationale: string;
}

/** Publish a lifecycle event only (visibility for operators and the dashboard). */
export interface RecordDecision {
  readonly action: 'record';
  readonly rationale: string;
}

/** Enqueue a signal that names no instance, then publish a lifecycle event. */
export interface SignalDecision {
  readonly action: 'signal';
  readonly signalType: Extract<SignalType, 'aws-unhealthy' | 'aws-recovered'>;
  readonly alarmName: string;
  readonly rationale: string;
}

/** Flush the trainers on these instances, optionally signal capacity loss, then publish a lifecycle event. */
export interface FlushDecision {
  readonly action: 'flush';
  readonly instanceIds: readonly string[];
  readonly reason: FlushReason;
  /** ISO-8601: the trainers' partial work must be durable by then; flushing after it is pointless. */
  readonly deadline: string;
  readonly signalType: Extract<SignalType, 'capacity-lost'> | undefined;
  readonly rationale: string;
}

export type ReflexDecision = IgnoreDecision | RecordDecision | SignalDecision | FlushDecision;

function assertNever(value: never): never {
  throw new Error(`unhandled message kind: ${JSON.stringify(value)}`);
}

/**
 * Flush `message`'s instances for `reason` (the protocol's name for why), by `deadline` (the event time plus the
 * two-minute notice unless the event states one).
 */
function flushInstances(message: InstanceMessage, reason: FlushReason, signal: boolean, why: string, deadline?: string): ReflexDecision {
  if (message.instanceIds.length === 0) {
    return { action: 'record', rationale: `${message.kind} names no instance: nothing to flush` };
  }
  return {
    action: 'flush',
    instanceIds: message.instanceIds,
    reason,
    deadline: deadline ?? flushDeadline(message.time),
    signalType: signal ? 'capacity-lost' : undefined,
    rationale: why,
  };
}

/** Decides what to do about one classified event. */
export function decide(message: Message, config: ReflexConfig): ReflexDecision {
  switch (message.kind) {
    case 'spot-interruption':
      return flushInstances(message, message.kind, true, `Spot ${message.action} in two minutes: flush and report the lost capacity`);
    case 'capacity-reservation-interruption':
      // The same notice as a Spot warning (two minutes, then the instance is terminated, never reprieved), so
      // the same answer: flush and report the lost capacity, since the reservation will not give it back.
      // The flush reason stays 'spot-interruption': FlushReason is a protocol contract the trainers validate,
      // and to them the two are one thing (stop at the batch boundary, upload before the instance goes).
      // EC2 states the termination time: that, not the event time plus two minutes, is when the work must be durable.
      return flushInstances(
        message,
        'spot-interruption',
        true,
        `reserved capacity reclaimed: ${message.action} ${message.terminationTime === undefined ? 'in two minutes' : `at ${message.terminationTime}`}; flush and report the lost capacity`,
        message.terminationTime,
      );
    case 'instance-state-change':
      return flushInstances(message, message.kind, true, `instance ${message.state}: flush what can still be reached and report the lost capacity`);
    case 'asg-terminate-lifecycle':
      return flushInstances(message, message.kind, true, `Auto Scaling is terminating the instance (${message.autoScalingGroupName}): flush and report`);
    case 'scheduled-change':
      // A retirement or maintenance window is usually days or weeks away: flushing now would stop healthy
      // trainers for nothing, and no capacity is lost yet. Karpenter drains the node before the window and a
      // draining trainer flushes on SIGTERM, so the event is recorded for operators only.
      return {
        action: 'record',
        rationale: `AWS scheduled ${message.eventTypeCode} from ${message.notBefore ?? 'a time to be announced'}: recorded; the node is drained before the window and its trainers flush on SIGTERM`,
      };
    case 'rebalance-recommendation':
      // A rebalance recommendation is a hint of elevated interruption risk, often not followed by an
      // interruption. A proactive checkpoint costs one batch; failing over to Azure costs minutes of GPU
      // provisioning and is driven by the interruption warning that follows (which does signal).
      return flushInstances(message, message.kind, false, 'elevated interruption risk: proactive checkpoint only, no signal');
    case 'alarm-state-change': {
      if (message.alarmName !== config.failoverAlarmName) {
        // The ingest rule routes only Spot-On's alarms; one of another team's reaching a shared queue is not ours.
        if (!message.alarmName.startsWith(ALARM_NAME_PREFIX)) {
          return { action: 'ignore', rationale: `alarm ${message.alarmName} is not a Spot-On alarm` };
        }
        return { action: 'record', rationale: `alarm ${message.alarmName} is ${message.state}; only ${config.failoverAlarmName} drives failover` };
      }
      const state = message.state;
      switch (state) {
        case 'ALARM':
          return { action: 'signal', signalType: 'aws-unhealthy', alarmName: message.alarmName, rationale: 'failover alarm in ALARM' };
        case 'OK':
          return { action: 'signal', signalType: 'aws-recovered', alarmName: message.alarmName, rationale: 'failover alarm back to OK' };
        case 'INSUFFICIENT_DATA':
          // Missing data is not evidence either way; acting on it would make failover flap. The composite
          // alarm's own missing-data treatment decides whether silence counts as ALARM.
          return { action: 'ignore', rationale: 'failover alarm has insufficient data: no evidence either way' };
        default:
          return assertNever(state);
      }
    }
    case 'service-health':
      // AWS Health issues are region-wide, arrive late and need not affect our cluster. Failover is driven by
      // the composite alarm, which measures our own training, and by the aggregator's aws-silent signal;
      // the Health event is recorded for operators and the dashboard.
      return {
        action: 'record',
        rationale: `AWS Health ${message.service} ${message.eventTypeCode} is ${message.statusCode}: recorded; failover follows ${config.failoverAlarmName}`,
      };
    case 'ignored':
      return { action: 'ignore', rationale: message.reason };
    default:
      return assertNever(message);
  }
}
