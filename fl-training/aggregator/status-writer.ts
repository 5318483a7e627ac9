/**
 * status.json's writes, one at a time in order: a write that fails is logged and the next one catches up (the brain
 * reads whatever is newest). The writer remembers which live trainers the last write showed, so the aggregator's
 * clock rewrites the file when trainers go quiet, not only at commits.
 */
import { blobPaths } from '../../protocol/blob-layout';
import type { RunStatus } from '../../protocol/run-status';
import type { CheckpointStore } from '../store/checkpoint-store';

export class StatusWriter {
  private chain: Promise<void> = Promise.resolve();
  private writtenSignature = '';

  constructor(
    private readonly store: CheckpointStore,
    private readonly runId: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Whether the live trainers differ from what the last write showed. */
  isStale(liveSignature: string): boolean {
    return liveSignature !== this.writtenSignature;
  }

  /** Queues a write of the status as it is when the write runs; skipped once `stopped()` says so. */
  write(liveSignature: string, status: () => RunStatus, stopped: () => boolean): void {
    this.writtenSignature = liveSignature;
    this.chain = this.chain.then(async () => {
      if (stopped()) return;
      try {
        await this.store.put(blobPaths.status(this.runId), Buffer.from(JSON.stringify(status(), null, 2)));
      } catch (error) {
        this.log(`status.json write failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  }

  /** Resolves once every queued write is done. */
  async flushed(): Promise<void> {
    await this.chain;
  }
}
