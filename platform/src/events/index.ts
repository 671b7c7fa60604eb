import type { EventIterator, IterateOptions } from './iterator';

/**
 * Topic-based pub/sub between processes (Redis) or inside one process (memory). Payloads travel as JSON in
 * both implementations, so a subscriber sees the same plain data whichever mode runs (a `Date` arrives as a
 * string). Delivery is at-most-once: an event published while a subscriber is not subscribed, or while Redis
 * is unreachable, is lost; consumers that must not miss state re-read it (snapshot first, then changes).
 */
export interface EventBus {
  /** Sends `payload` to every current subscriber of `topic`. Rejects when the store is unreachable. */
  publish<T>(topic: string, payload: T): Promise<void>;
  /**
   * Sends each message as `publish` would, in the order given, in one round trip to the store; a payload
   * given for several topics is serialised once. Rejects when the store is unreachable or refuses one.
   */
  publishAll(messages: ReadonlyArray<{ topic: string; payload: unknown }>): Promise<void>;
  /**
   * Calls `handler` for every event on `topic` until the returned function is called. Resolves once the
   * subscription is active, so events published after that are delivered. A throwing handler is logged and
   * does not affect other handlers.
   */
  subscribe<T>(topic: string, handler: (payload: T) => void): Promise<() => Promise<void>>;
  /** The events of `topic` as an async iterator; see `IterateOptions` and `EventIterator`. */
  iterate<T>(topic: string, options?: IterateOptions): EventIterator<T>;
  /** Ends every iterator, drops every subscription and closes the connections the bus owns. Idempotent. */
  close(): Promise<void>;
}

export {
  type IterateOptions,
  type EventIterator,
  EventBufferOverflowError,
  DEFAULT_BUFFER_SIZE,
} from './iterator';
export { EventBusClosedError } from './shared';
export { MemoryEventBus, type MemoryEventBusOptions } from './memory';
export { RedisEventBus, type RedisEventBusOptions } from './redis';
