/**
 * A token bucket, the throttle AKS applies per resource to its control-plane APIs: PUT agent pool has a
 * burst of 20 and refills one request a minute, and an empty bucket answers 429 with Retry-After
 * (https://learn.microsoft.com/azure/aks/quotas-skus-regions, "throttling limits on AKS resource provider
 * APIs"). Pure: the caller passes the time, so tests drive it with a fake clock.
 */

/** Bucket size and refill rate. */
export interface TokenBucketConfig {
  /** Tokens when full (the burst). @default 20 */
  readonly capacity: number;
  /** Milliseconds to add one token. @default 60_000 */
  readonly refillIntervalMs: number;
}

/** AKS's PUT agent pool bucket: 20 requests, then one a minute. */
export const AKS_PUT_AGENT_POOL_BUCKET: TokenBucketConfig = { capacity: 20, refillIntervalMs: 60_000 };

/** The bucket's state: whole and fractional tokens, as of `updatedAt`. */
export interface TokenBucketState {
  readonly tokens: number;
  readonly updatedAt: number;
}

/** The answer to a take: granted, or refused with the wait until the next whole token. */
export type TakeResult =
  | { readonly granted: true; readonly state: TokenBucketState }
  | { readonly granted: false; readonly state: TokenBucketState; readonly retryAfterMs: number };

/** A full bucket at time `now`. */
export function fullBucket(config: TokenBucketConfig, now: number): TokenBucketState {
  return { tokens: config.capacity, updatedAt: now };
}

/** The bucket refilled up to `now` (never above capacity; a clock going backwards adds nothing). */
export function refill(state: TokenBucketState, config: TokenBucketConfig, now: number): TokenBucketState {
  const elapsed = Math.max(0, now - state.updatedAt);
  const tokens = Math.min(config.capacity, state.tokens + elapsed / config.refillIntervalMs);
  return { tokens, updatedAt: Math.max(now, state.updatedAt) };
}

/** Takes one token at `now`, or says how long until one is available. */
export function takeToken(state: TokenBucketState, config: TokenBucketConfig, now: number): TakeResult {
  const current = refill(state, config, now);
  if (current.tokens >= 1) return { granted: true, state: { ...current, tokens: current.tokens - 1 } };
  const retryAfterMs = Math.ceil((1 - current.tokens) * config.refillIntervalMs);
  return { granted: false, state: current, retryAfterMs };
}

/** Token buckets keyed by resource, with an injected clock. */
export class TokenBuckets {
  private readonly buckets = new Map<string, TokenBucketState>();

  constructor(
    private readonly config: TokenBucketConfig = AKS_PUT_AGENT_POOL_BUCKET,
    private readonly clock: () => number = Date.now,
  ) {
    if (!(config.capacity >= 1) || !(config.refillIntervalMs > 0)) {
      throw new RangeError(`token bucket needs capacity >= 1 and refillIntervalMs > 0, got ${JSON.stringify(config)}`);
    }
  }

  /** Takes a token from the bucket of `key`. */
  take(key: string): TakeResult {
    const now = this.clock();
    const result = takeToken(this.buckets.get(key) ?? fullBucket(this.config, now), this.config, now);
    this.buckets.set(key, result.state);
    return result;
  }
}
