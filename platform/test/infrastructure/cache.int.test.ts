import { MemoryCache, RedisCache, type Cache } from '../../src/cache';
import { describeWithRedis, Leftovers, randomRedisPrefix, testServices } from '../../src/testing';
import { captureLog, CLOSED_PORT_URL, deleteKeys, sleep, WARN, onConnection } from './helpers';

/** What every cache must do, in-process or on Redis. */
function cacheContract(makeCache: (keyPrefix: string) => Cache): void {
  const leftovers = new Leftovers();
  let cache: Cache;

  beforeEach(() => {
    cache = leftovers.add(makeCache(randomRedisPrefix('cache')), (it) => it.close?.());
  });
  afterEach(() => leftovers.dispose());

  test('a key never set is a miss', async () => {
    expect(await cache.get('absent')).toBeUndefined();
  });

  test('returns a JSON copy of what was set, never the same object', async () => {
    const value = { name: 'gpt', at: new Date(0), tags: ['a'] };
    await cache.set('model', value, 10_000);
    const cached = await cache.get<typeof value>('model');
    expect(cached).toEqual({ name: 'gpt', at: '1970-01-01T00:00:00.000Z', tags: ['a'] });
    cached!.tags.push('mutated');
    expect(await cache.get('model')).toMatchObject({ tags: ['a'] });
  });

  test('an entry expires after its TTL', async () => {
    await cache.set('short', 1, 100);
    expect(await cache.get('short')).toBe(1);
    await sleep(150);
    expect(await cache.get('short')).toBeUndefined();
  });

  test('set overwrites the value and its TTL; delete removes the key', async () => {
    await cache.set('key', 'old', 100);
    await cache.set('key', 'new', 10_000);
    await sleep(150);
    expect(await cache.get('key')).toBe('new');
    await cache.delete('key');
    expect(await cache.get('key')).toBeUndefined();
    await cache.delete('key');
  });

  test('falsy values are hits, and undefined or a bad TTL is refused', async () => {
    await cache.set('zero', 0, 1000);
    await cache.set('null', null, 1000);
    expect(await cache.get('zero')).toBe(0);
    expect(await cache.get('null')).toBeNull();
    await expect(cache.set('undefined', undefined, 1000)).rejects.toThrow(TypeError);
    await expect(cache.set('ttl', 1, 0)).rejects.toThrow(RangeError);
  });
}

describe('Cache contract: memory', () => {
  cacheContract(() => new MemoryCache());
});

describeWithRedis('Cache contract: redis', () => {
  const prefixes: string[] = [];
  afterAll(() => Promise.all(prefixes.map((prefix) => deleteKeys(testServices.redisUrl!, prefix))));
  cacheContract((keyPrefix) => {
    prefixes.push(keyPrefix);
    return onConnection(testServices.redisUrl!, (connection) => new RedisCache({ connection, keyPrefix }));
  });
});

describeWithRedis('RedisCache', () => {
  const leftovers = new Leftovers();
  afterEach(() => leftovers.dispose());

  test('keys of different prefixes never collide', async () => {
    const url = testServices.redisUrl!;
    const [a, b] = [randomRedisPrefix('a'), randomRedisPrefix('b')].map((keyPrefix) => {
      leftovers.defer(() => deleteKeys(url, keyPrefix));
      return leftovers.add(
        onConnection(url, (connection) => new RedisCache({ connection, keyPrefix })),
        (it) => it.close(),
      );
    });
    await a!.set('shared-name', 'a', 10_000);
    expect(await b!.get('shared-name')).toBeUndefined();
  });

  test('an unreachable Redis is a miss (logged, not thrown), and writes do not throw', async () => {
    const { log, lines } = captureLog();
    const cache = leftovers.add(
      onConnection(
        CLOSED_PORT_URL,
        (connection) => new RedisCache({ connection, keyPrefix: randomRedisPrefix('down'), log }),
        log,
      ),
      (it) => it.close(),
    );
    const startedAt = Date.now();
    expect(await cache.get('key')).toBeUndefined();
    await cache.set('key', 1, 1000);
    await cache.delete('key');
    expect(await cache.get('key')).toBeUndefined();
    expect(Date.now() - startedAt).toBeLessThan(2500);
    expect(lines.filter((line) => line.level === WARN).map((line) => line.msg)).toEqual(
      expect.arrayContaining(['cache read failed; treated as a miss', 'cache write failed']),
    );
  });
});
