export interface RateLimitRule {
  /** Units allowed per window (also the largest burst). An integer >= 1. */
  limit: number;
  /** An integer >= 1. */
  windowMs: number;
  /** Units this call consumes, an integer in 1..limit. Default 1. */
  cost?: number;
}

export interface RateLimitResult {
  allowed: boolean;
  /** Units that could still be consumed right now. */
  remaining: number;
  /** When denied, how long until this call's cost would be allowed; 0 when allowed. */
  retryAfterMs: number;
}

/**
 * GCRA (the "generic cell rate algorithm"): one timestamp per key, a burst of `limit` units, and units
 * coming back one every `windowMs / limit`, so a key used up at once is whole again after `windowMs`.
 * A denied call consumes nothing.
 */
export interface RateLimiter {
  /** Throws `RateLimiterUnavailableError` when the store is unreachable: the caller decides fail-open or closed. */
  consume(key: string, rule: RateLimitRule): Promise<RateLimitResult>;
  /**
   * Gives back `rule.cost` units that a `consume` of the same rule took, when the caller ended up not using them
   * (another check refused the request after it). Never more than the key holds. Throws
   * `RateLimiterUnavailableError` when the store is unreachable.
   */
  refund(key: string, rule: RateLimitRule): Promise<void>;
  /** Forgets the key (e.g. after a successful sign-in). */
  reset(key: string): Promise<void>;
}

export { normalizeRule as checkRateLimitRule, RateLimiterUnavailableError } from './gcra';

/** The largest `limit` per minute the limiter supports (one unit per microsecond): the bound of `*_PER_MINUTE`. */
export const MAX_RATE_LIMIT_PER_MINUTE = 60_000_000;
export { MemoryRateLimiter, type MemoryRateLimiterOptions } from './memory';
export { RedisRateLimiter, type RedisRateLimiterOptions } from './redis';
