import type { DeliveredResult } from './rest-executor';

interface Queued {
  result: DeliveredResult;
  arrivedAt: bigint;
}

/**
 * The events of one client subscription waiting for its socket, in order, at most `capacity` of them. When a
 * slow subscriber lets it fill up, `push` refuses the event and the owner resynchronises the subscriber (empty
 * queue, fresh upstream whose first event is a snapshot): memory per subscriber stays bounded and nothing is
 * silently skipped. The final result (a lifecycle error) is always accepted.
 */
export class SubscriberQueue implements AsyncIterableIterator<DeliveredResult> {
  private items: Queued[] = [];
  private waiting: ((result: IteratorResult<DeliveredResult>) => void) | undefined;
  private ended = false;
  private returned = false;
  private closed = false;
  private overflowedBefore = false;
  private readSinceOverflow = false;

  constructor(
    private readonly capacity: number,
    private readonly hooks: {
      /** The client (or graphql-ws on its behalf) stopped the subscription. */
      onReturn: () => void;
      /** Called once, when the subscription is over for the client (returned, or ended and drained). */
      onClosed: () => void;
      /** An event was handed to the socket, `seconds` after it reached the gateway. */
      onDelivered: (seconds: number) => void;
      /** The queue overflowed and was emptied: the owner moves the subscriber to a fresh stream. */
      onOverflow: () => void;
      /**
       * It overflowed again before its client read a single event since the last time: the client is not
       * reading, and resynchronising it would only churn upstreams. The owner ends it.
       */
      onStuck: () => void;
    },
  ) {}

  /** Events waiting for the socket now (at most `capacity`, plus a final lifecycle error). */
  get size(): number {
    return this.items.length;
  }

  /** Whether it still takes events (not ended by the server, not returned by the client). */
  get accepting(): boolean {
    return !this.ended && !this.returned;
  }

  /** Queues an event; false when the queue is full (the caller resynchronises) or no longer accepting. */
  push(result: DeliveredResult, arrivedAt: bigint): boolean {
    if (!this.accepting) return false;
    if (this.waiting) {
      this.handOver(result, arrivedAt);
      return true;
    }
    if (this.items.length >= this.capacity) return false;
    this.items.push({ result, arrivedAt });
    return true;
  }

  /** Drops what is queued and lets the owner resynchronise the subscriber from a fresh snapshot. */
  overflowed(): void {
    this.items = [];
    const stuck = this.overflowedBefore && !this.readSinceOverflow;
    this.overflowedBefore = true;
    this.readSinceOverflow = false;
    if (stuck) this.hooks.onStuck();
    else this.hooks.onOverflow();
  }

  /** Ends the subscription after what is queued, with `final` as its last result if given. */
  end(final?: DeliveredResult): void {
    if (this.ended || this.returned) return;
    if (final) this.items.push({ result: final, arrivedAt: process.hrtime.bigint() });
    this.ended = true;
    if (this.waiting && this.items.length === 0) {
      const resolve = this.waiting;
      this.waiting = undefined;
      this.close();
      resolve({ done: true, value: undefined });
    } else if (this.waiting) {
      const next = this.items.shift()!;
      this.handOver(next.result, next.arrivedAt);
    }
  }

  next(): Promise<IteratorResult<DeliveredResult>> {
    const next = this.items.shift();
    if (next) {
      this.readSinceOverflow = true;
      this.hooks.onDelivered(secondsSince(next.arrivedAt));
      return Promise.resolve({ done: false, value: next.result });
    }
    if (this.ended || this.returned) {
      this.close();
      return Promise.resolve({ done: true, value: undefined });
    }
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<DeliveredResult>> {
    if (!this.returned) {
      this.returned = true;
      this.items = [];
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve?.({ done: true, value: undefined });
      if (!this.ended) this.hooks.onReturn();
      this.close();
    }
    return Promise.resolve({ done: true, value: undefined });
  }

  throw(): Promise<IteratorResult<DeliveredResult>> {
    return this.return();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<DeliveredResult> {
    return this;
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.hooks.onClosed();
  }

  private handOver(result: DeliveredResult, arrivedAt: bigint): void {
    const resolve = this.waiting!;
    this.waiting = undefined;
    this.readSinceOverflow = true;
    this.hooks.onDelivered(secondsSince(arrivedAt));
    resolve({ done: false, value: result });
  }
}

function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
