import { MemoryCache } from '@atrium/platform/cache';
import { createPolicy, type Policy } from '@atrium/platform/resilience';
import { CircuitBoard, SHARED_STATE_FRESH_MS } from '../src/model-router/circuit-board';
import type { RegisteredProvider } from '../src/model-router/provider-registry';

/** A MemoryCache that counts reads: what would be Redis round trips in production. */
class CountingCache extends MemoryCache {
  reads = 0;
  override get<T>(key: string): Promise<T | undefined> {
    this.reads += 1;
    return super.get<T>(key);
  }
}

function breaker(): Policy {
  return createPolicy({
    name: 'provider:local',
    timeoutMs: 1000,
    breaker: {
      slidingWindowSize: 2,
      minimumNumberOfCalls: 2,
      failureRateThreshold: 50,
      openStateDelayMs: 60_000,
      permittedNumberOfCallsInHalfOpenState: 1,
    },
  });
}

async function trip(policy: Policy): Promise<void> {
  for (let i = 0; i < 2; i++)
    await policy.execute(() => Promise.reject(new Error('provider down'))).catch(() => undefined);
}

function providerWith(policy: Policy): RegisteredProvider {
  return {
    id: 'local',
    kind: 'local',
    models: ['template-v1'],
    maxTokens: 100,
    policy,
  } as RegisteredProvider;
}

describe('CircuitBoard', () => {
  const policies: Policy[] = [];
  const boards: CircuitBoard[] = [];
  afterEach(() => {
    for (const board of boards.splice(0)) board.dispose();
    for (const policy of policies.splice(0)) policy.dispose();
  });

  function process(cache: MemoryCache, clock: { now: number }) {
    const policy = breaker();
    policies.push(policy);
    const provider = providerWith(policy);
    const board = new CircuitBoard(cache, [provider], 60_000, () => clock.now);
    boards.push(board);
    return { policy, provider, board };
  }

  it('reads what other processes share once per freshness window, and honours a breaker another process opened after it', async () => {
    const cache = new CountingCache();
    const clock = { now: 1_000_000 };
    const a = process(cache, clock);
    const b = process(cache, clock);
    expect(await Promise.all([b.board.coolingDown(b.provider), b.board.coolingDown(b.provider)])).toEqual([
      false,
      false,
    ]);
    expect(cache.reads).toBe(1);

    await trip(a.policy);
    expect(a.policy.state().state).toBe('OPEN');
    clock.now += SHARED_STATE_FRESH_MS - 1;
    // Still the state read a moment ago: no read per job.
    expect(await b.board.coolingDown(b.provider)).toBe(false);
    expect(cache.reads).toBe(1);
    clock.now += 1;
    expect(await b.board.coolingDown(b.provider)).toBe(true);
    expect(cache.reads).toBe(2);
  });

  it("applies this process's own breaker at once, without reading the cache", async () => {
    const cache = new CountingCache();
    const clock = { now: 1_000_000 };
    const a = process(cache, clock);
    expect(await a.board.coolingDown(a.provider)).toBe(false);
    await trip(a.policy);
    expect(await a.board.coolingDown(a.provider)).toBe(true);
    expect(cache.reads).toBe(1);
  });
});
