import type { AdmissionSettings } from './config';

export type RejectReason = 'queue_full' | 'queue_timeout' | 'event_loop_delay';

/** A granted slot; release it exactly once when the request is done (a second call does nothing). */
export type Release = () => void;

export type Admission = { admitted: true; release: Release } | { admitted: false; reason: RejectReason };

interface Waiter {
  grant: (release: Release) => void;
  timer: NodeJS.Timeout;
}

export interface AdmissionControllerOptions extends Omit<
  AdmissionSettings,
  'retryAfterSeconds' | 'minConcurrent' | 'latencyTargetMs'
> {
  /** Floor of the adaptive limit. Default: maxConcurrent (a fixed limit). */
  minConcurrent?: number;
  /** Median run time of admitted requests the limit adapts to, ms; 0 or absent: a fixed limit. */
  latencyTargetMs?: number;
  /** The clock run times are measured with, ms. Default performance.now. */
  now?: () => number;
  /** The event loop's current delay, ms (see eventLoopDelayMonitor). Default: always 0. */
  eventLoopDelayMs?: () => number;
  /** Told the new concurrency limit whenever it adapts. */
  onLimit?: (limit: number) => void;
  /** Told about every change of the in-flight and queued counts, and every refusal. */
  onChange?: (state: { inFlight: number; queued: number }) => void;
  onReject?: (reason: RejectReason) => void;
}

/** Completed requests per adaptation of the limit. */
export const LIMIT_WINDOW = 64;
/** A window's median this many times the recent level counts as latency that rose (see `observe`). */
export const RISE_TOLERANCE = 1.5;
/** Beyond this many times the target the limit is cut whatever the recent level: a floor against timeouts. */
export const CEILING_TARGETS = 4;
/** Weight of each window's median in the recent level (an average over about ten windows). */
const RECENT_WEIGHT = 0.1;

/**
 * A concurrency limit with a bounded FIFO queue in front: a request runs when fewer than `limit` run,
 * otherwise waits for a slot — unless the queue is full, or it waits longer than `queueTimeoutMs`, or the event
 * loop is already lagging beyond `maxEventLoopDelayMs` while at least an eighth of the slots are taken; then it is
 * refused at once, so what cannot be served is shed early and what is admitted keeps its latency, instead of
 * everything queueing into timeouts.
 *
 * With `latencyTargetMs`, the limit adapts (AIMD on the median run time of the last LIMIT_WINDOW admitted
 * requests): beyond the stack's capacity, more requests at once only make each slower (they share the same CPUs),
 * so while requests had to wait for a slot and the median is over the target and has risen (RISE_TOLERANCE times
 * its recent level, or beyond CEILING_TARGETS times the target) the limit shrinks by a fifth, down to
 * `minConcurrent`; while they had to wait and the median is within the target it grows by a tenth, up to
 * `maxConcurrent`. A limit nobody waited on is left alone, and so is one while the median stays at its level.
 */
export class AdmissionController {
  private inFlight = 0;
  private readonly queue: Waiter[] = [];
  private currentLimit: number;
  private readonly runTimes: number[] = [];
  /** The recent level of window medians (a moving average), ms; undefined before the first window. */
  private recentMs: number | undefined;
  /** Whether a request found every slot taken since the last adaptation. */
  private saturated = false;
  private readonly now: () => number;

  constructor(private readonly options: AdmissionControllerOptions) {
    this.currentLimit = options.maxConcurrent;
    this.now = options.now ?? (() => performance.now());
  }

  /** The concurrency limit in force (maxConcurrent unless it adapted). */
  get limit(): number {
    return this.currentLimit;
  }

  /**
   * Decides at once when it can: a slot (admitted), or a refusal (loop lagging, queue full). `undefined` means
   * the request has to wait: call `wait`.
   */
  tryAdmit(): Admission | undefined {
    const { maxQueue, maxEventLoopDelayMs } = this.options;
    const limit = this.currentLimit;
    // The lag counts only while the gateway is busy itself: a lone request is never refused because a GC pause
    // or another process slowed the loop.
    if (
      maxEventLoopDelayMs > 0 &&
      this.inFlight >= Math.ceil(limit / 8) &&
      (this.options.eventLoopDelayMs?.() ?? 0) > maxEventLoopDelayMs
    )
      return this.reject('event_loop_delay');
    if (this.inFlight < limit && this.queue.length === 0) return { admitted: true, release: this.take() };
    this.saturated = true;
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
    const started = this.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.observe(this.now() - started);
      this.next();
    };
  }

  /** One admitted request's run time; every LIMIT_WINDOW of them the limit adapts (see the class comment). */
  private observe(ms: number): void {
    const target = this.options.latencyTargetMs ?? 0;
    if (target <= 0) return;
    this.runTimes.push(ms);
    if (this.runTimes.length < LIMIT_WINDOW) return;
    const median = this.runTimes.sort((a, b) => a - b)[LIMIT_WINDOW >> 1]!;
    this.runTimes.length = 0;
    const { maxConcurrent } = this.options;
    const minConcurrent = Math.min(this.options.minConcurrent ?? maxConcurrent, maxConcurrent);
    const before = this.currentLimit;
    const recent = this.recentMs ?? median;
    this.recentMs = recent + RECENT_WEIGHT * (median - recent);
    // Only a limit that was binding is cut: while no request had to wait for a slot, concurrency is not what
    // makes requests slow (a slow operation such as a sign-in's password hash, or another process on the
    // machine), and cutting the limit then would only shed the next burst of a lightly loaded gateway.
    // Nor is it cut while the median holds its recent level: users who think between requests keep as many of
    // them in flight as the rate times the latency, whatever makes them slow; a cut that cannot make them faster
    // (a busy neighbour, a steady share of slow operations) only sheds, down to the floor, with CPU to spare.
    // Beyond the stack's capacity the median keeps rising as requests share the CPUs, and that is cut.
    const rose = median > RISE_TOLERANCE * recent || median > CEILING_TARGETS * target;
    if (this.saturated && median > target) {
      if (rose) this.currentLimit = Math.max(minConcurrent, Math.floor(before * 0.8));
    } else if (this.saturated)
      this.currentLimit = Math.min(maxConcurrent, before + Math.max(1, Math.floor(before / 10)));
    this.saturated = false;
    if (this.currentLimit !== before) this.options.onLimit?.(this.currentLimit);
  }

  /** Hands freed slots to the oldest waiters. */
  private next(): void {
    while (this.inFlight < this.currentLimit && this.queue.length > 0) {
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
