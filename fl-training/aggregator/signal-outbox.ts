/**
 * Holds the aggregator's latest silence transition until the brain has it. The sender retries only for seconds
 * within one call; a brain outage or a cold start can last minutes, and `aws-silent` is the failover trigger that
 * must not depend on AWS. So a send that gave up is tried again on later ticks, with capped exponential backoff,
 * until it is delivered, refused (4xx: retrying cannot help) or superseded by the opposite transition. The signal
 * keeps its id, so the brain deduplicates every resend.
 */
import type { Signal } from '../../protocol/signal';
import type { SignalSender } from './brain';

export interface SignalOutboxOptions {
  /** First wait after a send gave up. @default 15000 */
  readonly retryMs?: number;
  /** Longest wait between resends. @default 120000 */
  readonly maxRetryMs?: number;
  readonly log?: (line: string) => void;
}

interface Entry {
  readonly signal: Signal;
  dueMs: number;
  failures: number;
}

export class SignalOutbox {
  private entry: Entry | undefined;
  private sending: Promise<void> | undefined;

  constructor(
    private readonly sender: SignalSender,
    private readonly now: () => number,
    private readonly options: SignalOutboxOptions = {},
  ) {}

  /** The signal still waiting for the brain, if any. */
  get waiting(): Signal | undefined {
    return this.entry?.signal;
  }

  /** Queues a signal, replacing any undelivered one (only the latest transition matters), and sends it now. */
  submit(signal: Signal): Promise<void> {
    this.entry = { signal, dueMs: this.now(), failures: 0 };
    return this.tick();
  }

  /** Sends the waiting signal if it is due and no send is in flight; resolves when that attempt is over. */
  tick(): Promise<void> {
    if (!this.sending && this.isDue()) {
      this.sending = this.sendDue().finally(() => {
        this.sending = undefined;
        if (this.isDue()) void this.tick(); // submitted while the last attempt was finishing
      });
    }
    return this.sending ?? Promise.resolve();
  }

  /** Waits for the send in flight, if any. */
  async drain(): Promise<void> {
    await this.sending;
  }

  private isDue(): boolean {
    return this.entry !== undefined && this.now() >= this.entry.dueMs;
  }

  private async sendDue(): Promise<void> {
    for (;;) {
      const entry = this.entry;
      if (!entry || !this.isDue()) return;
      const outcome = await this.sender.send(entry.signal).catch(() => 'failed' as const);
      if (this.entry !== entry) continue; // superseded while in flight: the newer transition is due now
      if (outcome !== 'failed') {
        this.entry = undefined;
        return;
      }
      const waitMs = Math.min((this.options.retryMs ?? 15_000) * 2 ** entry.failures, this.options.maxRetryMs ?? 120_000);
      entry.failures++;
      entry.dueMs = this.now() + waitMs;
      this.options.log?.(`signal ${entry.signal.type} not delivered (${entry.failures} tries): trying again in ${Math.round(waitMs / 1000)} s`);
      return;
    }
  }
}
