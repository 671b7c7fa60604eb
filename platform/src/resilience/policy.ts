import { setMaxListeners } from 'node:events';
import { CircuitOpenError, PolicyDisposedError, PolicyTimeoutError } from './errors';
import { CircuitState } from './circuit-state';
import { BreakerRejection, CountBreaker } from './mollitia';
import { Stop, type StopSignal } from './stop';
import {
  fullJitterDelay,
  runAttempt,
  sleep,
  Stopped,
  type AttemptController,
  type RunningAttempts,
} from './timing';

export { CircuitState };

export interface RetryOptions {
  /** Total attempts, the first call included (1 = never retry). */
  attempts: number;
  /** Ceiling of the first backoff; each later ceiling doubles. The actual wait is random below it (full jitter). */
  baseDelayMs: number;
  /** Upper bound of any backoff ceiling. */
  maxDelayMs: number;
  /**
   * Whether a failed attempt may be retried. Receives the attempt's error, PolicyTimeoutError included (its
   * `retryable` flag is true); CircuitOpenError and the caller's own abort are never retried, whatever this says.
   */
  isRetryable: (error: unknown) => boolean;
  /** Source of the jitter, in [0, 1). Default Math.random; tests pass a fixed one. */
  random?: () => number;
}

export interface BreakerOptions {
  /** How many of the latest calls the failure rate is computed over. */
  slidingWindowSize: number;
  /** No verdict before this many calls in the window. */
  minimumNumberOfCalls: number;
  /** Failure (and slow-call) rate in percent, 1–99, at or above which the breaker opens. */
  failureRateThreshold: number;
  /** How long an open breaker rejects every call before letting probes through (HALF_OPEN). */
  openStateDelayMs: number;
  /** Probes let through while HALF_OPEN; all must be judged before it closes (rate below threshold) or re-opens. */
  permittedNumberOfCallsInHalfOpenState: number;
  /** A call slower than this counts like a failure. Default: slowness is not counted (timeouts still are). */
  slowCallDurationThresholdMs?: number;
  /**
   * Whether an error says the dependency is unhealthy. Default: every error. Return false for errors that are
   * the caller's fault (HTTP 4xx, validation): they then count as successes. Timeouts always count.
   */
  isFailure?: (error: unknown) => boolean;
}

export interface PolicyOptions {
  /** Unique per process (one breaker per dependency), used in errors, logs and metrics. */
  name: string;
  /** Limit of each attempt; on expiry the attempt's signal aborts and the attempt fails with PolicyTimeoutError. */
  timeoutMs: number;
  /** Retries with backoff. Default: none. */
  retry?: RetryOptions;
  /** Circuit breaker. Default: none (every call runs). */
  breaker?: BreakerOptions;
}

export interface PolicyState {
  state: CircuitState;
  /** Percent of failed calls in the window, or null before enough calls (always CLOSED without a breaker). */
  failureRate: number | null;
  /** When the breaker last opened, while it is OPEN or HALF_OPEN; null when CLOSED. */
  openedAt: Date | null;
}

export interface StateChange {
  policy: string;
  from: CircuitState;
  to: CircuitState;
  at: Date;
}

export interface ExecuteOptions {
  /**
   * The caller's cancellation: aborts the running attempt and any backoff wait; rejects with its reason. An
   * AbortSignal, or a cheaper `Stop`.
   */
  signal?: StopSignal;
  /** false for non-idempotent work (a POST that may have been applied): never retried, even on timeout. */
  retry?: boolean;
}

export interface Policy {
  readonly name: string;
  /**
   * Runs `fn` under the policy. `fn` must stop when its signal aborts (pass it to fetch). Rejects with `fn`'s last
   * error, PolicyTimeoutError, CircuitOpenError (without calling `fn`), the caller's abort reason, or
   * PolicyDisposedError.
   */
  execute<T>(fn: (signal: AbortSignal) => Promise<T>, options?: ExecuteOptions): Promise<T>;
  /**
   * `execute` for work whose cancellation stays in this process (it never passes its signal to fetch or a
   * stream): each attempt gets a `Stop` rather than an AbortSignal, which Node takes microseconds to build.
   */
  executeWithStop<T>(fn: (stop: StopSignal) => Promise<T>, options?: ExecuteOptions): Promise<T>;
  state(): PolicyState;
  /** Calls `listener` on each breaker transition; returns the unsubscribe function. */
  onStateChange(listener: (change: StateChange) => void): () => void;
  /** Aborts running attempts and backoff waits, clears every timer; later calls reject. Idempotent. */
  dispose(): void;
}

/** Builds one policy. Prefer PolicyRegistry, which keeps one per name so all callers share its breaker. */
export function createPolicy(options: PolicyOptions): Policy {
  validate(options);
  const { name, timeoutMs, retry } = options;
  const breaker = options.breaker && createBreaker(name, options.breaker);
  const lifetime = new AbortController();
  // Backoff waits listen on it: a shared policy under load has more than the default 10 listeners.
  setMaxListeners(0, lifetime.signal);
  // Running attempts are stopped by dispose through this set rather than each listening on `lifetime`: an
  // EventTarget finds a listener to remove by walking all of them, and a busy policy has hundreds.
  const running: RunningAttempts = new Set();

  // Plain promise chains rather than async functions: a subgraph call goes through here on every fetch, and
  // each async frame is one more promise and microtask per call.
  function attempt<T, S>(
    fn: (signal: S) => Promise<T>,
    control: () => AttemptController<S>,
    signal?: StopSignal,
  ): Promise<T> {
    if (lifetime.signal.aborted) return Promise.reject(new Stopped(lifetime.signal.reason));
    const stops = signal ? [signal] : NO_STOPS;
    const run = () =>
      runAttempt(fn, control(), timeoutMs, () => new PolicyTimeoutError(name, timeoutMs), stops, running);
    if (!breaker) return run();
    return breaker.run(run).catch((error: unknown) => {
      throw error instanceof BreakerRejection ? new CircuitOpenError(name, breaker.remainingOpenMs) : error;
    });
  }

  async function retrying<T, S>(
    fn: (signal: S) => Promise<T>,
    control: () => AttemptController<S>,
    signal: StopSignal | undefined,
    attempts: number,
    firstError: unknown,
  ): Promise<T> {
    let error = firstError;
    for (let failed = 1; ; failed++) {
      if (failed >= attempts || !mayRetry(error, retry)) throw error;
      const stops = signal ? [signal, lifetime.signal] : [lifetime.signal];
      await sleep(fullJitterDelay(failed, retry!.baseDelayMs, retry!.maxDelayMs, retry!.random), stops);
      try {
        return await attempt(fn, control, signal);
      } catch (next) {
        error = next;
      }
    }
  }

  function guarded<T, S>(
    fn: (signal: S) => Promise<T>,
    control: () => AttemptController<S>,
    { signal, retry: allowRetry = true }: ExecuteOptions = {},
  ): Promise<T> {
    const attempts = retry && allowRetry ? retry.attempts : 1;
    const first = attempt(fn, control, signal);
    return (
      attempts > 1 ? first.catch((error: unknown) => retrying(fn, control, signal, attempts, error)) : first
    ).catch(unwrapStopped);
  }

  return {
    name,
    execute: (fn, options) => guarded(fn, abortController, options),
    executeWithStop: (fn, options) => guarded(fn, stop, options),
    state: () => ({
      state: breaker?.state ?? 'CLOSED',
      failureRate: breaker?.failureRate ?? null,
      openedAt: breaker?.openedAt ?? null,
    }),
    onStateChange(listener) {
      if (!breaker) return () => undefined;
      return breaker.onStateChange((from, to) => listener({ policy: name, from, to, at: new Date() }));
    },
    dispose() {
      if (lifetime.signal.aborted) return;
      lifetime.abort(new PolicyDisposedError(name));
      for (const stop of [...running]) stop(lifetime.signal.reason);
      breaker?.dispose();
    },
  };
}

const NO_STOPS: readonly StopSignal[] = [];
const abortController = () => new AbortController();
const stop = () => new Stop();

function unwrapStopped(error: unknown): never {
  throw error instanceof Stopped ? error.reason : error;
}

function mayRetry(error: unknown, retry: RetryOptions | undefined): boolean {
  if (!retry || error instanceof Stopped || error instanceof CircuitOpenError) return false;
  return retry.isRetryable(error);
}

function createBreaker(name: string, options: BreakerOptions): CountBreaker {
  const slowMs = options.slowCallDurationThresholdMs;
  return new CountBreaker(name, {
    ...options,
    // mollitia's default (60 s) would count slow calls; 0 turns that off unless the caller asked for it.
    slowCallDurationThresholdMs: slowMs ?? 0,
    slowCallRateThreshold: slowMs === undefined ? 100 : options.failureRateThreshold,
    isFailure: (error) =>
      !(error instanceof Stopped) &&
      (error instanceof PolicyTimeoutError || (options.isFailure?.(error) ?? true)),
  });
}

function validate({ name, timeoutMs, retry, breaker }: PolicyOptions): void {
  const problems = [
    !name && 'name is empty',
    !(timeoutMs > 0) && 'timeoutMs must be > 0',
    retry &&
      !(Number.isInteger(retry.attempts) && retry.attempts >= 1) &&
      'retry.attempts must be an integer >= 1',
    retry &&
      !(retry.baseDelayMs >= 0 && retry.maxDelayMs >= retry.baseDelayMs) &&
      'retry delays: 0 <= base <= max',
    // mollitia never opens at 100 % (it compares with `< 100`), so that value would silently disable the breaker.
    breaker &&
      !(breaker.failureRateThreshold >= 1 && breaker.failureRateThreshold <= 99) &&
      'breaker.failureRateThreshold must be within 1–99',
    breaker && !(breaker.minimumNumberOfCalls >= 1) && 'breaker.minimumNumberOfCalls must be >= 1',
    breaker && !(breaker.slidingWindowSize >= 1) && 'breaker.slidingWindowSize must be >= 1',
    breaker &&
      !(breaker.permittedNumberOfCallsInHalfOpenState >= 1) &&
      'breaker half-open calls must be >= 1',
    breaker && !(breaker.openStateDelayMs >= 0) && 'breaker.openStateDelayMs must be >= 0',
  ].filter(Boolean);
  if (problems.length > 0) throw new RangeError(`Invalid policy "${name}": ${problems.join('; ')}`);
}
