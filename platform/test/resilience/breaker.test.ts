import {
  CircuitOpenError,
  createPolicy,
  type BreakerOptions,
  type Policy,
  type StateChange,
} from '../../src/resilience';

class HttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

const breaker: BreakerOptions = {
  slidingWindowSize: 4,
  minimumNumberOfCalls: 4,
  failureRateThreshold: 50,
  openStateDelayMs: 80,
  permittedNumberOfCallsInHalfOpenState: 2,
  isFailure: (error) => !(error instanceof HttpError && error.status < 500),
};

const policies: Policy[] = [];
afterEach(() => policies.splice(0).forEach((policy) => policy.dispose()));

function guarded(overrides: Partial<BreakerOptions> = {}): { policy: Policy; changes: StateChange[] } {
  const policy = createPolicy({
    name: 'model-provider',
    timeoutMs: 1_000,
    breaker: { ...breaker, ...overrides },
    // Long, fixed backoff: a retried rejection would show in the time the caller waits.
    retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 50, isRetryable: () => true, random: () => 0.99 },
  });
  policies.push(policy);
  const changes: StateChange[] = [];
  policy.onStateChange((change) => changes.push(change));
  return { policy, changes };
}

const ok = async () => 'ok';
const down = async () => Promise.reject(new HttpError(503));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Runs calls one by one without the policy's retries, so each counts once in the window. */
async function calls(policy: Policy, ...fns: Array<() => Promise<string>>): Promise<void> {
  for (const fn of fns) await policy.execute(fn, { retry: false }).catch(() => undefined);
}

async function opened(): Promise<{ policy: Policy; changes: StateChange[] }> {
  const setup = guarded();
  await calls(setup.policy, ok, down, ok, down);
  expect(setup.policy.state().state).toBe('OPEN');
  return setup;
}

describe('circuit breaker', () => {
  it('stays closed below the minimum number of calls, then opens at the failure-rate threshold', async () => {
    const { policy, changes } = guarded();
    await calls(policy, down, ok, down);
    expect(policy.state()).toEqual({ state: 'CLOSED', failureRate: null, openedAt: null });

    const before = Date.now();
    await calls(policy, ok);
    expect(policy.state().state).toBe('CLOSED');
    expect(policy.state().failureRate).toBe(50);

    await calls(policy, down);
    const state = policy.state();
    expect(state.state).toBe('OPEN');
    expect(state.openedAt!.getTime()).toBeGreaterThanOrEqual(before);
    await sleep(0);
    expect(changes.map(({ from, to }) => `${from}→${to}`)).toEqual(['CLOSED→OPEN']);
    expect(changes[0]!.policy).toBe('model-provider');
  });

  it('when open, rejects at once without calling the work, and does not retry that rejection', async () => {
    const { policy } = await opened();
    const fn = jest.fn(ok);
    const error = await policy.execute(fn).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toMatchObject({ code: 'CIRCUIT_OPEN', retryable: false, policy: 'model-provider' });
    expect((error as CircuitOpenError).retryAfterMs).toBeGreaterThan(0);
    expect((error as CircuitOpenError).retryAfterMs).toBeLessThanOrEqual(80);
    // Not calling the work is the mechanism; how fast a rejection is belongs to bench/.
    expect(fn).not.toHaveBeenCalled();
  });

  it('goes half-open after the delay and closes once the probes succeed', async () => {
    const { policy, changes } = await opened();
    await sleep(100);
    expect(policy.state().state).toBe('HALF_OPEN');
    expect(policy.state().openedAt).not.toBeNull();

    const probe = jest.fn(ok);
    await Promise.all([policy.execute(probe), policy.execute(probe)]);
    expect(probe).toHaveBeenCalledTimes(2);
    expect(policy.state()).toEqual({ state: 'CLOSED', failureRate: null, openedAt: null });
    await sleep(0);
    expect(changes.map(({ to }) => to)).toEqual(['OPEN', 'HALF_OPEN', 'CLOSED']);
  });

  it('lets only the permitted probes through while half-open', async () => {
    const { policy } = await opened();
    await sleep(100);
    let release!: () => void;
    const gate = new Promise<string>((resolve) => (release = () => resolve('ok')));
    const probes = [policy.execute(() => gate), policy.execute(() => gate)];
    const extra = jest.fn(ok);
    await expect(policy.execute(extra)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(extra).not.toHaveBeenCalled();
    release();
    await Promise.all(probes);
  });

  it('re-opens when a probe fails', async () => {
    const { policy, changes } = await opened();
    await sleep(100);
    await calls(policy, down, ok);
    expect(policy.state().state).toBe('OPEN');
    await sleep(0);
    expect(changes.map(({ to }) => to)).toEqual(['OPEN', 'HALF_OPEN', 'OPEN']);
    await expect(policy.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
  });

  it('does not count errors that are the caller’s fault (4xx)', async () => {
    const { policy } = guarded();
    const badRequest = jest.fn(async () => Promise.reject(new HttpError(404)));
    for (let i = 0; i < 8; i++) await policy.execute(badRequest, { retry: false }).catch(() => undefined);
    expect(badRequest).toHaveBeenCalledTimes(8);
    expect(policy.state()).toMatchObject({ state: 'CLOSED', failureRate: 0 });
  });

  it('counts timeouts as failures even when isFailure would not', async () => {
    const policy = createPolicy({
      name: 'frozen',
      timeoutMs: 10,
      breaker: { ...breaker, minimumNumberOfCalls: 2, isFailure: () => false },
    });
    policies.push(policy);
    const hang = (signal: AbortSignal) =>
      new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    await calls(policy, ok);
    await policy.execute(hang).catch(() => undefined);
    expect(policy.state().state).toBe('OPEN');
  });

  it('counts slow successes when a slow-call threshold is set', async () => {
    const { policy } = guarded({
      minimumNumberOfCalls: 2,
      slidingWindowSize: 2,
      slowCallDurationThresholdMs: 10,
    });
    const slow = async () => (await sleep(25), 'late but fine');
    await calls(policy, slow, slow);
    expect(policy.state().state).toBe('OPEN');
  });

  it('leaves no timer that keeps the process alive, open or disposed', async () => {
    const baseline = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const { policy } = await opened();
    await sleep(0);
    expect(process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout')).toHaveLength(baseline);
    policy.dispose();
    expect(process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout')).toHaveLength(baseline);
    await sleep(100);
    expect(policy.state().state).toBe('OPEN');
  });

  it('keeps notifying other listeners when one throws, and stops after unsubscribe', async () => {
    const { policy, changes } = guarded();
    policy.onStateChange(() => {
      throw new Error('broken observer');
    });
    const late: StateChange[] = [];
    const unsubscribe = policy.onStateChange((change) => late.push(change));
    unsubscribe();
    await calls(policy, down, down, down, down);
    await sleep(0);
    expect(changes.map(({ to }) => to)).toEqual(['OPEN']);
    expect(late).toEqual([]);
  });
});
