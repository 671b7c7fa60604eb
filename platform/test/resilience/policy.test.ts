import {
  createPolicy,
  fullJitterDelay,
  PolicyDisposedError,
  PolicyRegistry,
  PolicyTimeoutError,
  Stop,
  type Policy,
  type PolicyOptions,
  type StopSignal,
} from '../../src/resilience';

class Transient extends Error {
  readonly retryable = true;
}
class Permanent extends Error {
  readonly retryable = false;
}

const isRetryable = (error: unknown) => (error as { retryable?: unknown }).retryable === true;
const policies: Policy[] = [];
afterEach(() => policies.splice(0).forEach((policy) => policy.dispose()));

function policy(options: Partial<PolicyOptions> = {}): Policy {
  const created = createPolicy({ name: 'test', timeoutMs: 1_000, ...options });
  policies.push(created);
  return created;
}

/** Work that never settles by itself: it only rejects when its signal aborts, like a well-behaved fetch. */
function hang(signal: StopSignal): Promise<never> {
  return new Promise((_, reject) =>
    signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
  );
}

describe('timeout', () => {
  it('aborts the signal given to the work and rejects with PolicyTimeoutError soon after the timeout', async () => {
    let seen: AbortSignal | undefined;
    const started = performance.now();
    const error = await policy({ timeoutMs: 50 })
      .execute((signal) => ((seen = signal), hang(signal)))
      .catch((caught: unknown) => caught);
    const elapsed = performance.now() - started;

    expect(error).toBeInstanceOf(PolicyTimeoutError);
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true, policy: 'test', timeoutMs: 50 });
    // The work never settles on its own, so rejecting at all proves the timeout fired; not before it was due.
    expect(elapsed).toBeGreaterThanOrEqual(45);
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBe(error);
  });

  it('rejects on time even when the work ignores its signal', async () => {
    // The work would resolve 'late'; a PolicyTimeoutError instead shows the policy did not wait for it.
    const ignoring = () => new Promise<string>((resolve) => setTimeout(() => resolve('late'), 300));
    await expect(policy({ timeoutMs: 40 }).execute(ignoring)).rejects.toBeInstanceOf(PolicyTimeoutError);
  });

  it('returns the value of work that finishes in time', async () => {
    await expect(policy({ timeoutMs: 200 }).execute(async () => 42)).resolves.toBe(42);
  });
});

describe('caller signal', () => {
  it('aborts the running attempt and rejects at once with the caller’s reason, without retrying', async () => {
    const caller = new AbortController();
    const signals: AbortSignal[] = [];
    const retrying = policy({
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1, isRetryable: () => true },
    });
    const pending = retrying.execute((signal) => (signals.push(signal), hang(signal)), {
      signal: caller.signal,
    });
    setTimeout(() => caller.abort(new Error('client went away')), 20);

    await expect(pending).rejects.toThrow('client went away');
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(true);
  });

  it('does not call the work when the caller has already aborted', async () => {
    const fn = jest.fn(async () => 'ran');
    await expect(policy().execute(fn, { signal: AbortSignal.abort(new Error('gone')) })).rejects.toThrow(
      'gone',
    );
    expect(fn).not.toHaveBeenCalled();
  });
});

describe('executeWithStop (attempts get a Stop instead of an AbortSignal)', () => {
  it('aborts the attempt on timeout and rejects with PolicyTimeoutError', async () => {
    let seen: StopSignal | undefined;
    const error = await policy({ timeoutMs: 30 })
      .executeWithStop((stop) => ((seen = stop), hang(stop)))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PolicyTimeoutError);
    expect(seen).toBeInstanceOf(Stop);
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBe(error);
  });

  it.each([
    ['an AbortSignal', () => new AbortController()],
    ['a Stop', () => new Stop()],
  ])('stops at once, without retrying, when the caller’s %s aborts', async (_kind, makeCaller) => {
    const caller = makeCaller();
    const stops: StopSignal[] = [];
    const retrying = policy({
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1, isRetryable: () => true },
    });
    const pending = retrying.executeWithStop((stop) => (stops.push(stop), hang(stop)), {
      signal: caller.signal,
    });
    setTimeout(() => caller.abort(new Error('client went away')), 20);
    await expect(pending).rejects.toThrow('client went away');
    expect(stops).toHaveLength(1);
    expect(stops[0]!.aborted).toBe(true);
  });

  it('does not call the work when the caller’s Stop has already aborted', async () => {
    const caller = new Stop();
    caller.abort(new Error('gone'));
    const fn = jest.fn(async () => 'ran');
    await expect(policy().executeWithStop(fn, { signal: caller })).rejects.toThrow('gone');
    expect(fn).not.toHaveBeenCalled();
  });

  it('retries like execute and returns the value', async () => {
    let calls = 0;
    const work = async () => {
      if (++calls < 3) throw new Transient('again');
      return 'done';
    };
    const retrying = policy({ retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1, isRetryable } });
    await expect(retrying.executeWithStop(work)).resolves.toBe('done');
    expect(calls).toBe(3);
  });
});

describe('Stop', () => {
  it('aborts once, calls each listener once with the first reason, and never a listener added later', () => {
    const stop = new Stop();
    const heard: unknown[] = [];
    const listener = () => heard.push(stop.reason);
    const removed = jest.fn();
    stop.addEventListener('abort', listener);
    stop.addEventListener('abort', listener);
    stop.addEventListener('abort', removed);
    stop.removeEventListener('abort', removed);
    stop.abort('first');
    stop.abort('second');
    const late = jest.fn();
    stop.addEventListener('abort', late);
    expect([stop.aborted, stop.reason, heard]).toEqual([true, 'first', ['first']]);
    expect(removed).not.toHaveBeenCalled();
    expect(late).not.toHaveBeenCalled();
  });

  it('aborts with an AbortError by default, as an AbortController does', () => {
    const stop = new Stop();
    stop.abort();
    expect(stop.reason).toMatchObject({ name: 'AbortError' });
    const controller = new AbortController();
    controller.abort();
    expect((stop.reason as Error).name).toBe((controller.signal.reason as Error).name);
  });
});

describe('retry', () => {
  const retry = { attempts: 4, baseDelayMs: 5, maxDelayMs: 50, isRetryable };

  it('retries retryable errors until the work succeeds', async () => {
    let calls = 0;
    const result = await policy({ retry }).execute(async () => {
      calls += 1;
      if (calls < 3) throw new Transient(`failure ${calls}`);
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('does not retry an error the predicate calls permanent', async () => {
    const fn = jest.fn(async () => Promise.reject(new Permanent('bad request')));
    await expect(policy({ retry }).execute(fn)).rejects.toThrow('bad request');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('gives up after `attempts` calls with the last error', async () => {
    let calls = 0;
    const fn = async () => Promise.reject(new Transient(`failure ${++calls}`));
    await expect(policy({ retry }).execute(fn)).rejects.toThrow('failure 4');
    expect(calls).toBe(4);
  });

  it('waits longer before each retry (exponential ceiling, full jitter)', async () => {
    const starts: number[] = [];
    const fn = async () => {
      starts.push(performance.now());
      throw new Transient('down');
    };
    const slow = { attempts: 4, baseDelayMs: 20, maxDelayMs: 1_000, isRetryable, random: () => 0.99 };
    await expect(policy({ retry: slow }).execute(fn)).rejects.toThrow('down');

    const gaps = starts.slice(1).map((start, i) => start - starts[i]!);
    expect(gaps).toHaveLength(3);
    [19, 39, 79].forEach((floor, i) => expect(gaps[i]).toBeGreaterThanOrEqual(floor - 2));
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
    expect(gaps[2]!).toBeGreaterThan(gaps[1]!);
  });

  it('retries a timeout of idempotent work when the predicate allows it', async () => {
    const fn = jest.fn(hang);
    const options = { timeoutMs: 20, retry: { ...retry, attempts: 2 } };
    await expect(policy(options).execute(fn)).rejects.toBeInstanceOf(PolicyTimeoutError);
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('never retries non-idempotent work (retry: false), not even after a timeout', async () => {
    const timingOut = jest.fn(hang);
    const failing = jest.fn(async () => Promise.reject(new Transient('503')));
    const options = { timeoutMs: 20, retry: { ...retry, isRetryable: () => true } };
    await expect(policy(options).execute(timingOut, { retry: false })).rejects.toBeInstanceOf(
      PolicyTimeoutError,
    );
    await expect(policy(options).execute(failing, { retry: false })).rejects.toThrow('503');
    expect(timingOut).toHaveBeenCalledTimes(1);
    expect(failing).toHaveBeenCalledTimes(1);
  });
});

describe('fullJitterDelay', () => {
  it('draws below a ceiling that doubles per failed attempt up to the maximum', () => {
    const almostOne = () => 0.999999;
    expect([1, 2, 3, 4, 5].map((attempt) => fullJitterDelay(attempt, 100, 500, almostOne))).toEqual([
      99, 199, 399, 499, 499,
    ]);
    expect(fullJitterDelay(3, 100, 500, () => 0)).toBe(0);
    const draws = Array.from({ length: 200 }, () => fullJitterDelay(2, 100, 500));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(200);
    expect(new Set(draws).size).toBeGreaterThan(20);
  });
});

describe('dispose', () => {
  it('aborts running work and backoff waits, and rejects later calls without running them', async () => {
    const disposable = createPolicy({
      name: 'disposable',
      timeoutMs: 5_000,
      retry: {
        attempts: 5,
        baseDelayMs: 10_000,
        maxDelayMs: 10_000,
        isRetryable: () => true,
        random: () => 0.5,
      },
    });
    let running: AbortSignal | undefined;
    const working = disposable.execute((signal) => ((running = signal), hang(signal)));
    const waiting = disposable.execute(async () => Promise.reject(new Transient('retry me later')));
    await new Promise((resolve) => setTimeout(resolve, 10));

    const started = performance.now();
    disposable.dispose();
    await expect(working).rejects.toBeInstanceOf(PolicyDisposedError);
    await expect(waiting).rejects.toBeInstanceOf(PolicyDisposedError);
    expect(performance.now() - started).toBeLessThan(50);
    expect(running?.aborted).toBe(true);

    const fn = jest.fn(async () => 'ran');
    await expect(disposable.execute(fn)).rejects.toBeInstanceOf(PolicyDisposedError);
    expect(fn).not.toHaveBeenCalled();
    expect(() => disposable.dispose()).not.toThrow();
  });
});

describe('options', () => {
  it('rejects settings that would silently disable a safeguard', () => {
    const breaker = {
      slidingWindowSize: 10,
      minimumNumberOfCalls: 5,
      failureRateThreshold: 100,
      openStateDelayMs: 1_000,
      permittedNumberOfCallsInHalfOpenState: 1,
    };
    expect(() => createPolicy({ name: 'x', timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => createPolicy({ name: 'x', timeoutMs: 10, breaker })).toThrow(/failureRateThreshold/);
    expect(() =>
      createPolicy({
        name: 'x',
        timeoutMs: 10,
        retry: { attempts: 0, baseDelayMs: 1, maxDelayMs: 1, isRetryable },
      }),
    ).toThrow(/attempts/);
  });
});

describe('PolicyRegistry', () => {
  it('keeps one policy per name, lists them and disposes them all', async () => {
    const registry = new PolicyRegistry();
    const a = registry.get({ name: 'identity', timeoutMs: 100 });
    expect(registry.get({ name: 'identity', timeoutMs: 999 })).toBe(a);
    const b = registry.get({ name: 'openai', timeoutMs: 100 });
    expect(registry.list().map((p) => p.name)).toEqual(['identity', 'openai']);

    registry.dispose();
    expect(registry.list()).toEqual([]);
    await expect(a.execute(async () => 1)).rejects.toBeInstanceOf(PolicyDisposedError);
    await expect(b.execute(async () => 1)).rejects.toBeInstanceOf(PolicyDisposedError);
  });
});
