import type { Cache } from '@atrium/platform/cache';
import type { CircuitState } from '@atrium/platform/resilience';
import type { RegisteredProvider } from './provider-registry';

interface SharedState {
  state: CircuitState;
  /** When an OPEN breaker lets probes through (ms since epoch); 0 otherwise. */
  openUntil: number;
}

const KEEP_MS = 10 * 60_000;
/**
 * How long a worker reuses what it read of another process's breaker before reading it again: the one cache read
 * a job would otherwise cost (a Redis round trip per job). A breaker another process opens is honoured here this
 * much later at most; this process's own transitions apply at once.
 */
export const SHARED_STATE_FRESH_MS = 1000;

/**
 * Shares breaker transitions between processes through the cache (Redis in production), so a provider one
 * worker found failing is cooled down in every worker — and `modelProviders`, served by API processes that
 * make no calls themselves, shows what the workers see. Each breaker still decides for its own process.
 */
export class CircuitBoard {
  private readonly unsubscribes: Array<() => void> = [];
  /** The shared state last read (or written) per provider, and when: reused for SHARED_STATE_FRESH_MS. */
  private readonly seen = new Map<string, { at: number; shared: Promise<SharedState | null> }>();

  constructor(
    private readonly cache: Cache,
    private readonly providers: readonly RegisteredProvider[],
    private readonly openStateDelayMs: number,
    private readonly now: () => number = Date.now,
  ) {
    for (const provider of providers) {
      this.unsubscribes.push(
        provider.policy.onStateChange(({ to }) => {
          const shared = { state: to, openUntil: to === 'OPEN' ? this.now() + this.openStateDelayMs : 0 };
          this.seen.set(provider.id, { at: this.now(), shared: Promise.resolve(shared) });
          void this.cache.set<SharedState>(this.key(provider.id), shared, this.openStateDelayMs + KEEP_MS);
        }),
      );
    }
  }

  /**
   * True while the provider's breaker is open here, or another process opened it and its delay has not passed
   * (what another process wrote is read at most once per SHARED_STATE_FRESH_MS; concurrent callers share a read).
   */
  async coolingDown(provider: RegisteredProvider): Promise<boolean> {
    if (provider.policy.state().state === 'OPEN') return true;
    const now = this.now();
    let entry = this.seen.get(provider.id);
    if (!entry || now - entry.at >= SHARED_STATE_FRESH_MS) {
      const shared = this.cache.get<SharedState>(this.key(provider.id)).then((value) => value ?? null);
      entry = { at: now, shared };
      this.seen.set(provider.id, entry);
      // A failed read is not kept: the next caller reads again.
      shared.catch(() => {
        if (this.seen.get(provider.id) === entry) this.seen.delete(provider.id);
      });
    }
    const shared = await entry.shared;
    return shared?.state === 'OPEN' && shared.openUntil > this.now();
  }

  /** The state to show: this process's breaker unless it is closed and another process reported otherwise. */
  async stateOf(provider: RegisteredProvider): Promise<CircuitState> {
    const local = provider.policy.state().state;
    if (local !== 'CLOSED') return local;
    const shared = await this.cache.get<SharedState>(this.key(provider.id));
    if (!shared) return local;
    if (shared.state === 'OPEN' && shared.openUntil <= Date.now()) return 'HALF_OPEN';
    return shared.state;
  }

  dispose(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
  }

  private key(id: string): string {
    return `generation:circuit:${id}`;
  }
}
