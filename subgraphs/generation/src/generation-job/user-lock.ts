import type { Lock } from '@atrium/platform/lock';

/**
 * Callers waiting in this process, per lock and key: each waits for the one before it to finish (a promise),
 * so callers in one process never poll the shared lock against each other; only other processes make them poll.
 */
const turns = new WeakMap<Lock, Map<string, Promise<void>>>();

/**
 * Runs `fn` holding `key` (a per-user lock: limit checks and the insert they guard must not interleave between
 * processes). Callers in this process queue for their turn first; a lock taken by another process is waited for
 * in short random steps, up to about `waitMs` from the call.
 */
export async function withUserLock<T>(
  lock: Lock,
  key: string,
  fn: () => Promise<T>,
  waitMs = 3_000,
): Promise<T> {
  const deadline = Date.now() + waitMs;
  let queue = turns.get(lock);
  if (!queue) turns.set(lock, (queue = new Map()));
  const previous = queue.get(key);
  let finished!: () => void;
  const mine = new Promise<void>((resolve) => (finished = resolve));
  queue.set(key, mine);
  try {
    if (previous) await previous;
    return await holding(lock, key, fn, deadline, waitMs);
  } finally {
    finished();
    if (queue.get(key) === mine) queue.delete(key);
  }
}

async function holding<T>(
  lock: Lock,
  key: string,
  fn: () => Promise<T>,
  deadline: number,
  waitMs: number,
): Promise<T> {
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
