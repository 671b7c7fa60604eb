import { mkdirSync, rmSync } from 'node:fs';

// On a shared machine the measured rounds run under a lock directory (BENCH_LOCK: created while measuring,
// removed after), so two benchmarks never measure at once; sign-ups and seeding happen before, outside it.
const LOCK = process.env.BENCH_LOCK;
let held = false;

/** Waits until the lock directory can be created (no-op without BENCH_LOCK). */
export async function takeBenchLock(): Promise<void> {
  if (!LOCK) return;
  for (;;) {
    try {
      mkdirSync(LOCK);
      held = true;
      // A benchmark stopped by a signal would otherwise leave the lock behind for everyone.
      for (const signal of ['SIGINT', 'SIGTERM'] as const)
        process.once(signal, () => {
          releaseBenchLock();
          process.exit(1);
        });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 5000));
    }
  }
}

/** Removes the lock directory if this process holds it. */
export function releaseBenchLock(): void {
  if (!LOCK || !held) return;
  rmSync(LOCK, { recursive: true, force: true });
  held = false;
}
