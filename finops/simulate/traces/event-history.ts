/**
 * The project's recorded event history: a JSON array of EventBridge events as the interruption queue receives
 * them (events/aws.ec2/...). The rule that turns events into capacity:
 * - an EC2 Spot Instance Interruption Warning takes capacity away two minutes after its time (when EC2 reclaims);
 * - capacity returns with the next EC2 Instance State-change Notification to `running` at or after that moment
 *   (a new Spot instance came up in the pool);
 * - everything else (rebalance recommendations, other states, other sources) leaves capacity as it is: a
 *   rebalance recommendation is a risk, not a loss.
 * The pool has capacity from the window's start until the first loss; the last state holds on after the last event.
 * Events carry no prices: give `--spot-price`.
 */
import { z } from 'zod';
import { EventBridgeEnvelopeSchema } from '../../../lambdas/events/envelope';
import { InstanceStateChangeDetailSchema, instanceStateChange } from '../../../lambdas/events/kinds/instance-state-change';
import { SpotInterruptionDetailSchema, spotInterruption } from '../../../lambdas/events/kinds/spot-interruption';
import { TraceFormatError } from '../errors';
import { compactSteps, type StepTrace, type TraceStep } from './step-trace';

/** EC2 reclaims a Spot instance two minutes after the warning. */
export const INTERRUPTION_NOTICE_SECONDS = 120;

export const EventHistorySchema = z.array(EventBridgeEnvelopeSchema).min(1, 'holds no events');

/** True when `value` looks like an event history (an array). */
export function looksLikeEventHistory(value: unknown): boolean {
  return Array.isArray(value);
}

interface Change {
  readonly ms: number;
  readonly available: boolean;
}

/** Reads an event history into a capacity step function. */
export function readEventHistory(file: string, value: unknown): StepTrace {
  const parsed = EventHistorySchema.safeParse(value);
  if (!parsed.success) throw new TraceFormatError(file, `not a valid event history:\n${z.prettifyError(parsed.error)}`, { cause: parsed.error });
  const changes: Change[] = [];
  parsed.data.forEach((event, index) => {
    const ms = Date.parse(event.time);
    const isKind = (kind: { source: string; detailType: string }) => event.source === kind.source && event['detail-type'] === kind.detailType;
    if (isKind(spotInterruption)) {
      const detail = SpotInterruptionDetailSchema.safeParse(event.detail);
      if (!detail.success) throw new TraceFormatError(file, `event ${index} (${event.id}): ${z.prettifyError(detail.error)}`, { cause: detail.error });
      changes.push({ ms: ms + INTERRUPTION_NOTICE_SECONDS * 1000, available: false });
    } else if (isKind(instanceStateChange)) {
      const detail = InstanceStateChangeDetailSchema.safeParse(event.detail);
      if (!detail.success) throw new TraceFormatError(file, `event ${index} (${event.id}): ${z.prettifyError(detail.error)}`, { cause: detail.error });
      if (detail.data.state === 'running') changes.push({ ms, available: true });
    }
  });
  const startMs = Math.min(...parsed.data.map((event) => Date.parse(event.time)));
  // A loss and a return at the same instant: the loss first, so a replacement running at that moment counts.
  changes.sort((a, b) => a.ms - b.ms || Number(a.available) - Number(b.available));
  const steps: TraceStep[] = [{ atSeconds: 0, available: true, usdPerHour: undefined }];
  for (const change of changes) steps.push({ atSeconds: (change.ms - startMs) / 1000, available: change.available, usdPerHour: undefined });
  const deduplicated = steps.filter((step, index) => steps[index + 1]?.atSeconds !== step.atSeconds);
  return { file, format: 'event-history', startMs, steps: compactSteps(deduplicated), endSeconds: undefined };
}
