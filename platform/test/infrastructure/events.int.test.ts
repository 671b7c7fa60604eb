import { getEventListeners } from 'node:events';
import { Redis } from 'ioredis';
import {
  EventBufferOverflowError,
  EventBusClosedError,
  MemoryEventBus,
  RedisEventBus,
  type EventBus,
} from '../../src/events';
import { RedisUnavailableError } from '../../src/infrastructure/redis';
import { describeWithRedis, Leftovers, randomRedisPrefix, testServices } from '../../src/testing';
import { PrivateRedis, sleep, waitFor, onConnection } from './helpers';

type Bus = EventBus & { stats(): { topics: number; handlers: number } };

/** What every EventBus must do, whichever store carries it. */
function eventBusContract(makeBus: (keyPrefix: string) => Bus): void {
  const leftovers = new Leftovers();
  let bus: Bus;

  beforeEach(() => {
    bus = leftovers.add(makeBus(randomRedisPrefix('events')), (it) => it.close());
  });
  afterEach(() => leftovers.dispose());

  test('fans each event out to every subscriber of its topic, in order, as JSON', async () => {
    const first: unknown[] = [];
    const second: unknown[] = [];
    const other: unknown[] = [];
    await bus.subscribe('job:1', (payload) => first.push(payload));
    await bus.subscribe('job:1', (payload) => second.push(payload));
    await bus.subscribe('job:2', (payload) => other.push(payload));

    await bus.publish('job:1', { seq: 1, at: new Date(0) });
    await bus.publish('job:1', { seq: 2 });
    await waitFor(() => first.length === 2 && second.length === 2);

    const expected = [{ seq: 1, at: '1970-01-01T00:00:00.000Z' }, { seq: 2 }];
    expect(first).toEqual(expected);
    expect(second).toEqual(expected);
    expect(other).toEqual([]);
  });

  test('publishAll delivers every message to its topic, in the order given', async () => {
    const first: unknown[] = [];
    const other: unknown[] = [];
    await bus.subscribe('job:1', (payload) => first.push(payload));
    await bus.subscribe('job:2', (payload) => other.push(payload));
    const shared = { seq: 2, at: new Date(0) };

    await bus.publishAll([
      { topic: 'job:1', payload: { seq: 1 } },
      { topic: 'job:2', payload: shared },
      { topic: 'job:1', payload: shared },
      { topic: 'job:1', payload: { seq: 3 } },
    ]);
    await waitFor(() => first.length === 3 && other.length === 1);

    expect(first).toEqual([{ seq: 1 }, { seq: 2, at: '1970-01-01T00:00:00.000Z' }, { seq: 3 }]);
    expect(other).toEqual([{ seq: 2, at: '1970-01-01T00:00:00.000Z' }]);
  });

  test('unsubscribe stops delivery to that handler only, and can be called twice', async () => {
    const left: unknown[] = [];
    const stayed: unknown[] = [];
    const unsubscribe = await bus.subscribe('topic', (payload) => left.push(payload));
    await bus.subscribe('topic', (payload) => stayed.push(payload));
    await unsubscribe();
    await unsubscribe();

    await bus.publish('topic', 'after');
    await waitFor(() => stayed.length === 1);
    await sleep(20);
    expect(left).toEqual([]);
    expect(bus.stats()).toEqual({ topics: 1, handlers: 1 });
  });

  test('a throwing handler does not keep the event from the others', async () => {
    const received: unknown[] = [];
    await bus.subscribe('topic', () => {
      throw new Error('handler bug');
    });
    await bus.subscribe('topic', (payload) => received.push(payload));
    await bus.publish('topic', 1);
    await waitFor(() => received.length === 1);
  });

  test('iterate yields events until its signal aborts, then ends and unsubscribes', async () => {
    const controller = new AbortController();
    const events = bus.iterate<number>('stream', { signal: controller.signal });
    await events.ready;
    await bus.publish('stream', 1);
    await bus.publish('stream', 2);
    expect(await events.next()).toEqual({ value: 1, done: false });
    expect(await events.next()).toEqual({ value: 2, done: false });

    const pending = events.next();
    controller.abort();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(await events.next()).toEqual({ value: undefined, done: true });
    await waitFor(() => bus.stats().topics === 0, { message: 'the subscription to be dropped' });
  });

  test('100 iterate + return cycles leave no subscription and no abort listener behind', async () => {
    const controller = new AbortController();
    for (let cycle = 0; cycle < 100; cycle++) {
      const events = bus.iterate<number>('churn', { signal: controller.signal });
      await events.ready;
      await bus.publish('churn', cycle);
      // Receiving proves this iterator was subscribed before it was returned.
      expect(await events.next()).toEqual({ value: cycle, done: false });
      await events.return();
    }
    expect(bus.stats()).toEqual({ topics: 0, handlers: 0 });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  test('a consumer more than bufferSize events behind ends with EventBufferOverflowError', async () => {
    const events = bus.iterate<number>('firehose', { bufferSize: 5 });
    await events.ready;
    let delivered = 0;
    await bus.subscribe('firehose', () => delivered++);
    for (let n = 0; n < 10; n++) await bus.publish('firehose', n);
    await waitFor(() => delivered === 10);

    await expect(events.next()).rejects.toBeInstanceOf(EventBufferOverflowError);
    expect(await events.next()).toEqual({ value: undefined, done: true });
    await waitFor(() => bus.stats().handlers === 1, { message: 'the overflowed iterator to unsubscribe' });
  });

  test('a consumer within bufferSize gets every buffered event in order', async () => {
    const events = bus.iterate<number>('burst', { bufferSize: 5 });
    await events.ready;
    for (let n = 0; n < 5; n++) await bus.publish('burst', n);
    const received: number[] = [];
    for await (const value of events) if (received.push(value) === 5) break;
    expect(received).toEqual([0, 1, 2, 3, 4]);
  });

  test('close ends live iterators and refuses later use', async () => {
    const events = bus.iterate<number>('closing');
    await events.ready;
    const pending = events.next();
    await bus.close();
    expect(await pending).toEqual({ value: undefined, done: true });
    await expect(bus.publish('closing', 1)).rejects.toBeInstanceOf(EventBusClosedError);
    await expect(bus.subscribe('closing', () => undefined)).rejects.toBeInstanceOf(EventBusClosedError);
    await bus.close();
  });
}

describe('EventBus contract: memory', () => {
  eventBusContract(() => new MemoryEventBus());
});

describeWithRedis('EventBus contract: redis', () => {
  eventBusContract((keyPrefix) =>
    onConnection(testServices.redisUrl!, (connection) => new RedisEventBus({ connection, keyPrefix })),
  );
});

describeWithRedis('RedisEventBus', () => {
  const leftovers = new Leftovers();
  afterEach(() => leftovers.dispose());

  const admin = (): Redis =>
    leftovers.add(new Redis(testServices.redisUrl!), (client) => client.disconnect());

  test('carries every topic on one subscriber connection, one Redis subscription per channel', async () => {
    const keyPrefix = randomRedisPrefix('events');
    const connectionName = `sub-${keyPrefix.split(':')[2]}`;
    const bus = leftovers.add(
      onConnection(
        testServices.redisUrl!,
        (connection) => new RedisEventBus({ connection, keyPrefix, connectionName }),
      ),
      (it) => it.close(),
    );
    const channel = (topic: string): string => `${keyPrefix}events:${topic}`;
    const topics = Array.from({ length: 20 }, (_, n) => `topic-${n}`);
    const unsubscribes: Array<() => Promise<void>> = [];
    for (const topic of topics) {
      unsubscribes.push(await bus.subscribe(topic, () => undefined));
      await bus.subscribe(topic, () => undefined);
    }
    const redis = admin();
    const clients = (await redis.client('LIST')) as string;
    expect(clients.split('\n').filter((line) => line.includes(`name=${connectionName} `))).toHaveLength(1);
    const numsub = async (): Promise<unknown[]> =>
      ((await redis.pubsub('NUMSUB', ...topics.map(channel))) as unknown[]).filter(
        (_, index) => index % 2 === 1,
      );
    expect(await numsub()).toEqual(topics.map(() => 1));

    // One of two local handlers leaving keeps the channel; the subscriber connection is still alone.
    await unsubscribes[0]?.();
    expect((await numsub())[0]).toBe(1);
    await bus.close();
    await waitFor(async () => ((await redis.pubsub('CHANNELS', `${keyPrefix}*`)) as unknown[]).length === 0);
  });

  test('survives a Redis restart: the subscriber reconnects and re-subscribes', async () => {
    const server = leftovers.add(await PrivateRedis.start(), (it) => it.kill());
    const bus = leftovers.add(
      onConnection(
        server.url,
        (connection) => new RedisEventBus({ connection, keyPrefix: randomRedisPrefix('restart') }),
      ),
      (it) => it.close(),
    );
    const events = bus.iterate<string>('job');
    await events.ready;
    await bus.publish('job', 'before');
    expect(await events.next()).toEqual({ value: 'before', done: false });

    await server.kill();
    await sleep(50); // lets the client see the socket close, as it would between two requests
    await expect(bus.publish('job', 'lost')).rejects.toBeInstanceOf(RedisUnavailableError);
    await server.start();

    // Publish until one arrives: the publisher and the subscriber reconnect on their own schedules.
    const next = events.next();
    let arrived = false;
    void next.then(() => (arrived = true));
    await waitFor(
      async () =>
        arrived ||
        (await bus.publish('job', 'after').then(
          () => false,
          () => false,
        )),
      {
        timeoutMs: 8000,
        intervalMs: 100,
        message: 'an event after the restart',
      },
    );
    expect(await next).toEqual({ value: 'after', done: false });
  });
});
