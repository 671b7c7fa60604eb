import { randomBytes } from 'node:crypto';
import type { Lock, LockHandle } from './index';
import { assertLockTtl, handle, runLocked } from './shared';

/** In-process locks: a map of key → holder token and expiry. Exclusive within this process only. */
export class MemoryLock implements Lock {
  private readonly held = new Map<string, { token: string; expiresAt: number }>();

  async acquire(key: string, ttlMs: number): Promise<LockHandle | null> {
    assertLockTtl(ttlMs);
    const now = Date.now();
    const current = this.held.get(key);
    if (current && current.expiresAt > now) return null;
    if (this.held.size > 10_000) this.sweep(now);
    const token = randomBytes(16).toString('hex');
    this.held.set(key, { token, expiresAt: now + ttlMs });
    return handle(async () => {
      if (this.held.get(key)?.token === token) this.held.delete(key);
    });
  }

  withLock<T>(key: string, ttlMs: number, fn: () => Promise<T>): Promise<T | null> {
    return this.acquire(key, ttlMs).then((lock) => runLocked(lock, fn));
  }

  /** Locks held, expired ones included until swept: what a memory test counts. */
  get size(): number {
    return this.held.size;
  }

  private sweep(now: number): void {
    for (const [key, { expiresAt }] of this.held) if (expiresAt <= now) this.held.delete(key);
  }
}
