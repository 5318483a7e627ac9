/** `--watch`: run a step, wait, again, until Ctrl-C. The timer is injected, so tests never sleep. */
import { setTimeout as delay } from 'node:timers/promises';

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export type Wait = (ms: number, signal: AbortSignal) => Promise<void>;

/** The real timer. */
export const timerWait: Wait = (ms, signal) =>
  delay(ms, undefined, { signal }).catch((error: unknown) => {
    if (!signal.aborted) throw error;
  });

/** Runs `step` now and then every `everyMs` after the previous one ended, until `signal` aborts. */
export async function repeatUntilAborted(step: () => Promise<void>, everyMs: number, wait: Wait, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    await step();
    if (signal.aborted) return;
    await wait(everyMs, signal);
  }
}
