import type { LockHandle } from './index';

export function assertLockTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) throw new RangeError('ttlMs must be a positive integer');
}

export async function runLocked<T>(handle: LockHandle | null, fn: () => Promise<T>): Promise<T | null> {
  if (!handle) return null;
  try {
    return await fn();
  } finally {
    await handle.release();
  }
}

/** A release that runs once, however often it is called. */
export function handle(release: () => Promise<void>): LockHandle {
  let released: Promise<void> | undefined;
  return { release: () => (released ??= release()) };
}
