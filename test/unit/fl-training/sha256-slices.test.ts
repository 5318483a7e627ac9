import fc from 'fast-check';
import { sha256InSlices } from '../../../fl-training/wire/sha256-slices';
import { sha256Hex } from '../../../fl-training/wire/weights';

describe('sha256InSlices', () => {
  it('is the SHA-256 of the parts concatenated, whatever the slice size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 6 }), fc.integer({ min: 1, max: 64 }), async (parts, sliceBytes) => {
        expect(await sha256InSlices(parts, sliceBytes)).toBe(sha256Hex(Buffer.concat(parts)));
      }),
    );
  });

  it('hashes views at their offsets, not their whole buffers', async () => {
    const buffer = Uint8Array.from({ length: 64 }, (_, i) => i);
    const parts = [buffer.subarray(3, 20), buffer.subarray(40, 41)];
    expect(await sha256InSlices(parts, 5)).toBe(sha256Hex(Buffer.concat(parts)));
  });

  it('lets the event loop run between slices, the first one included', async () => {
    const turns: string[] = [];
    const digest = sha256InSlices([new Uint8Array(16)], 4).then(() => turns.push('digest'));
    setImmediate(() => turns.push('other work'));
    await digest;
    expect(turns).toStrictEqual(['other work', 'digest']);
  });

  it('rejects a slice size that is not a positive integer', async () => {
    await expect(sha256InSlices([new Uint8Array(1)], 0)).rejects.toThrow(RangeError);
  });
});
