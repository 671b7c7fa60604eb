import type { Logger } from 'pino';

/** `publish`, `subscribe` or `iterate` was called after `close()`. */
export class EventBusClosedError extends Error {
  readonly code = 'EVENT_BUS_CLOSED';
  constructor() {
    super('the event bus is closed');
    this.name = 'EventBusClosedError';
  }
}

export type Handler = (payload: unknown) => void;
/** One subscription; wrapped so the same function subscribed twice counts (and unsubscribes) twice. */
export type Subscription = { handler: Handler };

export function assertTopic(topic: string): void {
  if (typeof topic !== 'string' || topic.length === 0)
    throw new TypeError('topic must be a non-empty string');
}

/** JSON text of a payload; `undefined` travels as `null` so both buses deliver the same value. */
export function serialize(payload: unknown): string {
  return JSON.stringify(payload) ?? 'null';
}

/** Calls every handler with one parsed payload; a throwing handler is logged and does not stop the others. */
export function deliver(
  subscriptions: Iterable<Subscription>,
  message: string,
  topic: string,
  log: Logger,
): void {
  let payload: unknown;
  try {
    payload = JSON.parse(message);
  } catch {
    log.warn({ topic }, 'dropped an event whose payload is not JSON');
    return;
  }
  for (const { handler } of [...subscriptions]) {
    try {
      handler(payload);
    } catch (error) {
      log.error({ topic, err: error }, 'event handler threw');
    }
  }
}

/** Runs `fn` once; later calls return the first call's promise. */
export function once(fn: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => (result ??= fn());
}

/** `[topic, JSON]` per message, in order; a payload object given more than once is serialised once. */
export function serializeAll(
  messages: ReadonlyArray<{ topic: string; payload: unknown }>,
): Array<[string, string]> {
  const cache = new Map<unknown, string>();
  return messages.map(({ topic, payload }) => {
    let message = cache.get(payload);
    if (message === undefined) cache.set(payload, (message = serialize(payload)));
    return [topic, message];
  });
}
