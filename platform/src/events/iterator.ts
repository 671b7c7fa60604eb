export interface IterateOptions {
  /** Aborting it ends the iterator (`done`, no error) and drops its subscription. */
  signal?: AbortSignal;
  /**
   * Events held for a consumer slower than the publishers. When one more arrives while it is full, the
   * iterator ends with `EventBufferOverflowError` and the buffered events are discarded: a consumer that fell
   * behind must re-read the current state (snapshot first) rather than silently miss events. Default 1000.
   */
  bufferSize?: number;
}

/** An async iterator over one topic. It ends on abort, on `return()` (a `for await` break) or on bus close. */
export interface EventIterator<T> extends AsyncIterableIterator<T> {
  /**
   * Resolves once the subscription is active (events published after it are delivered) or has failed (the
   * failure is then thrown by the next `next()`). Never rejects.
   */
  readonly ready: Promise<void>;
  /** Ends the iterator; resolves once its subscription is dropped. */
  return(): Promise<IteratorResult<T>>;
}

/** A consumer fell more than `bufferSize` events behind its topic. */
export class EventBufferOverflowError extends Error {
  readonly code = 'EVENT_BUFFER_OVERFLOW';
  constructor(readonly bufferSize: number) {
    super(`event consumer fell more than ${bufferSize} events behind; its iterator was ended`);
    this.name = 'EventBufferOverflowError';
  }
}

export const DEFAULT_BUFFER_SIZE = 1000;

type Subscribe<T> = (handler: (payload: T) => void) => Promise<() => Promise<void>>;
type Waiter<T> = { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void };

/** Turns a push subscription into a pull iterator with a bounded buffer. Shared by both event buses. */
export class TopicIterator<T> implements EventIterator<T> {
  readonly ready: Promise<void>;
  private readonly buffer: T[] = [];
  private readonly waiters: Waiter<T>[] = [];
  private readonly signals: AbortSignal[];
  private failure: { error: unknown } | undefined;
  private ended = false;
  private unsubscribe: (() => Promise<void>) | undefined;
  private released: Promise<void> | undefined;
  private readonly onAbort = (): void => this.end();

  constructor(
    subscribe: Subscribe<T>,
    signals: Array<AbortSignal | undefined>,
    private readonly bufferSize: number,
  ) {
    if (!Number.isInteger(bufferSize) || bufferSize < 1)
      throw new RangeError('bufferSize must be a positive integer');
    this.signals = signals.filter((signal): signal is AbortSignal => signal !== undefined);
    if (this.signals.some((signal) => signal.aborted)) {
      this.ended = true;
      this.ready = Promise.resolve();
      return;
    }
    for (const signal of this.signals) signal.addEventListener('abort', this.onAbort, { once: true });
    this.ready = subscribe((payload) => this.push(payload)).then(
      (unsubscribe) => {
        this.unsubscribe = unsubscribe;
        if (this.ended) this.release();
      },
      (error: unknown) => this.end({ error }),
    );
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer.length > 0) return Promise.resolve({ value: this.buffer.shift() as T, done: false });
    if (this.failure) {
      const { error } = this.failure;
      this.failure = undefined;
      return Promise.reject(error);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Ends the iterator and resolves once its subscription is dropped. */
  async return(): Promise<IteratorResult<T>> {
    this.end();
    await this.ready;
    await this.released;
    return { value: undefined, done: true };
  }

  private push(payload: T): void {
    if (this.ended) return;
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve({ value: payload, done: false });
    else if (this.buffer.length >= this.bufferSize)
      this.end({ error: new EventBufferOverflowError(this.bufferSize) });
    else this.buffer.push(payload);
  }

  private end(failure?: { error: unknown }): void {
    if (this.ended) return;
    this.ended = true;
    this.buffer.length = 0;
    for (const signal of this.signals) signal.removeEventListener('abort', this.onAbort);
    const waiters = this.waiters.splice(0);
    const first = waiters.shift();
    if (first && failure) first.reject(failure.error);
    else if (first) first.resolve({ value: undefined, done: true });
    else this.failure = failure;
    for (const waiter of waiters) waiter.resolve({ value: undefined, done: true });
    this.release();
  }

  private release(): void {
    if (!this.unsubscribe || this.released) return;
    this.released = this.unsubscribe().catch(() => undefined);
  }
}
