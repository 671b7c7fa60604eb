import { nextFrame, nextFramePrefix } from './next-frame';
import type { DeliveredResult } from './rest-executor';

interface Queued {
  result: DeliveredResult;
  arrivedAt: bigint;
}

/** Where a queue writes its subscription's `next` frames itself (the client's socket). */
export interface FrameSink {
  /**
   * Hands `frame` to the socket and calls `written` once it was flushed. False when the socket is gone or was
   * terminated for not reading: nothing was written and `written` is never called.
   */
  send(frame: string, written: () => void): boolean;
}

/**
 * The events of one client subscription waiting for its socket, in order, at most `capacity` of them. When a
 * slow subscriber lets it fill up, `push` refuses the event and the owner resynchronises the subscriber (empty
 * queue, fresh upstream whose first event is a snapshot): memory per subscriber stays bounded and nothing is
 * silently skipped. The final result (a lifecycle error) is always accepted.
 *
 * It is read in one of two ways. As an async iterator (graphql-ws pulls each result after the previous one was
 * sent). Or, once `writeFramesTo` gave it a sink, it writes the `next` frames itself: one frame in flight at a
 * time, the next one when the socket flushed it, each built from the event's JSON serialized once for all its
 * subscribers (next-frame.ts) — no promise, closure or serialization per subscriber and event, which is what
 * a fan-out to thousands of subscribers costs. graphql-ws then only waits on the iterator for the end (done
 * comes after the last frame was flushed) and sends `complete`, so frames stay in order.
 */
export class SubscriberQueue implements AsyncIterableIterator<DeliveredResult> {
  private items: Queued[] = [];
  private waiting: ((result: IteratorResult<DeliveredResult>) => void) | undefined;
  private ended = false;
  private returned = false;
  private closed = false;
  private overflowedBefore = false;
  private readSinceOverflow = false;
  /** Set by `writeFramesTo`; frames are written from the first `next()` on (graphql-ws is iterating then). */
  private sink: FrameSink | undefined;
  private framePrefix = '';
  private writing = false;
  private inFlight = false;
  private readonly written = () => {
    this.inFlight = false;
    this.flush();
  };

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

  /**
   * From the first `next()` on, writes the `next` frames of subscription `id` to `sink` itself instead of
   * yielding them; the iterator then only ends (after the last frame was flushed).
   */
  writeFramesTo(sink: FrameSink, id: string): void {
    this.sink = sink;
    this.framePrefix = nextFramePrefix(id);
  }

  /** Queues an event; false when the queue is full (the caller resynchronises) or no longer accepting. */
  push(result: DeliveredResult, arrivedAt: bigint): boolean {
    if (!this.accepting) return false;
    if (this.writing) {
      if (!this.inFlight && this.items.length === 0) {
        this.write(result, arrivedAt);
        return true;
      }
    } else if (this.waiting) {
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
    if (this.writing) {
      this.flush();
    } else if (this.waiting && this.items.length === 0) {
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
    if (this.sink && !this.writing && !this.returned) {
      this.writing = true;
      return new Promise((resolve) => {
        this.waiting = resolve;
        this.flush();
      });
    }
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

  /** Frame mode: writes what is queued while nothing is in flight; ends the iterator once all is flushed. */
  private flush(): void {
    if (this.returned) return;
    while (!this.inFlight && this.items.length > 0) {
      const next = this.items.shift()!;
      this.write(next.result, next.arrivedAt);
    }
    if (this.ended && !this.inFlight && this.items.length === 0 && this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      this.close();
      resolve({ done: true, value: undefined });
    }
  }

  private write(result: DeliveredResult, arrivedAt: bigint): void {
    this.readSinceOverflow = true;
    this.hooks.onDelivered(secondsSince(arrivedAt));
    // A socket that is gone takes nothing: the rest is dropped as graphql-ws' own send would, and its close
    // returns this iterator.
    this.inFlight = true;
    if (!this.sink!.send(nextFrame(this.framePrefix, result), this.written)) this.inFlight = false;
  }
}

function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
