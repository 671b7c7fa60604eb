/** The KeyValueCache shape Apollo Server's automatic persisted queries use. */
export interface QueryCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, options?: { ttl?: number | null }): Promise<void>;
  delete(key: string): Promise<boolean>;
}

/**
 * A least-recently-used cache of persisted query texts bounded by their total size: anyone may register
 * queries, so an unbounded store would be a way to fill the gateway's memory. Entries also expire after their
 * TTL (seconds) when one is given.
 */
export class BoundedQueryCache implements QueryCache {
  private readonly entries = new Map<string, { value: string; size: number; expiresAt: number }>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  async get(key: string): Promise<string | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= Date.now()) {
      this.bytes -= entry.size;
      return undefined;
    }
    // Re-inserted: Map order is the recency order.
    this.entries.set(key, entry);
    return entry.value;
  }

  async set(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
    await this.delete(key);
    // UTF-16 code units × 2 plus the key: close enough to what the strings hold in memory.
    const size = (key.length + value.length) * 2;
    if (size > this.maxBytes) return;
    const ttl = options?.ttl;
    this.entries.set(key, { value, size, expiresAt: ttl ? Date.now() + ttl * 1000 : Infinity });
    this.bytes += size;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.size;
    }
  }

  async delete(key: string): Promise<boolean> {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.bytes -= entry.size;
    return true;
  }

  /** Bytes held (what a memory test reads). */
  get size(): number {
    return this.bytes;
  }
}
