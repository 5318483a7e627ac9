/** SHA-256 on the hash worker: the digest of exactly the bytes queued, in order, whatever the caller does next. */
import { createHash } from 'node:crypto';
import { BackgroundSha256 } from '../../../fl-training/store/background-hash';

const sha256 = (...parts: Uint8Array[]) => createHash('sha256').update(Buffer.concat(parts)).digest('hex');

describe('BackgroundSha256', () => {
  it('digests the queued bytes in order, as they were when queued, for hashes interleaved on one worker', async () => {
    const model = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 31) % 251);
    const blocks = [model.subarray(0, 1_000_000), model.subarray(1_000_000, 2_500_000), model.subarray(2_500_000)];
    const first = new BackgroundSha256();
    const second = new BackgroundSha256();
    for (const block of blocks) {
      first.update(block);
      second.update(block.subarray(0, 10));
    }
    const expectedFirst = sha256(...blocks);
    const expectedSecond = sha256(...blocks.map((b) => b.subarray(0, 10)));
    model.fill(0); // a caller may reuse its buffers at once: the worker hashes its own copy
    expect(await Promise.all([first.digest(), second.digest()])).toStrictEqual([expectedFirst, expectedSecond]);
  });

  it('digests nothing as the hash of no bytes', async () => {
    expect(await new BackgroundSha256().digest()).toBe(sha256());
  });
});
