import type { Cache } from '@atrium/platform/cache';
import type { EventBus, EventIterator } from '@atrium/platform/events';
import { fingerprint, type StatusSnapshot } from './snapshot';

export const STATUS_TOPIC = 'monitoring:status';
const LATEST_KEY = 'monitoring:status:latest';

/**
 * The latest snapshot, shared by every monitoring replica through the cache (Redis in production), and its
 * changes on the event bus. Only the poller writes; every replica reads, so any replica answers `systemStatus`
 * and serves `systemStatusChanged` without polling itself.
 */
export class StatusStore {
  constructor(private readonly deps: { cache: Cache; events: EventBus; keepMs: number }) {}

  latest(): Promise<StatusSnapshot | undefined> {
    return this.deps.cache.get<StatusSnapshot>(LATEST_KEY);
  }

  /** Stores `snapshot` and publishes it when a subscriber would see a difference. Resolves whether it did. */
  async save(snapshot: StatusSnapshot): Promise<boolean> {
    const previous = await this.latest();
    await this.deps.cache.set(LATEST_KEY, snapshot, this.deps.keepMs);
    if (previous && fingerprint(previous) === fingerprint(snapshot)) return false;
    await this.deps.events.publish(STATUS_TOPIC, snapshot);
    return true;
  }

  changes(): EventIterator<StatusSnapshot> {
    return this.deps.events.iterate<StatusSnapshot>(STATUS_TOPIC);
  }
}
