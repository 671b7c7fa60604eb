import type { StopSignal } from './stop';

/** Wraps a rejection caused by the caller's signal or by dispose: no retry, no breaker failure, rethrown as is. */
export class Stopped {
  constructor(readonly reason: unknown) {}
}

/**
 * Exponential backoff with full jitter (a uniformly random wait up to the exponential ceiling), so clients that
 * failed together do not retry together. `failedAttempt` counts from 1.
 */
export function fullJitterDelay(
  failedAttempt: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (failedAttempt - 1));
  return Math.floor(random() * ceiling);
}

/** Stops every attempt registered in it at once (a policy's dispose), without a listener per attempt. */
export type RunningAttempts = Set<(reason: unknown) => void>;

/** What aborts one attempt and hands it its signal: an AbortController, or a Stop (which is its own signal). */
export interface AttemptController<S> {
  readonly signal: S;
  abort(reason: unknown): void;
}

/**
 * Runs one attempt of `fn` with its own controller: aborted (with the timeout error as reason) when the
 * timeout fires, when a stop signal aborts, or when `running`'s owner stops it. The attempt's promise settles at
 * that moment even if `fn` ignores its signal; whatever `fn` does afterwards is ignored.
 */
export function runAttempt<T, S>(
  fn: (signal: S) => Promise<T>,
  controller: AttemptController<S>,
  timeoutMs: number,
  timeoutError: () => Error,
  stops: readonly StopSignal[],
  running?: RunningAttempts,
): Promise<T> {
  const stopped = stops.find((stop) => stop.aborted);
  if (stopped) return Promise.reject(new Stopped(stopped.reason));
  return new Promise<T>((resolve, reject) => {
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      for (const stop of stops) stop.removeEventListener('abort', onStop);
      running?.delete(stopWith);
      settle();
    };
    const stopWith = (reason: unknown) => {
      controller.abort(reason);
      finish(() => reject(new Stopped(reason)));
    };
    // The stop that fired is the one aborted: an earlier abort would have rejected before listening.
    const onStop = () => stopWith(stops.find((stop) => stop.aborted)?.reason);
    const timer = setTimeout(() => {
      const error = timeoutError();
      controller.abort(error);
      finish(() => reject(error));
    }, timeoutMs);
    for (const stop of stops) stop.addEventListener('abort', onStop, { once: true });
    running?.add(stopWith);
    let work: Promise<T>;
    try {
      // Called here rather than in a microtask: its signal listeners are in place, and no extra promise is made.
      work = Promise.resolve(fn(controller.signal));
    } catch (error) {
      work = Promise.reject(error);
    }
    work.then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}

/** Waits `ms`, or rejects with Stopped as soon as a stop signal aborts (the timer is cleared either way). */
export function sleep(ms: number, stops: readonly StopSignal[]): Promise<void> {
  const stopped = stops.find((stop) => stop.aborted);
  if (stopped) return Promise.reject(new Stopped(stopped.reason));
  return new Promise<void>((resolve, reject) => {
    const onStop = () => {
      clearTimeout(timer);
      for (const stop of stops) stop.removeEventListener('abort', onStop);
      reject(new Stopped(stops.find((stop) => stop.aborted)?.reason));
    };
    const timer = setTimeout(() => {
      for (const stop of stops) stop.removeEventListener('abort', onStop);
      resolve();
    }, ms);
    for (const stop of stops) stop.addEventListener('abort', onStop, { once: true });
  });
}

/**
 * The outcome of `work` (a promise, or a function whose synchronous throw counts as a rejection), or a rejection
 * with `onTimeout()` (default: `Error('no answer within N ms')`) when it has not settled within `timeoutMs`. The
 * timer is cleared either way and never holds a stopping process open. `work` itself is not cancelled: for calls
 * that must be aborted use a policy (`createPolicy`), which passes an AbortSignal.
 */
export async function withTimeout<T>(
  work: Promise<T> | (() => Promise<T>),
  timeoutMs: number,
  onTimeout: () => Error = () => new Error(`no answer within ${timeoutMs} ms`),
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([typeof work === 'function' ? Promise.resolve().then(work) : work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
