/**
 * The CheckpointStore contract and the checkpoint protocol on top of it, as one suite run against every
 * implementation: in memory (unit) and Azure Blob on Azurite (integration).
 */
import { blobPaths } from '../../../../protocol/blob-layout';
import type { Participant } from '../../../../protocol/checkpoint';
import { CheckpointConflictError, CheckpointCorruptError, CheckpointUnrecoverableError, ObjectExistsError, PreconditionFailedError } from '../../../../fl-training/errors';
import { readCheckpoint, resolveLatest, writeCheckpoint, type CheckpointInput } from '../../../../fl-training/store/checkpoint';
import type { CheckpointStore } from '../../../../fl-training/store/checkpoint-store';
import { listStoredUpdates, loadStoredUpdate, storeUpdate } from '../../../../fl-training/store/updates';
import type { StoredUpdateMeta } from '../../../../fl-training/wire/messages';
import { encodeWeights, sha256Hex } from '../../../../fl-training/wire/weights';

const HASH = 'a'.repeat(64);
const specs = [
  { name: 'dense/kernel', shape: [2, 3], dtype: 'float32' as const },
  { name: 'dense/bias', shape: [3], dtype: 'float32' as const },
];

function weightsFor(round: number): Float32Array[] {
  return [Float32Array.from([1, 2, 3, 4, 5, 6], (v) => v + round / 8), Float32Array.from([0.5, -0.5, round])];
}

function input(runId: string, round: number, extra: Partial<CheckpointInput> = {}): CheckpointInput {
  const participants: Participant[] = round === 0 ? [] : [{ clientId: 'trainer-a', examples: 10, updateDigest: HASH, baseRound: round - 1, partial: false, cloud: 'aws' }];
  return {
    runId,
    round,
    epoch: 0,
    configHash: HASH,
    topologyHash: HASH,
    specs,
    weights: weightsFor(round),
    participants,
    metrics: { examples: round === 0 ? 0 : 10, loss: 1 / (round + 1), accuracy: 0.5 },
    createdAt: new Date(Date.UTC(2025, 0, 1, 0, round)),
    ...extra,
  };
}

let runCounter = 0;
/** A fresh run id per test, so tests can share one container. */
const newRun = () => `run-${process.pid}-${Date.now().toString(36)}-${runCounter++}`;

export function describeCheckpointStore(name: string, makeStore: () => Promise<CheckpointStore> | CheckpointStore): void {
  describe(`CheckpointStore contract: ${name}`, () => {
    let store: CheckpointStore;
    beforeAll(async () => {
      store = await makeStore();
    });

    describe('objects', () => {
      it('creates once, then refuses with ObjectExistsError', async () => {
        const path = `${blobPaths.run(newRun())}a.bin`;
        await store.create(path, Buffer.from('one'));
        await expect(store.create(path, Buffer.from('two'))).rejects.toThrow(ObjectExistsError);
        expect((await store.get(path))?.data.toString()).toBe('one');
      });

      it('replaces only with the current ETag', async () => {
        const path = `${blobPaths.run(newRun())}LATEST`;
        const { etag } = await store.create(path, Buffer.from('v1'));
        const second = await store.replace(path, Buffer.from('v2'), etag);
        expect(second.etag).not.toBe(etag);
        await expect(store.replace(path, Buffer.from('v3'), etag)).rejects.toThrow(PreconditionFailedError);
        expect((await store.get(path))?.data.toString()).toBe('v2');
      });

      it('refuses to replace a missing object, even with an ETag it had once', async () => {
        const run = newRun();
        const { etag } = await store.create(`${blobPaths.run(run)}x`, Buffer.from('x'));
        await expect(store.replace(`${blobPaths.run(run)}missing`, Buffer.from('y'), etag)).rejects.toThrow(PreconditionFailedError);
        expect(await store.get(`${blobPaths.run(run)}missing`)).toBeUndefined();
      });

      it('puts unconditionally and returns undefined for missing objects', async () => {
        const path = blobPaths.status(newRun());
        expect(await store.get(path)).toBeUndefined();
        await store.put(path, Buffer.from('a'));
        await store.put(path, Buffer.from('b'));
        expect((await store.get(path))?.data.toString()).toBe('b');
      });

      it('lists paths under a prefix in order', async () => {
        const run = newRun();
        for (const round of [2, 0, 1]) await store.put(blobPaths.model(run, round), Buffer.from([round]));
        await store.put(blobPaths.status(run), Buffer.from('{}'));
        expect(await store.list(blobPaths.rounds(run))).toStrictEqual([0, 1, 2].map((r) => blobPaths.model(run, r)));
      });

      it('round-trips binary data exactly', async () => {
        const path = `${blobPaths.run(newRun())}bytes.bin`;
        const data = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256));
        await store.create(path, data);
        expect((await store.get(path))?.data.equals(data)).toBe(true);
      });

      it('creates an object from parts (blocks in Blob), in order, once', async () => {
        const path = `${blobPaths.run(newRun())}parts.bin`;
        const parts = Array.from({ length: 7 }, (_, i) => Buffer.from(Array.from({ length: 1000 + i }, (_, j) => (i * 31 + j) % 256)));
        await store.createFromParts(path, parts);
        expect((await store.get(path))?.data.equals(Buffer.concat(parts))).toBe(true);
        await expect(store.createFromParts(path, parts)).rejects.toThrow(ObjectExistsError);
        const single = `${blobPaths.run(newRun())}single.bin`;
        await store.createFromParts(single, [parts[0]!]);
        expect((await store.get(single))?.data.equals(parts[0]!)).toBe(true);
      });
    });

    describe('checkpoints', () => {
      it('writes model.bin, manifest.json and LATEST, and reads them back verified', async () => {
        const run = newRun();
        const written = await writeCheckpoint(store, input(run, 0));
        const latest = JSON.parse((await store.get(blobPaths.latest(run)))!.data.toString());
        expect(latest).toStrictEqual({ round: 0, manifestSha256: written.manifestSha256 });
        const read = await readCheckpoint(store, run, 0, written.manifestSha256);
        expect(read.weights).toStrictEqual(weightsFor(0));
        expect(read.manifest).toStrictEqual(written.manifest);
        expect(read.manifest.modelSha256).toBe(sha256Hex(encodeWeights(weightsFor(0))));
        expect(read.manifest.modelBytes).toBe(36);
      });

      it('saves strategy state in optimizer.bin and restores it exactly', async () => {
        const run = newRun();
        const state = { name: 'fedadam', step: 3, tensors: [Float32Array.from([0.1, 0.2]), Float32Array.from([1e-7, 3])] };
        await writeCheckpoint(store, input(run, 0, { strategyState: state }));
        const read = await readCheckpoint(store, run, 0);
        expect(read.strategyState).toStrictEqual(state);
        expect(read.manifest.optimizer?.name).toBe('fedadam');
      });

      it('resolves LATEST and the next round; a fresh run resolves to nothing', async () => {
        const run = newRun();
        expect(await resolveLatest(store, run)).toStrictEqual({ checkpoint: undefined, nextRound: 0, pointerRound: undefined, notes: [] });
        for (const round of [0, 1, 2]) await writeCheckpoint(store, input(run, round));
        const resolved = await resolveLatest(store, run);
        expect(resolved.checkpoint?.manifest.round).toBe(2);
        expect(resolved.checkpoint?.weights).toStrictEqual(weightsFor(2));
        expect(resolved.nextRound).toBe(3);
        expect(resolved.notes).toStrictEqual([]);
      });

      it('rewriting an identical round is a no-op; different weights are a CheckpointConflictError', async () => {
        const run = newRun();
        const first = await writeCheckpoint(store, input(run, 0));
        const again = await writeCheckpoint(store, input(run, 0, { createdAt: new Date(Date.UTC(2030, 0, 1)) }));
        expect(again.manifestSha256).toBe(first.manifestSha256);
        const conflict = writeCheckpoint(store, input(run, 0, { weights: weightsFor(9) }));
        await expect(conflict).rejects.toThrow(CheckpointConflictError);
        await expect(conflict).rejects.toThrow(/model\.bin exists with other content/);
      });

      it('replaces LATEST without reading it when the writer knows its ETag, and reads it when somebody else wrote it', async () => {
        const run = newRun();
        const first = await writeCheckpoint(store, input(run, 0));
        const second = await writeCheckpoint(store, { ...input(run, 1), latestEtag: first.latestEtag });
        expect((await resolveLatest(store, run)).checkpoint?.manifest.round).toBe(1);
        // Another writer moved LATEST on: the stale ETag fails, LATEST is read, and it is never moved back.
        await writeCheckpoint(store, input(run, 3));
        await expect(writeCheckpoint(store, { ...input(run, 2), latestEtag: second.latestEtag })).rejects.toThrow(/LATEST already points at round 3/);
      });

      it('never moves LATEST backwards', async () => {
        const run = newRun();
        await writeCheckpoint(store, input(run, 0));
        await writeCheckpoint(store, input(run, 2));
        await expect(writeCheckpoint(store, input(run, 1))).rejects.toThrow(/LATEST already points at round 2/);
      });

      it('falls back one round when the latest model.bin is corrupt', async () => {
        const run = newRun();
        for (const round of [0, 1, 2]) await writeCheckpoint(store, input(run, round));
        await store.put(blobPaths.model(run, 2), Buffer.alloc(36, 7));
        const resolved = await resolveLatest(store, run);
        expect(resolved.checkpoint?.manifest.round).toBe(1);
        expect(resolved.checkpoint?.weights).toStrictEqual(weightsFor(1));
        expect(resolved.nextRound).toBe(3); // round 2's create-only paths are taken: never reuse the number
        expect(resolved.notes).toStrictEqual(['round 2: checkpoint round 2: model.bin does not match its SHA-256; falling back one round']);
        await expect(readCheckpoint(store, run, 2)).rejects.toThrow(CheckpointCorruptError);
      });

      it('falls back one round when the manifest LATEST names is missing or altered', async () => {
        const run = newRun();
        for (const round of [0, 1]) await writeCheckpoint(store, input(run, round));
        await store.put(blobPaths.manifest(run, 1), Buffer.from('{"not":"a manifest"}'));
        const resolved = await resolveLatest(store, run);
        expect(resolved.checkpoint?.manifest.round).toBe(0);
        expect(resolved.notes[0]).toMatch(/round 1: .*manifest\.json does not match the SHA-256 in LATEST; falling back one round/);
      });

      it('fails loudly when the round before is unreadable too', async () => {
        const run = newRun();
        for (const round of [0, 1]) await writeCheckpoint(store, input(run, round));
        await store.put(blobPaths.model(run, 0), Buffer.alloc(36));
        await store.put(blobPaths.model(run, 1), Buffer.alloc(36));
        const failure = resolveLatest(store, run);
        await expect(failure).rejects.toThrow(CheckpointUnrecoverableError);
        await expect(failure).rejects.toThrow('rounds 1 and 0 are both unreadable');
      });

      it('detects a damaged optimizer.bin', async () => {
        const run = newRun();
        const state = { name: 'fedadam', step: 1, tensors: [new Float32Array(2)] };
        await writeCheckpoint(store, input(run, 0, { strategyState: state }));
        await store.put(blobPaths.optimizer(run, 0), Buffer.from('garbage'));
        await expect(readCheckpoint(store, run, 0)).rejects.toThrow('checkpoint round 0: optimizer.bin does not match its SHA-256');
      });

      it('rolls forward to a complete manifest written after LATEST (crash before the pointer moved)', async () => {
        const run = newRun();
        await writeCheckpoint(store, input(run, 0));
        const latest = (await store.get(blobPaths.latest(run)))!;
        await writeCheckpoint(store, input(run, 1));
        await store.put(blobPaths.latest(run), latest.data); // as if the crash came before LATEST moved
        const resolved = await resolveLatest(store, run);
        expect(resolved.checkpoint?.manifest.round).toBe(1);
        expect(resolved.pointerRound).toBe(0);
        expect(resolved.notes).toStrictEqual(['round 1: manifest newer than LATEST is complete; rolled forward']);
      });

      it('skips a round number whose data was written but never committed', async () => {
        const run = newRun();
        await writeCheckpoint(store, input(run, 0));
        await store.create(blobPaths.model(run, 1), encodeWeights(weightsFor(5)));
        const resolved = await resolveLatest(store, run);
        expect(resolved.checkpoint?.manifest.round).toBe(0);
        expect(resolved.nextRound).toBe(2);
      });
    });

    describe('updates', () => {
      const meta = (run: string, clientId: string, payload: Buffer): StoredUpdateMeta => ({
        version: 1,
        runId: run,
        clientId,
        round: 1,
        baseRound: 0,
        epoch: 0,
        examples: 5,
        partial: true,
        cloud: 'aws',
        shard: 'shard-0',
        weights: specs,
        sha256: sha256Hex(payload),
        createdAt: '2025-01-01T00:00:00.000Z',
      });

      it('stores create-only, lists and loads verified', async () => {
        const run = newRun();
        const payload = encodeWeights(weightsFor(1));
        expect(await storeUpdate(store, meta(run, 'trainer-b', payload), payload)).toBe('stored');
        expect(await storeUpdate(store, meta(run, 'trainer-b', payload), payload)).toBe('exists');
        expect(await listStoredUpdates(store, run, 1)).toStrictEqual(['trainer-b']);
        const loaded = await loadStoredUpdate(store, run, 1, 'trainer-b');
        expect(loaded?.meta).toStrictEqual(meta(run, 'trainer-b', payload));
        expect(loaded?.payload.equals(payload)).toBe(true);
        expect(await loadStoredUpdate(store, run, 1, 'nobody')).toBeUndefined();
      });

      it('finishes an update whose .json was never written, and rejects damaged data', async () => {
        const run = newRun();
        const payload = encodeWeights(weightsFor(1));
        await store.create(blobPaths.updateData(run, 1, 'trainer-c'), payload);
        expect(await listStoredUpdates(store, run, 1)).toStrictEqual([]);
        expect(await storeUpdate(store, meta(run, 'trainer-c', payload), payload)).toBe('stored');
        await store.put(blobPaths.updateData(run, 1, 'trainer-c'), Buffer.alloc(payload.length));
        await expect(loadStoredUpdate(store, run, 1, 'trainer-c')).rejects.toThrow('stored update trainer-c in round 1 has missing or damaged weights');
      });
    });
  });
}
