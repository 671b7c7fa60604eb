import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { silentLogger } from '../infrastructure/logger';
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

export interface MemoryEventBusOptions {
  /** Where handler errors are logged. Default: silent. */
  log?: Logger;
}

/**
 * In-process event bus for the embedded mode. It behaves like the Redis bus on purpose: payloads are copied
 * through JSON, and delivery is asynchronous (a microtask later), so no caller can come to rely on
 * synchronous delivery or on sharing object identity with subscribers.
 */
export class MemoryEventBus implements EventBus {
  private readonly topics = new Map<string, Set<Subscription>>();
  private readonly closed = new AbortController();
  private readonly log: Logger;

  constructor(options: MemoryEventBusOptions = {}) {
    this.log = options.log ?? silentLogger();
    // Every live iterator listens on this signal; there is no leak to warn about.
    setMaxListeners(0, this.closed.signal);
  }

  async publish<T>(topic: string, payload: T): Promise<void> {
    this.assertOpen();
    assertTopic(topic);
    const message = serialize(payload);
    // Handlers are looked up at delivery time, as on Redis: one that unsubscribed meanwhile gets nothing.
    queueMicrotask(() => {
      const subscriptions = this.topics.get(topic);
      if (subscriptions) deliver(subscriptions, message, topic, this.log);
    });
  }

  async publishAll(messages: ReadonlyArray<{ topic: string; payload: unknown }>): Promise<void> {
    this.assertOpen();
    for (const { topic } of messages) assertTopic(topic);
    for (const [topic, message] of serializeAll(messages))
      queueMicrotask(() => {
        const subscriptions = this.topics.get(topic);
        if (subscriptions) deliver(subscriptions, message, topic, this.log);
      });
  }

  async subscribe<T>(topic: string, handler: (payload: T) => void): Promise<() => Promise<void>> {
    this.assertOpen();
    assertTopic(topic);
    let subscriptions = this.topics.get(topic);
    if (!subscriptions) this.topics.set(topic, (subscriptions = new Set()));
    const subscription: Subscription = { handler: handler as (payload: unknown) => void };
    subscriptions.add(subscription);
    return once(async () => {
      subscriptions.delete(subscription);
      if (subscriptions.size === 0 && this.topics.get(topic) === subscriptions) this.topics.delete(topic);
    });
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

  /** Live topics and handlers: what a leak test counts. */
  stats(): { topics: number; handlers: number } {
    let handlers = 0;
    for (const subscriptions of this.topics.values()) handlers += subscriptions.size;
    return { topics: this.topics.size, handlers };
  }

  async close(): Promise<void> {
    this.closed.abort();
    this.topics.clear();
  }

  private assertOpen(): void {
    if (this.closed.signal.aborted) throw new EventBusClosedError();
  }
}
