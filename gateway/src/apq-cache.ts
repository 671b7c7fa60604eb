import type { DocumentNode } from 'graphql';

/** The KeyValueCache shape Apollo Server's persisted queries and document store use. */
export interface KeyValueCache<V> {
  get(key: string): Promise<V | undefined>;
  set(key: string, value: V, options?: { ttl?: number | null }): Promise<void>;
  delete(key: string): Promise<boolean>;
}

export type QueryCache = KeyValueCache<string>;

/**
 * A least-recently-used cache bounded by the bytes its entries keep alive, as `sizeOf` estimates them: anyone
 * may send new documents, so a cache bounded by entry count, or by a size that leaves out what an entry
 * retains, is a way to fill the gateway's memory. Entries also expire after their TTL (seconds) when one is
 * given.
 */
export class BoundedCache<V> implements KeyValueCache<V> {
  private readonly entries = new Map<string, { value: V; size: number; expiresAt: number }>();
  private bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly sizeOf: (key: string, value: V) => number,
  ) {}

  async get(key: string): Promise<V | undefined> {
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

  async set(key: string, value: V, options?: { ttl?: number | null }): Promise<void> {
    await this.delete(key);
    const size = this.sizeOf(key, value);
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

// UTF-16 code units × 2: an upper bound of what a string holds in memory.
const stringBytes = (text: string) => text.length * 2;

/** Persisted query texts, bounded by their size. */
export class BoundedQueryCache extends BoundedCache<string> {
  constructor(maxBytes: number) {
    super(maxBytes, (key, value) => stringBytes(key) + stringBytes(value));
  }
}

// A parsed node costs far more than its JSON text; this factor is a deliberate over-estimate (not measured).
const AST_OVERHEAD = 8;

/**
 * Parsed and validated documents (Apollo's `documentStore`). Each document's locations keep its whole source
 * text alive, comments included, so the source counts in full next to the AST itself: Apollo's default store
 * sizes entries by their JSON, which leaves the source out, so megabytes of comments cost it nothing.
 */
export class BoundedDocumentCache extends BoundedCache<DocumentNode> {
  constructor(maxBytes: number) {
    super(
      maxBytes,
      (key, document) =>
        stringBytes(key) +
        stringBytes(document.loc?.source.body ?? '') +
        JSON.stringify(document).length * AST_OVERHEAD,
    );
  }
}
