/**
 * GET /model's two concerns, apart from the rules of who gets which round: the open round's model frame, encoded once
 * per (round, base, epoch) and served to every trainer, and the long-poll of requests that wait for a later round
 * until the aggregator wakes them (a commit, an epoch change, a close).
 */
import { encodeFrame } from '../wire/frame';
import type { ModelHeader } from '../wire/messages';
import { encodeWeights } from '../wire/weights';

export class ModelServer {
  private cached: { key: string; frame: Buffer; header: ModelHeader } | undefined;
  private waiters = new Set<() => void>();

  /** The frame of `header` and `weights`, encoded only when `key` differs from the last one served. */
  frame(key: string, header: () => ModelHeader, weights: () => readonly Float32Array[]): { frame: Buffer; header: ModelHeader } {
    if (this.cached?.key !== key) {
      const built = header();
      this.cached = { key, header: built, frame: encodeFrame(built, encodeWeights(weights())) };
    }
    return this.cached;
  }

  /** Forgets the frame: the next request encodes the model again. */
  invalidate(): void {
    this.cached = undefined;
  }

  /** Resolves when woken, after `ms`, or when `abort` fires, whichever is first. */
  wait(ms: number, abort?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        abort?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
      abort?.addEventListener('abort', done);
    });
  }

  /** Wakes every waiting request (each looks at the round again). */
  wakeAll(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }
}
