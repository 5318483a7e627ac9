/**
 * Time for the local AWS: the bus, Secrets Manager and the Lambda runner read the time and set timers only through
 * a Clock, so unit tests drive function timeouts and batching windows with a ManualClock instead of waiting.
 */

/** Reads the time and schedules callbacks. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once after `delayMs`; returns a function that cancels it. */
  setTimer(callback: () => void, delayMs: number): () => void;
}

/** The real clock: Date.now and setTimeout. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(callback, delayMs) {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    return () => clearTimeout(timer);
  },
};

/** A clock that moves only when told to; due timers fire, in due order, inside `advance`. */
export class ManualClock implements Clock {
  private timers: { readonly id: number; readonly dueAt: number; readonly callback: () => void }[] = [];
  private nextId = 1;

  constructor(private current = Date.UTC(2026, 2, 1, 12, 0, 0)) {}

  now(): number {
    return this.current;
  }

  setTimer(callback: () => void, delayMs: number): () => void {
    const id = this.nextId++;
    this.timers.push({ id, dueAt: this.current + Math.max(0, delayMs), callback });
    return () => {
      this.timers = this.timers.filter((t) => t.id !== id);
    };
  }

  /** Moves the time forward by `ms`, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.dueAt <= target).sort((a, b) => a.dueAt - b.dueAt || a.id - b.id)[0];
      if (next === undefined) break;
      this.timers = this.timers.filter((t) => t.id !== next.id);
      this.current = Math.max(this.current, next.dueAt);
      next.callback();
    }
    this.current = Math.max(this.current, target);
  }
}
