import { AKS_PUT_AGENT_POOL_BUCKET, fullBucket, refill, takeToken, TokenBuckets } from '../../../../local/arm/token-bucket';

describe('token bucket', () => {
  it('grants the AKS burst of 20 PUTs, then refuses with the wait until the next token (one a minute)', () => {
    let now = 1_000_000;
    const buckets = new TokenBuckets(AKS_PUT_AGENT_POOL_BUCKET, () => now);
    const granted = Array.from({ length: 20 }, () => buckets.take('gpuspot').granted);
    expect(granted.every(Boolean)).toBe(true);
    expect(buckets.take('gpuspot')).toStrictEqual({ granted: false, state: { tokens: 0, updatedAt: now }, retryAfterMs: 60_000 });

    now += 45_000;
    const refused = buckets.take('gpuspot');
    expect(refused.granted ? undefined : refused.retryAfterMs).toBe(15_000);

    now += 15_000;
    expect(buckets.take('gpuspot').granted).toBe(true);
    expect(buckets.take('gpuspot').granted).toBe(false);
  });

  it('keeps one bucket per key', () => {
    const now = 0;
    const buckets = new TokenBuckets({ capacity: 1, refillIntervalMs: 1_000 }, () => now);
    expect([buckets.take('a').granted, buckets.take('a').granted, buckets.take('b').granted]).toStrictEqual([true, false, true]);
  });

  it('never refills above capacity and ignores a clock going backwards', () => {
    const config = { capacity: 3, refillIntervalMs: 10 };
    expect(refill({ tokens: 1, updatedAt: 0 }, config, 1_000)).toStrictEqual({ tokens: 3, updatedAt: 1_000 });
    expect(refill({ tokens: 1, updatedAt: 100 }, config, 50)).toStrictEqual({ tokens: 1, updatedAt: 100 });
  });

  it('takes fractional refills into account', () => {
    const config = { capacity: 2, refillIntervalMs: 1_000 };
    const result = takeToken({ tokens: 0.25, updatedAt: 0 }, config, 500);
    expect(result).toStrictEqual({ granted: false, state: { tokens: 0.75, updatedAt: 500 }, retryAfterMs: 250 });
    expect(takeToken(fullBucket(config, 0), config, 0)).toStrictEqual({ granted: true, state: { tokens: 1, updatedAt: 0 } });
  });

  it('refuses a configuration that could never grant', () => {
    expect(() => new TokenBuckets({ capacity: 0, refillIntervalMs: 1 })).toThrow(RangeError);
    expect(() => new TokenBuckets({ capacity: 1, refillIntervalMs: 0 })).toThrow(RangeError);
  });
});
