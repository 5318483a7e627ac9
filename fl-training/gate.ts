/**
 * At most `limit` pieces of work at once; the rest wait in arrival order. The aggregator lets only a few update
 * bodies in at a time (64 trainers that finish a round together would otherwise put 64 models in memory at once; a
 * waiting request is not read, so TCP holds the trainer back), and the Blob store uploads a few blocks at a time.
 * (Written here: a semaphore is a dozen lines, and the maintained ones on npm are ESM-only.)
 */
export class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`gate limit ${limit} must be a positive integer`);
  }

  /** Work waiting for a place. */
  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the place passes straight to the next in line
      else this.active--;
    }
  }
}
