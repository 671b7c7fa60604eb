import { RedisUnavailableError } from '../../src/infrastructure';
import { MemoryLock, RedisLock, type Lock } from '../../src/lock';
import { describeWithRedis, Leftovers, randomRedisPrefix, testServices } from '../../src/testing';
import { CLOSED_PORT_URL, deleteKeys, sleep, onConnection } from './helpers';

type Closable = Lock & { close?(): Promise<void> };

/** What every lock must do, in-process or on Redis. */
function lockContract(makeLock: (keyPrefix: string) => Closable): void {
  const leftovers = new Leftovers();
  let lock: Closable;

  beforeEach(() => {
    lock = leftovers.add(makeLock(randomRedisPrefix('lock')), (it) => it.close?.());
  });
  afterEach(() => leftovers.dispose());

  test('only one holder at a time; released, the lock can be taken again', async () => {
    const first = await lock.acquire('job:1', 10_000);
    expect(first).not.toBeNull();
    expect(await lock.acquire('job:1', 10_000)).toBeNull();
    expect(await lock.acquire('job:2', 10_000)).not.toBeNull();
    await first!.release();
    expect(await lock.acquire('job:1', 10_000)).not.toBeNull();
  });

  test('a lock frees itself after its TTL', async () => {
    expect(await lock.acquire('ttl', 100)).not.toBeNull();
    await sleep(150);
    expect(await lock.acquire('ttl', 100)).not.toBeNull();
  });

  test('a late release never frees the lock of the next holder', async () => {
    const late = await lock.acquire('token', 100);
    await sleep(150);
    const current = await lock.acquire('token', 10_000);
    expect(current).not.toBeNull();
    await late!.release();
    expect(await lock.acquire('token', 10_000)).toBeNull();
    await current!.release();
    await current!.release();
    expect(await lock.acquire('token', 10_000)).not.toBeNull();
  });

  test('withLock runs concurrent callers one at a time: the losers get null without running', async () => {
    let running = 0;
    let maxRunning = 0;
    const work = async (): Promise<string> => {
      maxRunning = Math.max(maxRunning, ++running);
      await sleep(50);
      running--;
      return 'done';
    };
    const results = await Promise.all(Array.from({ length: 5 }, () => lock.withLock('cron', 10_000, work)));
    expect(results.filter((result) => result === 'done')).toHaveLength(1);
    expect(results.filter((result) => result === null)).toHaveLength(4);
    expect(maxRunning).toBe(1);
    expect(await lock.withLock('cron', 10_000, async () => 'again')).toBe('again');
  });

  test('withLock releases the lock when the work throws', async () => {
    await expect(lock.withLock('failing', 10_000, () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    expect(await lock.withLock('failing', 10_000, async () => 'next')).toBe('next');
  });
}

describe('Lock contract: memory', () => {
  lockContract(() => new MemoryLock());
});

describeWithRedis('Lock contract: redis', () => {
  const prefixes: string[] = [];
  afterAll(() => Promise.all(prefixes.map((prefix) => deleteKeys(testServices.redisUrl!, prefix))));
  lockContract((keyPrefix) => {
    prefixes.push(keyPrefix);
    return onConnection(testServices.redisUrl!, (connection) => new RedisLock({ connection, keyPrefix }));
  });
});

describeWithRedis('RedisLock', () => {
  test('two processes (two connections) exclude each other; an unreachable Redis throws', async () => {
    const url = testServices.redisUrl!;
    const keyPrefix = randomRedisPrefix('lock');
    const [a, b] = [
      onConnection(url, (connection) => new RedisLock({ connection, keyPrefix })),
      onConnection(url, (connection) => new RedisLock({ connection, keyPrefix })),
    ];
    const down = onConnection(CLOSED_PORT_URL, (connection) => new RedisLock({ connection, keyPrefix }));
    try {
      expect(await a.acquire('shared', 10_000)).not.toBeNull();
      expect(await b.acquire('shared', 10_000)).toBeNull();
      await expect(down.acquire('shared', 10_000)).rejects.toBeInstanceOf(RedisUnavailableError);
    } finally {
      await Promise.all([a.close(), b.close(), down.close()]);
      await deleteKeys(url, keyPrefix);
    }
  });
});
