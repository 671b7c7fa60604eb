import { MemoryCache } from '../../src/cache';
import { MemoryEventBus } from '../../src/events';
import { TopicIterator } from '../../src/events/iterator';
import { MemoryLock } from '../../src/lock';
import { MemoryQueueProvider } from '../../src/queue';
import { backoffDelay } from '../../src/queue/options';
import { MemoryRateLimiter } from '../../src/rate-limit';
import { Leftovers } from '../../src/testing';
import { sleep, waitFor } from './helpers';

describe('MemoryCache', () => {
  test('evicts the least recently used entry past maxEntries', async () => {
    const cache = new MemoryCache({ maxEntries: 2 });
    await cache.set('a', 1, 10_000);
    await cache.set('b', 2, 10_000);
    await cache.get('a');
    await cache.set('c', 3, 10_000);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe(1);
    expect(await cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  test('drops an expired entry when it is read', async () => {
    const cache = new MemoryCache();
    await cache.set('a', 1, 20);
    await sleep(30);
    expect(await cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});

describe('MemoryRateLimiter', () => {
  test('keeps at most maxKeys keys, so rotating keys cannot grow memory', async () => {
    const limiter = new MemoryRateLimiter({ maxKeys: 10 });
    for (let n = 0; n < 100; n++) await limiter.consume(`ip:${n}`, { limit: 5, windowMs: 60_000 });
    expect(limiter.size).toBeLessThanOrEqual(10);
  });
});

describe('MemoryLock', () => {
  test('forgets a released lock', async () => {
    const lock = new MemoryLock();
    await lock.withLock('a', 1000, async () => undefined);
    expect(lock.size).toBe(0);
  });
});

describe('MemoryEventBus', () => {
  test('delivers asynchronously, never inside publish()', async () => {
    const bus = new MemoryEventBus();
    const received: unknown[] = [];
    await bus.subscribe('topic', (payload) => received.push(payload));
    const publishing = bus.publish('topic', 1);
    expect(received).toEqual([]);
    await publishing;
    await waitFor(() => received.length === 1);
    await bus.close();
  });
});

describe('TopicIterator', () => {
  test('an already-aborted signal ends it without subscribing', async () => {
    let subscribed = false;
    const iterator = new TopicIterator(
      async () => ((subscribed = true), async () => undefined),
      [AbortSignal.abort()],
      10,
    );
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    expect(subscribed).toBe(false);
  });

  test('return() before the subscription is confirmed still unsubscribes once it is', async () => {
    let confirm: () => void = () => undefined;
    let unsubscribed = 0;
    const iterator = new TopicIterator(
      () =>
        new Promise<() => Promise<void>>((resolve) => {
          confirm = () => resolve(async () => void unsubscribed++);
        }),
      [],
      10,
    );
    const returned = iterator.return();
    confirm();
    await returned;
    expect(unsubscribed).toBe(1);
  });

  test('a failed subscription surfaces from next(), then the iterator is done', async () => {
    const iterator = new TopicIterator(() => Promise.reject(new Error('no Redis')), [], 10);
    await iterator.ready;
    await expect(iterator.next()).rejects.toThrow('no Redis');
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });
});

describe('MemoryQueueProvider', () => {
  const leftovers = new Leftovers();
  afterEach(() => leftovers.dispose());

  test('hands out one queue per name, and a fresh one after close', async () => {
    const provider = leftovers.add(new MemoryQueueProvider(), (it) => it.close());
    const queue = provider.queue('a');
    expect(provider.queue('a')).toBe(queue);
    await queue.close();
    expect(provider.queue('a')).not.toBe(queue);
  });

  test('workers on the same name share the queue; a closed provider refuses new ones', async () => {
    const provider = new MemoryQueueProvider();
    const ran: string[] = [];
    provider.worker('shared', async () => void ran.push('first'), { concurrency: 1 });
    provider.worker('shared', async () => void ran.push('second'), { concurrency: 1 });
    for (let n = 0; n < 4; n++) await provider.queue('shared').add('job', { n });
    await waitFor(() => ran.length === 4);
    await provider.close();
    expect(() => provider.queue('shared')).toThrow('closed');
    expect(() => provider.worker('shared', async () => undefined, { concurrency: 0 })).toThrow();
  });

  test('backoff doubles after each failure, as BullMQ computes it', () => {
    expect([1, 2, 3, 4].map((attemptsMade) => backoffDelay(100, attemptsMade))).toEqual([100, 200, 400, 800]);
  });
});
