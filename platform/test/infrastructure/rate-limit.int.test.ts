import {
  MemoryRateLimiter,
  RateLimiterUnavailableError,
  RedisRateLimiter,
  type RateLimiter,
} from '../../src/rate-limit';
import { describeWithRedis, Leftovers, randomRedisPrefix, testServices } from '../../src/testing';
import { CLOSED_PORT_URL, deleteKeys, sleep, onConnection } from './helpers';

type Closable = RateLimiter & { close?(): Promise<void> };

/** What every rate limiter must do, in-process or on Redis. */
function rateLimiterContract(makeLimiter: (keyPrefix: string) => Closable): void {
  const leftovers = new Leftovers();
  let limiter: Closable;

  beforeEach(() => {
    limiter = leftovers.add(makeLimiter(randomRedisPrefix('rl')), (it) => it.close?.());
  });
  afterEach(() => leftovers.dispose());

  // One unit comes back every windowMs / limit: a window long enough that no unit returns while a test makes its
  // calls back to back, however slowly a loaded machine runs them (a 300 ms window returned one mid-test).
  const rule = { limit: 3, windowMs: 3000 };
  // For tests about keys, not time: nothing returns within a test.
  const steady = { limit: 3, windowMs: 60_000 };

  test('allows exactly `limit` calls, then denies with a retry delay, then allows again after the window', async () => {
    const results = [];
    for (let n = 0; n < 4; n++) results.push(await limiter.consume('user:1', rule));
    expect(results.slice(0, 3)).toEqual([
      { allowed: true, remaining: 2, retryAfterMs: 0 },
      { allowed: true, remaining: 1, retryAfterMs: 0 },
      { allowed: true, remaining: 0, retryAfterMs: 0 },
    ]);
    expect(results[3]).toMatchObject({ allowed: false, remaining: 0 });
    expect(results[3]!.retryAfterMs).toBeGreaterThan(0);
    expect(results[3]!.retryAfterMs).toBeLessThanOrEqual(1000);

    await sleep(3010);
    expect(await limiter.consume('user:1', rule)).toEqual({ allowed: true, remaining: 2, retryAfterMs: 0 });
  });

  test('a denied call consumes nothing, and units come back one interval at a time', async () => {
    // A 2 s interval leaves room for a late timer (or a slow machine) before a second unit comes back.
    const slow = { limit: 3, windowMs: 6000 };
    for (let n = 0; n < 3; n++) await limiter.consume('user:1', slow);
    const denied = await limiter.consume('user:1', slow);
    expect(denied.retryAfterMs).toBeGreaterThan(1000);
    await sleep(denied.retryAfterMs + 5);
    expect(await limiter.consume('user:1', slow)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await limiter.consume('user:1', slow)).toMatchObject({ allowed: false });
  });

  test('refund gives back what a consume took, never more than the key holds', async () => {
    for (let n = 0; n < 3; n++) await limiter.consume('user:1', steady);
    expect(await limiter.consume('user:1', steady)).toMatchObject({ allowed: false });
    await limiter.refund('user:1', steady);
    expect(await limiter.consume('user:1', steady)).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });
    expect(await limiter.consume('user:1', steady)).toMatchObject({ allowed: false });
    // More refunds than units used: the key is whole again, not above its limit.
    for (let n = 0; n < 5; n++) await limiter.refund('user:1', steady);
    await limiter.refund('never-used', steady);
    expect(await limiter.consume('user:1', steady)).toEqual({ allowed: true, remaining: 2, retryAfterMs: 0 });
    expect(await limiter.consume('never-used', steady)).toEqual({
      allowed: true,
      remaining: 2,
      retryAfterMs: 0,
    });
  });

  test('keys are independent, and reset forgets one', async () => {
    for (let n = 0; n < 3; n++) await limiter.consume('ip:1', steady);
    expect(await limiter.consume('ip:1', steady)).toMatchObject({ allowed: false });
    expect(await limiter.consume('ip:2', steady)).toMatchObject({ allowed: true, remaining: 2 });
    await limiter.reset('ip:1');
    expect(await limiter.consume('ip:1', steady)).toMatchObject({ allowed: true, remaining: 2 });
  });

  test('cost consumes several units; a fractional interval still allows exactly `limit`', async () => {
    expect(await limiter.consume('k', { limit: 10, windowMs: 1000, cost: 4 })).toMatchObject({
      remaining: 6,
    });
    expect(await limiter.consume('k', { limit: 10, windowMs: 1000, cost: 7 })).toMatchObject({
      allowed: false,
    });
    const odd = { limit: 7, windowMs: 1000 };
    const outcomes = [];
    for (let n = 0; n < 8; n++) outcomes.push((await limiter.consume('odd', odd)).allowed);
    expect(outcomes).toEqual([true, true, true, true, true, true, true, false]);
    await expect(limiter.consume('k', { limit: 2, windowMs: 1000, cost: 3 })).rejects.toThrow(RangeError);
  });

  test('50 concurrent calls against a limit of 10: exactly 10 are allowed', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, () => limiter.consume('burst', { limit: 10, windowMs: 60_000 })),
    );
    expect(results.filter((result) => result.allowed)).toHaveLength(10);
  });
}

describe('RateLimiter contract: memory', () => {
  rateLimiterContract(() => new MemoryRateLimiter());
});

describeWithRedis('RateLimiter contract: redis', () => {
  const prefixes: string[] = [];
  afterAll(() => Promise.all(prefixes.map((prefix) => deleteKeys(testServices.redisUrl!, prefix))));
  rateLimiterContract((keyPrefix) => {
    prefixes.push(keyPrefix);
    return onConnection(
      testServices.redisUrl!,
      (connection) => new RedisRateLimiter({ connection, keyPrefix }),
    );
  });
});

describeWithRedis('RedisRateLimiter', () => {
  test('throws RateLimiterUnavailableError at once when Redis is unreachable, so callers can fail closed', async () => {
    const limiter = onConnection(
      CLOSED_PORT_URL,
      (connection) => new RedisRateLimiter({ connection, keyPrefix: randomRedisPrefix('down') }),
    );
    try {
      const startedAt = Date.now();
      await expect(limiter.consume('user:1', { limit: 5, windowMs: 1000 })).rejects.toBeInstanceOf(
        RateLimiterUnavailableError,
      );
      await expect(limiter.refund('user:1', { limit: 5, windowMs: 1000 })).rejects.toBeInstanceOf(
        RateLimiterUnavailableError,
      );
      await expect(limiter.reset('user:1')).rejects.toBeInstanceOf(RateLimiterUnavailableError);
      expect(Date.now() - startedAt).toBeLessThan(2500);
    } finally {
      await limiter.close();
    }
  });
});
