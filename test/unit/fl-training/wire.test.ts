import fc from 'fast-check';
import { WireFormatError } from '../../../fl-training/errors';
import { decodeFrame, encodeFrame } from '../../../fl-training/wire/frame';
import { cloneValues, decodeWeights, encodedBytes, encodeWeights, findNonFinite, sha256Hex, specMismatch, weightBlocks } from '../../../fl-training/wire/weights';
import { AwsSilenceMonitor, silenceSignal } from '../../../fl-training/aggregator/silence';
import { SignalSchema } from '../../../protocol/signal';

const specs = [
  { name: 'a/kernel', shape: [2, 3], dtype: 'float32' as const },
  { name: 'a/bias', shape: [3], dtype: 'float32' as const },
];

describe('weights encoding', () => {
  it('concatenates float32 little-endian in spec order and back', () => {
    const values = [Float32Array.from([1, 2, 3, 4, 5, 6]), Float32Array.from([-1, 0.5, 1e-8])];
    const bytes = encodeWeights(values);
    expect(bytes.length).toBe(encodedBytes(specs));
    expect(bytes.readFloatLE(4)).toBe(2);
    expect(bytes.readFloatLE(24)).toBe(-1);
    expect(decodeWeights(bytes, specs)).toStrictEqual(values);
  });

  it('encodes views into larger buffers correctly and decodes into aligned copies', () => {
    const big = Float32Array.from([9, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const bytes = encodeWeights([big.subarray(2, 8), big.subarray(8, 11)]);
    const unaligned = Buffer.concat([Buffer.from([0]), bytes]).subarray(1);
    expect(decodeWeights(unaligned, specs)).toStrictEqual([Float32Array.from([1, 2, 3, 4, 5, 6]), Float32Array.from([7, 8, 9])]);
  });

  it('refuses bytes that do not fit the specs', () => {
    expect(() => decodeWeights(Buffer.alloc(10), specs)).toThrow(new WireFormatError('weights are 10 bytes; the specs need 36'));
  });

  it('finds spec mismatches and non-finite values', () => {
    expect(specMismatch(specs, specs)).toBeUndefined();
    expect(specMismatch(specs, [specs[1]!, specs[0]!])).toBe('weight 0 is "a/bias", expected "a/kernel"');
    expect(findNonFinite(specs, [new Float32Array(6), Float32Array.from([0, Number.NaN, 0])])).toBe('a/bias[1] = NaN');
    expect(findNonFinite(specs, [new Float32Array(6), new Float32Array(3)])).toBeUndefined();
    const original = [Float32Array.from([1])];
    const copy = cloneValues(original);
    copy[0]![0] = 2;
    expect(original[0]![0]).toBe(1);
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

describe('frames', () => {
  it('round-trips a JSON header and a binary payload', () => {
    const payload = Buffer.from([1, 2, 3, 250]);
    const frame = encodeFrame({ round: 4, name: 'x' }, payload);
    expect(frame.subarray(0, 4).toString()).toBe('SPOT');
    const decoded = decodeFrame(frame);
    expect(decoded.header).toStrictEqual({ round: 4, name: 'x' });
    expect(Buffer.from(decoded.payload).equals(payload)).toBe(true);
  });

  it.each([
    ['a short frame', Buffer.from('SPO'), 'frame of 3 bytes is shorter than its 8-byte prefix'],
    ['another magic', Buffer.from('JSON\0\0\0\0'), 'frame does not start with "SPOT"'],
    ['a header past the end', Buffer.concat([Buffer.from('SPOT'), Buffer.from([100, 0, 0, 0]), Buffer.from('{}')]), 'frame header of 100 bytes runs past the end of the frame'],
    ['a header that is not JSON', Buffer.concat([Buffer.from('SPOT'), Buffer.from([2, 0, 0, 0]), Buffer.from('{x')]), 'frame header is not JSON'],
  ])('rejects %s', (_name, frame, message) => {
    expect(() => decodeFrame(frame)).toThrow(message);
    expect(() => decodeFrame(frame)).toThrow(WireFormatError);
  });
});

describe('AWS silence', () => {
  it('says nothing before any AWS trainer reported', () => {
    expect(new AwsSilenceMonitor(1000).evaluate(1_000_000)).toBeUndefined();
  });

  it('signals aws-silent once after the timeout, and aws-recovered on the next report', () => {
    const monitor = new AwsSilenceMonitor(1000);
    expect(monitor.report(10_000)).toBeUndefined();
    expect(monitor.evaluate(10_999)).toBeUndefined();
    expect(monitor.evaluate(11_000)).toBe('aws-silent');
    expect(monitor.evaluate(20_000)).toBeUndefined();
    expect(monitor.isSilent).toBe(true);
    expect(monitor.report(21_000)).toBe('aws-recovered');
    expect(monitor.report(21_500)).toBeUndefined();
    expect(monitor.evaluate(22_400)).toBeUndefined();
  });

  it('builds valid signals with ids stable across resends', () => {
    const signal = silenceSignal('aws-silent', 'run-1', Date.UTC(2025, 0, 1), Date.UTC(2025, 0, 1, 0, 5));
    expect(SignalSchema.parse(signal)).toStrictEqual({
      version: 1,
      id: `aws-silent-run-1-${Date.UTC(2025, 0, 1)}`,
      type: 'aws-silent',
      runId: 'run-1',
      issuedAt: '2025-01-01T00:05:00.000Z',
      source: { eventId: `aws-silent-run-1-${Date.UTC(2025, 0, 1)}`, source: 'spot-on.aggregator', detailType: 'AWS Trainers Silent', time: '2025-01-01T00:00:00.000Z' },
    });
    expect(silenceSignal('aws-silent', 'run-1', Date.UTC(2025, 0, 1), Date.UTC(2025, 0, 2)).id).toBe(signal.id);
  });
  it('signals capacity-lost when AWS falls below its minimum, aws-recovered once it is back, nothing while starting up', () => {
    const monitor = new AwsSilenceMonitor(60_000);
    expect([0, 1, 2].map((live) => monitor.capacity(live, 3))).toStrictEqual([undefined, undefined, undefined]);
    expect(monitor.capacity(3, 3)).toBeUndefined(); // start-up reaches the minimum: nothing was lost
    expect(monitor.capacity(2, 3)).toBe('capacity-lost'); // a node reclaimed: the brain covers the missing trainer
    expect(monitor.capacity(2, 3)).toBeUndefined(); // once per loss
    expect(monitor.capacity(3, 3)).toBe('aws-recovered'); // the replacement reports
    expect(monitor.capacity(3, 3)).toBeUndefined();
  });

  it('leaves recovery after a silence to report()', () => {
    const monitor = new AwsSilenceMonitor(1000);
    monitor.capacity(3, 3);
    monitor.report(0);
    expect(monitor.capacity(0, 3)).toBeUndefined();
    expect(monitor.evaluate(1000)).toBe('aws-silent');
    expect(monitor.capacity(3, 3)).toBeUndefined();
    expect(monitor.report(2000)).toBe('aws-recovered');
  });
});

describe('weightBlocks', () => {
  it('yields the bytes encodeWeights makes, in parts of at most a block, viewing large tensors without copying them', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 16, max: 400 }), (lengths, blockBytes) => {
        const values = lengths.map((n, t) => Float32Array.from({ length: n }, (_, i) => t * 1000 + i));
        const blocks = [...weightBlocks(values, blockBytes)];
        expect(Buffer.concat(blocks).equals(encodeWeights(values))).toBe(true);
        for (const block of blocks) expect(block.byteLength).toBeLessThanOrEqual(blockBytes);
        const large = values.find((v) => v.byteLength >= blockBytes);
        if (large) expect(blocks.some((b) => b.buffer === large.buffer)).toBe(true);
      }),
    );
  });
});
