import { setMaxListeners } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { silentLogger } from '../infrastructure/logger';
import { closeClient, describeError, RedisUnavailableError, type SharedRedis } from '../infrastructure/redis';
import type { EventBus } from './index';
import { DEFAULT_BUFFER_SIZE, TopicIterator, type EventIterator, type IterateOptions } from './iterator';
import {
  assertTopic,
  deliver,
  EventBusClosedError,
  once,
  serialize,
  serializeAll,
  type Subscription,
} from './shared';
import { withTimeout } from '../resilience/timing';

export interface RedisEventBusOptions {
  /**
   * The process's shared connection: publishes go through it. Subscribing needs a connection of its own (a
   * connection in subscriber mode takes no other command), so the bus duplicates this one once for every topic.
   */
  connection: SharedRedis;
  /** Prepended to every channel name, so deployments and tests sharing a Redis never hear each other. */
  keyPrefix: string;
  /** Connection problems and handler errors. Default: silent. */
  log?: Logger;
  /**
   * How long `subscribe` waits for Redis to confirm the subscription before it rejects with
   * `RedisUnavailableError` (the subscription is then dropped). Default 5000 ms.
   */
  subscribeTimeoutMs?: number;
  /** CLIENT SETNAME of the subscriber connection. Default `atrium-events-sub`. */
  connectionName?: string;
}

type Channel = { subscriptions: Set<Subscription>; confirmed: Promise<void> };

/**
 * Redis pub/sub. One subscriber connection carries every topic; channels are reference-counted, so the
 * thousandth subscriber of a topic costs no Redis command and the last one to leave unsubscribes. The
 * subscriber reconnects forever and ioredis re-subscribes every channel after a Redis restart (events
 * published while it was away are lost, as with any pub/sub).
 */
export class RedisEventBus implements EventBus {
  private readonly publisher: SharedRedis;
  private readonly subscriber: Redis;
  private readonly channels = new Map<string, Channel>();
  private readonly closed = new AbortController();
  private readonly log: Logger;
  private readonly subscribeTimeoutMs: number;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: RedisEventBusOptions) {
    this.log = options.log ?? silentLogger();
    this.subscribeTimeoutMs = options.subscribeTimeoutMs ?? 5000;
    const redis = options.connection;
    this.publisher = redis;
    // Subscriptions wait for a reconnect instead of failing; `subscribe` bounds that wait itself.
    this.subscriber = redis.duplicate({
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      autoResubscribe: true,
      connectionName: options.connectionName ?? 'atrium-events-sub',
    });
    this.watchSubscriber();
    setMaxListeners(0, this.closed.signal);
  }

  async publish<T>(topic: string, payload: T): Promise<void> {
    this.assertOpen();
    assertTopic(topic);
    const message = serialize(payload);
    await this.publisher.run((client) => client.publish(this.channelOf(topic), message));
  }

  async publishAll(messages: ReadonlyArray<{ topic: string; payload: unknown }>): Promise<void> {
    this.assertOpen();
    for (const { topic } of messages) assertTopic(topic);
    if (messages.length === 0) return;
    const serialized = serializeAll(messages);
    // One pipeline: one write to the socket for all of them, replies read together.
    const replies = await this.publisher.run((client) => {
      const pipeline = client.pipeline();
      for (const [topic, message] of serialized) pipeline.publish(this.channelOf(topic), message);
      return pipeline.exec();
    });
    const failed = replies?.find(([error]) => error);
    if (failed) throw failed[0];
  }

  async subscribe<T>(topic: string, handler: (payload: T) => void): Promise<() => Promise<void>> {
    this.assertOpen();
    assertTopic(topic);
    const name = this.channelOf(topic);
    let channel = this.channels.get(name);
    if (!channel) this.channels.set(name, (channel = this.openChannel(name)));
    const subscription: Subscription = { handler: handler as (payload: unknown) => void };
    channel.subscriptions.add(subscription);
    const unsubscribe = once(() => this.leave(name, channel, subscription));
    try {
      await withTimeout(channel.confirmed, this.subscribeTimeoutMs);
    } catch (error) {
      await unsubscribe();
      throw new RedisUnavailableError(`could not subscribe to topic ${topic}`, { cause: error });
    }
    return unsubscribe;
  }

  iterate<T>(topic: string, options: IterateOptions = {}): EventIterator<T> {
    this.assertOpen();
    assertTopic(topic);
    return new TopicIterator<T>(
      (handler) => this.subscribe(topic, handler),
      [options.signal, this.closed.signal],
      options.bufferSize ?? DEFAULT_BUFFER_SIZE,
    );
  }

  /** Live topics and handlers in this process: what a leak test counts. */
  stats(): { topics: number; handlers: number } {
    let handlers = 0;
    for (const channel of this.channels.values()) handlers += channel.subscriptions.size;
    return { topics: this.channels.size, handlers };
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed.abort();
    this.channels.clear();
    await closeClient(this.subscriber);
  }

  private openChannel(name: string): Channel {
    const confirmed = this.subscriber.subscribe(name).then(() => undefined);
    // A confirmation that arrives after the subscriber gave up (timeout, close) must not surface as unhandled.
    confirmed.catch(() => undefined);
    return { subscriptions: new Set(), confirmed };
  }

  private async leave(name: string, channel: Channel, subscription: Subscription): Promise<void> {
    channel.subscriptions.delete(subscription);
    if (channel.subscriptions.size > 0 || this.channels.get(name) !== channel) return;
    this.channels.delete(name);
    // Commands on one connection run in order, so a later SUBSCRIBE of the same channel still wins.
    const unsubscribed = this.subscriber.unsubscribe(name).then(
      () => undefined,
      (error: unknown) => this.log.debug({ err: describeError(error) }, 'UNSUBSCRIBE failed'),
    );
    // While Redis is away the command waits for the reconnect; the caller does not.
    await withTimeout(unsubscribed, 1000).catch(() => undefined);
  }

  private watchSubscriber(): void {
    let failing = false;
    this.subscriber.on('message', (name: string, message: string) => {
      const channel = this.channels.get(name);
      if (channel) deliver(channel.subscriptions, message, name.slice(this.channelOf('').length), this.log);
    });
    this.subscriber.on('error', (error: unknown) => {
      if (!failing) this.log.warn({ err: describeError(error) }, 'event bus subscriber connection error');
      failing = true;
    });
    this.subscriber.on('ready', () => {
      if (failing) this.log.info('event bus subscriber reconnected; channels re-subscribed');
      failing = false;
    });
  }

  private channelOf(topic: string): string {
    return `${this.options.keyPrefix}events:${topic}`;
  }

  private assertOpen(): void {
    if (this.closed.signal.aborted) throw new EventBusClosedError();
  }
}
