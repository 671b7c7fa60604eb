import { Redis } from 'ioredis';
import { createInfrastructure, RedisUnavailableError, type Infrastructure } from '../../src/infrastructure';
import { EventBusClosedError } from '../../src/events';
import { QueueUnavailableError } from '../../src/queue';
import { RateLimiterUnavailableError } from '../../src/rate-limit';
import { describeWithRedis, Leftovers, randomRedisPrefix, testServices } from '../../src/testing';
import {
  captureLog,
  CLOSED_PORT_URL,
  deleteKeys,
  PrivateRedis,
  waitFor,
  WARN,
  type LogLine,
} from './helpers';

/** One flow through every concern, the way a service uses them; it must behave the same in both modes. */
async function exerciseEveryConcern(infra: Infrastructure): Promise<void> {
  const updates: unknown[] = [];
  await infra.events.subscribe('job-updated', (payload) => updates.push(payload));
  infra.worker<{ prompt: string }>(
    'generation',
    async (job) => {
      await infra.events.publish('job-updated', { id: job.id, prompt: job.data.prompt, state: 'SUCCEEDED' });
    },
    { concurrency: 2 },
  );
  const { id } = await infra.queue<{ prompt: string }>('generation').add('generate', { prompt: 'hi' });
  await waitFor(() => updates.length === 1, { message: 'the worker to publish' });
  expect(updates).toEqual([{ id, prompt: 'hi', state: 'SUCCEEDED' }]);

  await infra.cache.set('answer', { text: 'hello' }, 10_000);
  expect(await infra.cache.get('answer')).toEqual({ text: 'hello' });
  expect(await infra.rateLimiter.consume('ip', { limit: 1, windowMs: 60_000 })).toMatchObject({
    allowed: true,
  });
  expect(await infra.rateLimiter.consume('ip', { limit: 1, windowMs: 60_000 })).toMatchObject({
    allowed: false,
  });
  expect(await infra.lock.withLock('sweep', 10_000, async () => 'ran')).toBe('ran');
}

describe('createInfrastructure without redisUrl', () => {
  test('runs everything in-process, with no health check, and closes idempotently', async () => {
    const infra = createInfrastructure({ keyPrefix: 'test:' });
    try {
      expect(infra.mode).toBe('memory');
      expect(infra.healthChecks).toEqual([]);
      await exerciseEveryConcern(infra);
    } finally {
      await infra.close();
      await infra.close();
    }
    await expect(infra.events.publish('job-updated', {})).rejects.toBeInstanceOf(EventBusClosedError);
  });
});

describeWithRedis('createInfrastructure with redisUrl', () => {
  const leftovers = new Leftovers();
  afterEach(() => leftovers.dispose());

  const start = (redisUrl: string, log = captureLog()): { infra: Infrastructure; lines: LogLine[] } => {
    const keyPrefix = randomRedisPrefix('infra');
    leftovers.defer(() => (redisUrl === testServices.redisUrl ? deleteKeys(redisUrl, keyPrefix) : undefined));
    const infra = leftovers.add(createInfrastructure({ redisUrl, keyPrefix, log: log.log }), (it) =>
      it.close(),
    );
    return { infra, lines: log.lines };
  };
  const warnings = (lines: LogLine[]): string[] =>
    lines.filter((line) => line.level === WARN).map((line) => line.msg);

  test('runs everything on Redis, passes its PING health check, and closes idempotently', async () => {
    const { infra, lines } = start(testServices.redisUrl!);
    expect(infra.mode).toBe('redis');
    await exerciseEveryConcern(infra);

    const [redis] = infra.healthChecks;
    expect(redis).toMatchObject({ name: 'redis', kind: 'redis' });
    await redis!.check();
    expect(redis!.latencyMs).toBeGreaterThan(0);
    // The shared test Redis runs with noeviction: nothing to warn about.
    expect(warnings(lines)).toEqual([]);

    await infra.close();
    await infra.close();
    await expect(redis!.check()).rejects.toBeInstanceOf(RedisUnavailableError);
  });

  test('every component borrows the one shared connection; only subscribing and BullMQ workers open their own', async () => {
    const server = leftovers.add(await PrivateRedis.start(), (it) => it.kill());
    const { infra } = start(server.url);
    const admin = leftovers.add(new Redis(server.url, { connectionName: 'test-admin' }), (it) =>
      it.disconnect(),
    );
    const names = async (): Promise<string[]> =>
      ((await admin.client('LIST')) as string)
        .split('\n')
        .map((line) => /\bname=(\S*)/.exec(line)?.[1])
        .filter((name): name is string => name !== undefined && name !== 'test-admin')
        .sort();
    await infra.cache.set('key', 1, 10_000);
    await infra.rateLimiter.consume('ip', { limit: 5, windowMs: 60_000 });
    await infra.lock.withLock('sweep', 10_000, async () => undefined);
    await infra.queue('generation').add('generate', {});
    await infra.events.publish('job-updated', {});
    // A connection in subscriber mode takes no other command: the bus keeps one duplicate of the shared
    // connection for every topic.
    await infra.events.subscribe('a', () => undefined);
    await infra.events.subscribe('b', () => undefined);
    expect(await names()).toEqual(['atrium', 'atrium-events-sub']);
    // A worker blocks its connections while it waits for jobs: the documented exception (BullMQ opens and
    // names them); the shared connection stays the only command connection.
    infra.worker('generation', async () => undefined, { concurrency: 1 });
    await waitFor(async () => (await names()).length > 2, { message: 'the worker to connect' });
    expect((await names()).filter((name) => name.startsWith('atrium') && !name.includes(':bull:'))).toEqual([
      'atrium',
      'atrium-events-sub',
    ]);
  });

  test('warns at startup when Redis may evict keys (BullMQ needs noeviction)', async () => {
    const server = leftovers.add(await PrivateRedis.start(['--maxmemory-policy', 'allkeys-lru']), (it) =>
      it.kill(),
    );
    const { lines } = start(server.url);
    await waitFor(() =>
      warnings(lines).some((msg) => msg.includes('"allkeys-lru"') && msg.includes('noeviction')),
    );
    expect(lines.find((line) => line.level === WARN)).toMatchObject({ maxmemoryPolicy: 'allkeys-lru' });
  });

  test('works without a warning where CONFIG is forbidden, as on managed Redis', async () => {
    const server = leftovers.add(await PrivateRedis.start(['--rename-command', 'CONFIG', '']), (it) =>
      it.kill(),
    );
    const { infra, lines } = start(server.url);
    await infra.healthChecks[0]!.check();
    await waitFor(() => lines.some((line) => line.msg.includes('could not read maxmemory-policy')));
    expect(warnings(lines)).toEqual([]);
    await infra.cache.set('key', 1, 1000);
    expect(await infra.cache.get('key')).toBe(1);
  });

  test('with Redis down: fast failures where callers must know, a miss where they can fall through', async () => {
    const { infra } = start(CLOSED_PORT_URL);
    const startedAt = Date.now();
    await expect(infra.healthChecks[0]!.check()).rejects.toBeInstanceOf(RedisUnavailableError);
    expect(await infra.cache.get('key')).toBeUndefined();
    await expect(infra.rateLimiter.consume('ip', { limit: 1, windowMs: 1000 })).rejects.toBeInstanceOf(
      RateLimiterUnavailableError,
    );
    await expect(infra.queue('generation').add('generate', {})).rejects.toBeInstanceOf(QueueUnavailableError);
    await expect(infra.lock.acquire('sweep', 1000)).rejects.toBeInstanceOf(RedisUnavailableError);
    await expect(infra.events.publish('job-updated', {})).rejects.toBeInstanceOf(RedisUnavailableError);
    await infra.close();
    expect(Date.now() - startedAt).toBeLessThan(3000);
  });
});
