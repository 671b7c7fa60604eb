import type { AdmissionSettings } from './config';

export type RejectReason = 'queue_full' | 'queue_timeout' | 'event_loop_delay';

/** A granted slot; release it exactly once when the request is done (a second call does nothing). */
export type Release = () => void;

export type Admission = { admitted: true; release: Release } | { admitted: false; reason: RejectReason };

interface Waiter {
  grant: (release: Release) => void;
  timer: NodeJS.Timeout;
}

export interface AdmissionControllerOptions extends Omit<AdmissionSettings, 'retryAfterSeconds'> {
  /** The event loop's current delay, ms (see eventLoopDelayMonitor). Default: always 0. */
  eventLoopDelayMs?: () => number;
  /** Told about every change of the in-flight and queued counts, and every refusal. */
  onChange?: (state: { inFlight: number; queued: number }) => void;
  onReject?: (reason: RejectReason) => void;
}

/**
 * A concurrency limit with a bounded FIFO queue in front: a request runs when fewer than `maxConcurrent` run,
 * otherwise waits for a slot — unless the queue is full, or it waits longer than `queueTimeoutMs`, or the event
 * loop is already lagging beyond `maxEventLoopDelayMs` while at least an eighth of the slots are taken; then it is refused at once, so what cannot be served is
 * shed early and what is admitted keeps its latency, instead of everything queueing into timeouts.
 */
export class AdmissionController {
  private inFlight = 0;
  private readonly queue: Waiter[] = [];

  constructor(private readonly options: AdmissionControllerOptions) {}

  /**
   * Decides at once when it can: a slot (admitted), or a refusal (loop lagging, queue full). `undefined` means
   * the request has to wait: call `wait`.
   */
  tryAdmit(): Admission | undefined {
    const { maxConcurrent, maxQueue, maxEventLoopDelayMs } = this.options;
    // The lag counts only while the gateway is busy itself: a lone request is never refused because a GC pause
    // or another process slowed the loop.
    if (
      maxEventLoopDelayMs > 0 &&
      this.inFlight >= Math.ceil(maxConcurrent / 8) &&
      (this.options.eventLoopDelayMs?.() ?? 0) > maxEventLoopDelayMs
    )
      return this.reject('event_loop_delay');
    if (this.inFlight < maxConcurrent && this.queue.length === 0)
      return { admitted: true, release: this.take() };
    if (this.queue.length >= maxQueue) return this.reject('queue_full');
    return undefined;
  }

  /** Queues for a slot (FIFO); refused after `queueTimeoutMs`. `signal` withdraws the request (client gone). */
  wait(signal?: AbortSignal): Promise<Admission> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener('abort', withdraw);
          resolve({ admitted: true, release });
        },
        timer: setTimeout(() => {
          this.remove(waiter);
          signal?.removeEventListener('abort', withdraw);
          resolve(this.reject('queue_timeout'));
        }, this.options.queueTimeoutMs),
      };
      const withdraw = () => {
        clearTimeout(waiter.timer);
        this.remove(waiter);
        // Nobody reads the answer; the reason only ends the promise.
        resolve({ admitted: false, reason: 'queue_timeout' });
      };
      signal?.addEventListener('abort', withdraw, { once: true });
      this.queue.push(waiter);
      this.changed();
    });
  }

  /** `tryAdmit`, then `wait` if needed. */
  admit(signal?: AbortSignal): Promise<Admission> {
    return Promise.resolve(this.tryAdmit() ?? this.wait(signal));
  }

  get state(): { inFlight: number; queued: number } {
    return { inFlight: this.inFlight, queued: this.queue.length };
  }

  private take(): Release {
    this.inFlight++;
    this.changed();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.next();
    };
  }

  /** Hands freed slots to the oldest waiters. */
  private next(): void {
    while (this.inFlight < this.options.maxConcurrent && this.queue.length > 0) {
      const waiter = this.queue.shift()!;
      clearTimeout(waiter.timer);
      waiter.grant(this.take());
    }
    this.changed();
  }

  private remove(waiter: Waiter): void {
    const index = this.queue.indexOf(waiter);
    if (index >= 0) this.queue.splice(index, 1);
    this.changed();
  }

  private reject(reason: RejectReason): Admission {
    this.options.onReject?.(reason);
    return { admitted: false, reason };
  }

  private changed(): void {
    this.options.onChange?.(this.state);
  }
}
