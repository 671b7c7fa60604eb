import type { Lock } from '@atrium/platform/lock';

/**
 * Runs `fn` holding `key` (a per-user lock: limit checks and the insert they guard must not interleave between
 * processes). A taken lock is waited for in short random steps, up to about `waitMs`.
 */
export async function withUserLock<T>(
  lock: Lock,
  key: string,
  fn: () => Promise<T>,
  waitMs = 3_000,
): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const handle = await lock.acquire(key, 10_000);
    if (handle) {
      try {
        return await fn();
      } finally {
        await handle.release();
      }
    }
    if (Date.now() > deadline) throw new Error(`lock ${key} stayed taken for ${waitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 30));
  }
}
