import { performance } from 'node:perf_hooks';
import { startAzurite } from '../../local/azurite';
import { BlobCheckpointStore } from '../../fl-training/store/blob-store';
import { writeCheckpoint } from '../../fl-training/store/checkpoint';
import { encodeWeights } from '../../fl-training/wire/weights';

export interface CheckpointWrite {
  /** Model size in MB. */
  readonly sizeMB: number;
  /** Checkpoint write of the next round: model.bin (create-only, hashed while it uploads), manifest.json (create-only), LATEST (If-Match on the ETag of the previous write). */
  readonly ms: number;
  /** One plain upload of the same bytes to the same Azurite in the same run. */
  readonly rawUploadMs: number;
  /** ms / rawUploadMs: the checkpoint protocol's overhead over moving the bytes. */
  readonly ratio: number;
}

const MB = 1024 * 1024;
const HASH = '0'.repeat(64);

/** Starts its own Azurite and times checkpoint writes of 1, 10 and 100 MB models against raw uploads (best of N). */
export async function benchCheckpoint(options: { sizesMB?: readonly number[]; repeats?: number } = {}): Promise<CheckpointWrite[]> {
  const azurite = await startAzurite();
  try {
    const store = await BlobCheckpointStore.fromConnectionString(azurite.connectionString, 'bench').ensureContainer();
    const out: CheckpointWrite[] = [];
    let round = 0;
    for (const sizeMB of options.sizesMB ?? [1, 10, 100]) {
      const elements = (sizeMB * MB) / 4;
      const weights = [new Float32Array(elements).map((_, i) => (i % 251) / 251)];
      const specs = [{ name: 'dense/kernel', shape: [elements], dtype: 'float32' as const }];
      const bytes = encodeWeights(weights);
      const repeats = options.repeats ?? (sizeMB >= 100 ? 2 : 3);
      let ms = Infinity;
      let rawUploadMs = Infinity;
      // Round after round of one run, as an aggregator commits them: each write knows LATEST's ETag from the last.
      const runId = `bench-${sizeMB}mb`;
      const write = (latestEtag?: string) => writeCheckpoint(store, { runId, round: round++, epoch: 0, configHash: HASH, topologyHash: HASH, specs, weights, participants: [], metrics: { examples: 0 }, latestEtag });
      let latestEtag = (await write()).latestEtag;
      for (let r = 0; r < repeats; r++) {
        let started = performance.now();
        await store.put(`raw/${runId}-${r}.bin`, bytes);
        rawUploadMs = Math.min(rawUploadMs, performance.now() - started);
        started = performance.now();
        latestEtag = (await write(latestEtag)).latestEtag;
        ms = Math.min(ms, performance.now() - started);
      }
      out.push({ sizeMB, ms: Math.round(ms), rawUploadMs: Math.round(rawUploadMs), ratio: Number((ms / rawUploadMs).toFixed(2)) });
    }
    return out;
  } finally {
    await azurite.stop();
  }
}
