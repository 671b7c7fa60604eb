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
 * Shares breaker transitions between processes through the cache (Redis in production), so a provider one
 * worker found failing is cooled down in every worker — and `modelProviders`, served by API processes that
 * make no calls themselves, shows what the workers see. Each breaker still decides for its own process.
 */
export class CircuitBoard {
  private readonly unsubscribes: Array<() => void> = [];

  constructor(
    private readonly cache: Cache,
    private readonly providers: readonly RegisteredProvider[],
    private readonly openStateDelayMs: number,
  ) {
    for (const provider of providers) {
      this.unsubscribes.push(
        provider.policy.onStateChange(({ to }) => {
          const openUntil = to === 'OPEN' ? Date.now() + this.openStateDelayMs : 0;
          void this.cache.set<SharedState>(
            this.key(provider.id),
            { state: to, openUntil },
            this.openStateDelayMs + KEEP_MS,
          );
        }),
      );
    }
  }

  /** True while the provider's breaker is open here, or another process opened it and its delay has not passed. */
  async coolingDown(provider: RegisteredProvider): Promise<boolean> {
    if (provider.policy.state().state === 'OPEN') return true;
    const shared = await this.cache.get<SharedState>(this.key(provider.id));
    return shared?.state === 'OPEN' && shared.openUntil > Date.now();
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
