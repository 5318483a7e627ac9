import type { SignalType } from '../../protocol/signal';
import type { Message } from '../events/message';
import type { ReflexDecision } from './decide';

/** What became of one trainer's flush, as the lifecycle event reports it. */
export type TrainerFlushReport =
  | 'flushed'
  | 'already-flushing'
  | 'rejected'
  | 'failed'
  | 'expired'
  /** The pod has no IP yet (not running): nothing to flush. */
  | 'not-running';

export interface InstanceReport {
  readonly instanceId: string;
  readonly nodeName: string;
  readonly trainers: readonly { readonly pod: string; readonly outcome: TrainerFlushReport; readonly status?: number }[];
}

/** `detail` of a "Spot-On Reflex Action" lifecycle event: one per acted-on AWS event. */
export interface ReflexActionDetail {
  readonly version: 1;
  /** The AWS event id; consumers deduplicate lifecycle events by it. */
  readonly eventId: string;
  readonly kind: Exclude<Message['kind'], 'ignored'>;
  readonly eventTime: string;
  readonly region: string;
  readonly action: Exclude<ReflexDecision['action'], 'ignore'>;
  readonly rationale: string;
  readonly signal?: { readonly id: string; readonly type: SignalType };
  readonly alarm?: { readonly name: string; readonly state: string };
  /** Instances that are nodes of this cluster, with the trainers asked to flush on each. */
  readonly instances?: readonly InstanceReport[];
  /** Instances the event named that are not nodes of this cluster (someone else's Spot capacity). */
  readonly foreignInstanceIds?: readonly string[];
}

type ActedOnMessage = Exclude<Message, { kind: 'ignored' }>;

/** The lifecycle detail for an acted-on message; action-specific parts are passed in `extra`. */
export function reflexActionDetail(
  message: ActedOnMessage,
  decision: Exclude<ReflexDecision, { action: 'ignore' }>,
  extra: Pick<ReflexActionDetail, 'signal' | 'instances' | 'foreignInstanceIds'> = {},
): ReflexActionDetail {
  return {
    version: 1,
    eventId: message.eventId,
    kind: message.kind,
    eventTime: message.time,
    region: message.region,
    action: decision.action,
    rationale: decision.rationale,
    ...(message.kind === 'alarm-state-change' ? { alarm: { name: message.alarmName, state: message.state } } : {}),
    ...extra,
  };
}
