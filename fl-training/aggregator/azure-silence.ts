/**
 * The aggregator's view of Azure's cover: while the brain says Azure covers (phase azure-active, some Azure nodes
 * wanted), Azure trainers that had reported and then go quiet for the silence timeout mean the Azure Spot pool was
 * evicted. The aggregator says so once per silence (`azure-silent`); the brain moves a run behind its deadline to
 * on-demand capacity. Trainers that never came are not a silence: the brain's failover waits for them to be ready.
 * Pure state machine; sending goes through the signal outbox like the other signals.
 */
import type { Signal } from '../../protocol/signal';

/** What the brain's state says of Azure's cover (state/<runId>.json). */
export interface AzureCover {
  readonly phase: string | undefined;
  readonly desiredAzureNodes: number;
}

export class AzureSilenceMonitor {
  private heard = false;
  private quietSinceMs: number | undefined;
  private sent = false;

  constructor(private readonly timeoutMs: number) {}

  /** The quiet start of an azure-silent to send now, once per silence; undefined otherwise. */
  observe(cover: AzureCover, liveAzureTrainers: number, nowMs: number): number | undefined {
    const covering = cover.phase === 'azure-active' && cover.desiredAzureNodes > 0;
    if (!covering) {
      this.heard = false;
      this.quietSinceMs = undefined;
      this.sent = false;
      return undefined;
    }
    if (liveAzureTrainers > 0) {
      this.heard = true;
      this.quietSinceMs = undefined;
      this.sent = false;
      return undefined;
    }
    if (!this.heard) return undefined;
    this.quietSinceMs ??= nowMs;
    if (this.sent || nowMs - this.quietSinceMs < this.timeoutMs) return undefined;
    this.sent = true;
    return this.quietSinceMs;
  }
}

/** The signal; its id comes from the run and the silence's start, so a resend is deduplicated by the brain. */
export function azureSilentSignal(runId: string, quietSinceMs: number, nowMs: number): Signal {
  const id = `azure-silent-${runId}-${quietSinceMs}`;
  return {
    version: 1,
    id,
    type: 'azure-silent',
    runId,
    issuedAt: new Date(nowMs).toISOString(),
    source: { eventId: id, source: 'spot-on.aggregator', detailType: 'Azure Trainers Silent', time: new Date(quietSinceMs).toISOString() },
  };
}
