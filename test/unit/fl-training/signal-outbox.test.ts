/** The aggregator's signal outbox: an undelivered aws-silent survives a long brain outage, with a controlled clock. */
import type { SignalSender } from '../../../fl-training/aggregator/brain';
import { silenceSignal } from '../../../fl-training/aggregator/silence';
import { SignalOutbox } from '../../../fl-training/aggregator/signal-outbox';
import type { Signal } from '../../../protocol/signal';

const T0 = Date.UTC(2026, 0, 1);
let clock = T0;
const now = () => clock;

/** A brain that is down (every send gives up) until `upAtMs`, and records what reached it. */
function brain(upAtMs: number, answer: 'delivered' | 'rejected' = 'delivered') {
  const attempts: number[] = [];
  const received: string[] = [];
  const sender: SignalSender = {
    send: async (signal: Signal) => {
      attempts.push(clock - T0);
      if (clock < upAtMs) return 'failed';
      received.push(signal.id);
      return answer;
    },
  };
  return { sender, attempts, received };
}

/** Advances the clock a second at a time for `ms`, ticking the outbox as the aggregator does. */
async function run(outbox: SignalOutbox, ms: number): Promise<void> {
  for (const end = clock + ms; clock < end; clock += 1000) await outbox.tick();
}

beforeEach(() => {
  clock = T0;
});

describe('SignalOutbox', () => {
  it('keeps resending aws-silent through a 10-minute brain outage, backing off, until it is delivered', async () => {
    const { sender, attempts, received } = brain(T0 + 10 * 60_000);
    const outbox = new SignalOutbox(sender, now, { retryMs: 15_000, maxRetryMs: 120_000 });
    const silent = silenceSignal('aws-silent', 'run-1', T0 - 60_000, T0);
    await outbox.submit(silent);
    await run(outbox, 15 * 60_000);
    expect(received).toStrictEqual([silent.id]);
    expect(outbox.waiting).toBeUndefined();
    // 0, +15 s, +30 s, +60 s, +120 s, then every 120 s (capped) until the brain is back at 10 min.
    expect(attempts).toStrictEqual([0, 15_000, 45_000, 105_000, 225_000, 345_000, 465_000, 585_000, 705_000]);
  });

  it('drops a signal the brain refuses (retrying a 4xx cannot help)', async () => {
    const { sender, attempts } = brain(T0, 'rejected');
    const outbox = new SignalOutbox(sender, now);
    await outbox.submit(silenceSignal('aws-silent', 'run-1', T0 - 60_000, T0));
    await run(outbox, 5 * 60_000);
    expect(attempts).toStrictEqual([0]);
    expect(outbox.waiting).toBeUndefined();
  });

  it('sends only the latest transition: aws-recovered supersedes an undelivered aws-silent', async () => {
    const { sender, received } = brain(T0 + 60_000);
    const outbox = new SignalOutbox(sender, now, { retryMs: 15_000 });
    await outbox.submit(silenceSignal('aws-silent', 'run-1', T0 - 60_000, T0));
    await run(outbox, 30_000);
    const recovered = silenceSignal('aws-recovered', 'run-1', T0 + 30_000, clock);
    await outbox.submit(recovered);
    await run(outbox, 5 * 60_000);
    expect(received).toStrictEqual([recovered.id]);
  });

  it('sends a transition submitted while an older send is in flight as soon as that send returns', async () => {
    const received: string[] = [];
    let release: () => void = () => undefined;
    const sender: SignalSender = {
      send: (signal) =>
        new Promise((resolve) => {
          release = () => resolve('delivered');
          received.push(signal.id);
        }),
    };
    const outbox = new SignalOutbox(sender, now);
    const silent = silenceSignal('aws-silent', 'run-1', T0 - 60_000, T0);
    const recovered = silenceSignal('aws-recovered', 'run-1', T0 - 60_000, T0 + 1);
    void outbox.submit(silent);
    void outbox.submit(recovered);
    expect(received).toStrictEqual([silent.id]); // one send at a time
    release();
    await new Promise(setImmediate); // the first send's answer is processed; the newer signal goes out at once
    expect(received).toStrictEqual([silent.id, recovered.id]);
    release();
    await outbox.drain();
    expect(outbox.waiting).toBeUndefined();
  });
});
