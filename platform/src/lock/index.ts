/** A held lock. `release()` frees it only if it is still this holder's (never someone else's after expiry). */
export interface LockHandle {
  release(): Promise<void>;
}

/**
 * A mutual-exclusion lease with a TTL: if the holder dies, the lock frees itself after `ttlMs`. The TTL must
 * outlast the guarded work, since nothing renews it.
 */
export interface Lock {
  /** The lock, or null when another holder has it. Redis: throws `RedisUnavailableError` when unreachable. */
  acquire(key: string, ttlMs: number): Promise<LockHandle | null>;
  /** Runs `fn` under the lock and releases it afterwards; null (without running `fn`) when it is taken. */
  withLock<T>(key: string, ttlMs: number, fn: () => Promise<T>): Promise<T | null>;
}

export { MemoryLock } from './memory';
export { RedisLock, type RedisLockOptions } from './redis';
