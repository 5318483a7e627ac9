/**
 * Messages: the normalised, cloud-neutral form of every AWS event Spot-On reacts to.
 * `classify()` turns a raw EventBridge event (or an SQS record carrying one) into exactly one Message.
 */

/** Fields every message carries, taken from the EventBridge envelope. */
export interface MessageBase {
  /** EventBridge event id (`id`), the idempotency key for everything downstream. */
  readonly eventId: string;
  /** ISO-8601 time of the event (`time`), in UTC (`Z`) whatever offset the event was written with. */
  readonly time: string;
  readonly region: string;
  /** Affected EC2 instance ids (`i-...`), taken from the event detail, never from `resources`. */
  readonly instanceIds: readonly string[];
}

export type SpotAction = 'terminate' | 'stop' | 'hibernate';

export interface SpotInterruptionMessage extends MessageBase {
  readonly kind: 'spot-interruption';
  readonly action: SpotAction;
}

/** An instance in an interruptible Capacity Reservation or a Capacity Block is about to be reclaimed. */
export interface CapacityReservationInterruptionMessage extends MessageBase {
  readonly kind: 'capacity-reservation-interruption';
  readonly action: SpotAction;
  /** When EC2 terminates the instance (`instance-termination-time`, ISO-8601 UTC), when the event says. */
  readonly terminationTime?: string;
}

export interface RebalanceRecommendationMessage extends MessageBase {
  readonly kind: 'rebalance-recommendation';
}

/** EC2 states that mean the instance is going or gone (pending/running are ignored). */
export type InstanceDownState = 'stopping' | 'stopped' | 'shutting-down' | 'terminated';

export interface InstanceStateChangeMessage extends MessageBase {
  readonly kind: 'instance-state-change';
  readonly state: InstanceDownState;
}

export interface ScheduledChangeMessage extends MessageBase {
  readonly kind: 'scheduled-change';
  readonly service: string;
  readonly eventTypeCode: string;
  /** Start of the scheduled maintenance window (ISO-8601), when AWS gives one. */
  readonly notBefore?: string;
}

export interface AsgTerminateLifecycleMessage extends MessageBase {
  readonly kind: 'asg-terminate-lifecycle';
  readonly autoScalingGroupName: string;
  readonly lifecycleHookName: string;
  readonly lifecycleActionToken: string;
}

export type AlarmState = 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';

export interface AlarmStateChangeMessage extends MessageBase {
  readonly kind: 'alarm-state-change';
  readonly alarmName: string;
  readonly state: AlarmState;
  readonly previousState?: AlarmState;
}

export interface ServiceHealthMessage extends MessageBase {
  readonly kind: 'service-health';
  readonly service: string;
  readonly eventTypeCode: string;
  /** AWS Health status: open, upcoming or closed. */
  readonly statusCode: string;
}

/** A well-formed event Spot-On deliberately does not act on; `reason` says why. */
export interface IgnoredMessage {
  readonly kind: 'ignored';
  readonly reason: string;
  readonly eventId?: string;
  readonly source?: string;
  readonly detailType?: string;
}

export type Message =
  | SpotInterruptionMessage
  | CapacityReservationInterruptionMessage
  | RebalanceRecommendationMessage
  | InstanceStateChangeMessage
  | ScheduledChangeMessage
  | AsgTerminateLifecycleMessage
  | AlarmStateChangeMessage
  | ServiceHealthMessage
  | IgnoredMessage;

export type MessageKind = Message['kind'];

/** Kinds that name instances Spot-On may have to flush trainers on. */
export const INSTANCE_KINDS = [
  'spot-interruption',
  'capacity-reservation-interruption',
  'rebalance-recommendation',
  'instance-state-change',
  'scheduled-change',
  'asg-terminate-lifecycle',
] as const satisfies readonly MessageKind[];

export type InstanceMessage = Extract<Message, { kind: (typeof INSTANCE_KINDS)[number] }>;

/** True when the message names instances that may host trainers. */
export function isInstanceMessage(message: Message): message is InstanceMessage {
  return (INSTANCE_KINDS as readonly string[]).includes(message.kind);
}
