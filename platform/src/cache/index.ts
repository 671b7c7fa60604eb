/**
 * A best-effort cache of JSON values. A miss is always a valid answer: callers fall through to the source
 * of truth. Values are copied through JSON in both implementations, so a caller never shares (or mutates)
 * the cached object, and a `Date` comes back as a string.
 */
export interface Cache {
  /** The value, or `undefined` when absent, expired, or the store is unreachable (logged, never thrown). */
  get<T>(key: string): Promise<T | undefined>;
  /** Stores `value` for `ttlMs` (a positive integer). A store failure is logged, not thrown. */
  set<T>(key: string, value: T, ttlMs: number): Promise<void>;
  /** Removes the key. A store failure is logged, not thrown: staleness stays bounded by the TTL. */
  delete(key: string): Promise<void>;
  /** Releases what the cache owns. Idempotent. */
  close?(): Promise<void>;
}

export { MemoryCache, type MemoryCacheOptions } from './memory';
export { RedisCache, type RedisCacheOptions } from './redis';
