import { Stop, type StopSignal } from '@atrium/platform/resilience';

interface Shared<T> {
  scope: string;
  key: string;
  result: Promise<T>;
  controller: Stop;
  /** Callers still waiting; when the last one gives up, the shared call is aborted. */
  waiting: number;
}

/**
 * In-flight deduplication: concurrent callers with the same scope and key share one call instead of each making
 * it. Scope and key together decide what may be shared, so the caller builds them from everything the answer
 * depends on (for subgraph fetches, one instance per subgraph: the whole assertion subject as scope and the
 * exact request body as key) and uses this only for reads. They are two levels of map rather than one joined
 * string, so a large body is never copied into a key. Nothing is kept once the call settles: this is not a cache.
 *
 * Each caller keeps its own abort: one giving up (client gone, deadline) rejects only that caller; the shared
 * call is aborted when every caller has given up.
 */
export class InflightDedup<T> {
  private readonly inflight = new Map<string, Map<string, Shared<T>>>();
  private count = 0;

  /** `leader` is true for the caller whose call runs, false for those who joined it. */
  run(
    scope: string,
    key: string,
    signal: StopSignal | undefined,
    call: (signal: StopSignal) => Promise<T>,
  ): Promise<{ value: T; leader: boolean }> {
    let calls = this.inflight.get(scope);
    let shared = calls?.get(key);
    const leader = !shared;
    if (!shared) {
      calls ??= this.inflight.set(scope, new Map()).get(scope)!;
      // A Stop, not an AbortController: the call's cancellation never leaves the gateway's own code.
      const controller = new Stop();
      const created: Shared<T> = { scope, key, result: call(controller.signal), controller, waiting: 0 };
      shared = created;
      calls.set(key, created);
      this.count++;
      const forget = () => this.forget(created);
      created.result.then(forget, forget);
    }
    return this.wait(shared, signal).then((value) => ({ value, leader }));
  }

  private wait(shared: Shared<T>, signal: StopSignal | undefined): Promise<T> {
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
      this.forget(shared);
      shared.controller.abort(reason);
    }
  }

  /** Removes `shared` if it is still the call in flight for its scope and key. */
  private forget(shared: Shared<T>): void {
    const calls = this.inflight.get(shared.scope);
    if (calls?.get(shared.key) !== shared) return;
    calls.delete(shared.key);
    this.count--;
    if (calls.size === 0) this.inflight.delete(shared.scope);
  }

  /** Calls in flight now (for tests and metrics). */
  get size(): number {
    return this.count;
  }
}
