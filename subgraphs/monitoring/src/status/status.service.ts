import { fingerprint, toSystemStatus, type StatusSnapshot } from './snapshot';
import type { StatusStore } from './status-store';
import type { SystemStatus } from './system-status.type';

/** `systemStatus` and `systemStatusChanged`, read from the shared latest snapshot. */
export class StatusService {
  constructor(
    private readonly deps: {
      store: StatusStore;
      /** A poll of its own, for a replica asked before any poller stored a snapshot. */
      pollNow: () => Promise<StatusSnapshot>;
    },
  ) {}

  async current(): Promise<SystemStatus> {
    return toSystemStatus(await this.snapshot());
  }

  /**
   * The current status first, then every change. Subscribes before reading, so no change falls in between;
   * a published snapshot equal to the one already sent is skipped.
   */
  async watch(signal?: AbortSignal): Promise<AsyncIterable<SystemStatus>> {
    const changes = this.deps.store.changes();
    const stop = (): void => void changes.return();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      await changes.ready;
      const first = await this.snapshot();
      return (async function* () {
        try {
          let last = fingerprint(first);
          yield toSystemStatus(first);
          for await (const snapshot of changes) {
            const next = fingerprint(snapshot);
            if (next === last) continue;
            last = next;
            yield toSystemStatus(snapshot);
          }
        } finally {
          signal?.removeEventListener('abort', stop);
          await changes.return();
        }
      })();
    } catch (error) {
      await changes.return();
      throw error;
    }
  }

  private async snapshot(): Promise<StatusSnapshot> {
    return (await this.deps.store.latest()) ?? this.deps.pollNow();
  }
}
