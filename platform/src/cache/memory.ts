import type { Cache } from './index';
import { assertTtl, serialize } from './shared';

export interface MemoryCacheOptions {
  /** Entries kept; past it the least recently used entry is evicted. Default 10 000. */
  maxEntries?: number;
}

/**
 * In-process LRU cache with per-entry TTL. A Map keeps insertion order, so re-inserting an entry on every
 * hit makes the first key the least recently used one. Expired entries are dropped when read or evicted.
 */
export class MemoryCache implements Cache {
  private readonly entries = new Map<string, { json: string; expiresAt: number }>();
  private readonly maxEntries: number;

  constructor(options: MemoryCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1)
      throw new RangeError('maxEntries must be >= 1');
  }

  async get<T>(key: string): Promise<T | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= Date.now()) return undefined;
    this.entries.set(key, entry);
    return JSON.parse(entry.json) as T;
  }

  async set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    assertTtl(ttlMs);
    const json = serialize(value);
    this.entries.delete(key);
    this.entries.set(key, { json, expiresAt: Date.now() + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  /** Entries held, expired ones included until they are read or evicted. */
  get size(): number {
    return this.entries.size;
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}
