import { FlushRequestSchema, type FlushRequest } from '../../protocol/flush-request';
import type { FlushDecision } from './decide';

/** The flush request for one trainer on `instanceId`; requestId is the event id, so repeats are idempotent. */
export function flushRequestFor(decision: FlushDecision, eventId: string, instanceId: string): FlushRequest {
  return FlushRequestSchema.parse({
    version: 1,
    requestId: eventId,
    reason: decision.reason,
    deadline: decision.deadline,
    instanceId,
  });
}

/** Milliseconds left until `deadline` (ISO-8601) at `nowMs`; zero or less means too late to flush. */
export function msUntil(deadline: string, nowMs: number): number {
  return Date.parse(deadline) - nowMs;
}
