import DataLoader from 'dataloader';

export interface LoaderOptions<K, C = K> {
  /**
   * Most keys passed to one `batch` call; more loads in the same tick are split over several calls. Default 1000,
   * below the bound-parameter limits of SQLite (32766) and PostgreSQL (65535) with room for other parameters.
   */
  maxBatchSize?: number;
  /** Turns a key into the value results are matched and cached by. Needed for object keys. Default: the key. */
  cacheKeyFn?: (key: K) => C;
  /** Shown by DataLoader-aware tracing tools. */
  name?: string;
}

/**
 * A per-request DataLoader over a batch function that may return its rows in any order, and only those it found:
 * each load resolves to the row whose `keyOf(row)` matches its key, or null. Loads of the same key within the
 * loader's life share one result (the cache lives as long as the loader: create one per request, never share
 * one between users). A rejected batch rejects every load in it.
 */
/** A per-request loader that resolves each key to its row or null. */
export type Loader<K, V, C = K> = DataLoader<K, V | null, C>;

export function createLoader<K, V, C = K>(
  batch: (keys: readonly K[]) => Promise<V[]>,
  keyOf: (value: V) => K,
  options: LoaderOptions<K, C> = {},
): DataLoader<K, V | null, C> {
  const cacheKey = options.cacheKeyFn ?? ((key: K) => key as unknown as C);
  return new DataLoader<K, V | null, C>(
    async (keys) => {
      const rows = await batch(keys);
      const byKey = new Map<C, V>();
      for (const row of rows) {
        const key = cacheKey(keyOf(row));
        // The first row wins, so a batch that returns duplicates behaves like `findOne`.
        if (!byKey.has(key)) byKey.set(key, row);
      }
      return keys.map((key) => byKey.get(cacheKey(key)) ?? null);
    },
    { maxBatchSize: options.maxBatchSize ?? 1000, cacheKeyFn: cacheKey, name: options.name ?? null },
  );
}
