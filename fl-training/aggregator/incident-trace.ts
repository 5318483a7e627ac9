/**
 * The aggregator's part of an incident's trace (protocol/tracing.ts):
 * - its own signals (aws-silent, capacity-lost, aws-recovered...) each start a trace, whose context every resend of
 *   the signal carries, so the brain's handling of it joins that trace;
 * - the first round committed with an Azure trainer during an incident is a span of the incident's trace, which the
 *   brain records in its state and the aggregator reads with it.
 */
import type { Participant } from '../../protocol/checkpoint';
import type { Signal } from '../../protocol/signal';
import { activeTraceparent, type Tracing } from '../../protocol/tracer';
import type { SignalSender } from './brain';

/** Signals whose trace is remembered for their resends: the outbox holds one at a time, a few are plenty. */
const REMEMBERED_SIGNALS = 16;

/** `sender` with each signal sent in a span of the signal's own trace. */
export function tracedSignalSender(sender: SignalSender, tracing: Tracing): SignalSender {
  const traces = new Map<string, string>();
  return {
    send(signal: Signal) {
      const first = traces.get(signal.id);
      const attributes = { signalId: signal.id };
      return tracing.inSpan(`signal ${signal.type}`, { component: 'aggregator', parent: first, ...(first === undefined ? { step: 'warning' as const } : {}), attributes }, () => {
        const traceparent = activeTraceparent();
        if (first === undefined && traceparent !== undefined) {
          traces.set(signal.id, traceparent);
          if (traces.size > REMEMBERED_SIGNALS) traces.delete(traces.keys().next().value as string);
        }
        return sender.send(signal);
      });
    },
  };
}

/** Records the first round with an Azure trainer of each incident, as the `first-azure-round` step of its trace. */
export class IncidentRounds {
  private recorded: string | undefined;

  constructor(
    private readonly tracing: Tracing,
    private readonly now: () => number = Date.now,
  ) {}

  /** A round committed while the brain's open incident had the trace `incident`. */
  committed(round: { readonly round: number; readonly openedMs: number; readonly participants: readonly Participant[] }, incident: string | undefined): void {
    if (incident === undefined || incident === this.recorded) return;
    const azure = round.participants.filter((participant) => participant.cloud === 'azure').length;
    if (azure === 0) return;
    this.recorded = incident;
    this.tracing.record('first Azure round', {
      component: 'aggregator',
      step: 'first-azure-round',
      parent: incident,
      startTime: new Date(round.openedMs),
      endTime: new Date(this.now()),
      attributes: { round: round.round, azureTrainers: azure, trainers: round.participants.length },
    });
  }
}
