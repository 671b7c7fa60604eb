interface Shared<T> {
  key: string;
  result: Promise<T>;
  controller: AbortController;
  /** Callers still waiting; when the last one gives up, the shared call is aborted. */
  waiting: number;
}

/**
 * In-flight deduplication: concurrent callers with the same key share one call instead of each making it. The
 * key decides what may be shared, so the caller builds it from everything the answer depends on (for subgraph
 * fetches: the subgraph, the whole assertion subject and the exact request body) and uses this only for reads.
 * Nothing is kept once the call settles: this is not a cache.
 *
 * Each caller keeps its own abort: one giving up (client gone, deadline) rejects only that caller; the shared
 * call is aborted when every caller has given up.
 */
export class InflightDedup<T> {
  private readonly inflight = new Map<string, Shared<T>>();

  /** `leader` is true for the caller whose call runs, false for those who joined it. */
  run(
    key: string,
    signal: AbortSignal | undefined,
    call: (signal: AbortSignal) => Promise<T>,
  ): Promise<{ value: T; leader: boolean }> {
    let shared = this.inflight.get(key);
    const leader = !shared;
    if (!shared) {
      const controller = new AbortController();
      const created: Shared<T> = { key, result: call(controller.signal), controller, waiting: 0 };
      shared = created;
      this.inflight.set(key, created);
      const forget = () => {
        if (this.inflight.get(key) === created) this.inflight.delete(key);
      };
      created.result.then(forget, forget);
    }
    return this.wait(shared, signal).then((value) => ({ value, leader }));
  }

  private wait(shared: Shared<T>, signal: AbortSignal | undefined): Promise<T> {
    shared.waiting++;
    if (!signal) return shared.result.finally(() => shared.waiting--);
    if (signal.aborted) {
      this.leave(shared, signal.reason);
      return Promise.reject(signal.reason as Error);
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        this.leave(shared, signal.reason);
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      shared.result.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          shared.waiting--;
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          shared.waiting--;
          reject(error as Error);
        },
      );
    });
  }

  private leave(shared: Shared<T>, reason: unknown): void {
    shared.waiting--;
    if (shared.waiting === 0) {
      if (this.inflight.get(shared.key) === shared) this.inflight.delete(shared.key);
      shared.controller.abort(reason);
    }
  }

  /** Calls in flight now (for tests and metrics). */
  get size(): number {
    return this.inflight.size;
  }
}
