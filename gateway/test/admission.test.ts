import {
  AdmissionController,
  CEILING_TARGETS,
  LIMIT_WINDOW,
  type Admission,
  type RejectReason,
} from '../src/admission/controller';

function controller(overrides: Partial<ConstructorParameters<typeof AdmissionController>[0]> = {}) {
  const rejected: RejectReason[] = [];
  const admission = new AdmissionController({
    maxConcurrent: 2,
    maxQueue: 2,
    queueTimeoutMs: 1000,
    maxEventLoopDelayMs: 100,
    onReject: (reason) => rejected.push(reason),
    ...overrides,
  });
  return { admission, rejected };
}

const released = (a: Admission | undefined) => {
  if (!a?.admitted) throw new Error('expected admission');
  return a.release;
};

describe('AdmissionController', () => {
  afterEach(() => jest.useRealTimers());

  it('admits up to the limit, queues up to the queue size, refuses beyond it, and hands slots over in order', async () => {
    const { admission, rejected } = controller();
    const first = released(admission.tryAdmit());
    released(admission.tryAdmit());
    expect(admission.tryAdmit()).toBeUndefined();
    const order: string[] = [];
    const third = admission.wait().then((a) => (order.push('third'), a));
    const fourth = admission.wait().then((a) => (order.push('fourth'), a));
    expect(admission.state).toEqual({ inFlight: 2, queued: 2 });
    expect(admission.tryAdmit()).toEqual({ admitted: false, reason: 'queue_full' });
    first();
    first(); // a second release of the same slot changes nothing
    const thirdRelease = released(await third);
    expect(admission.state).toEqual({ inFlight: 2, queued: 1 });
    thirdRelease();
    released(await fourth);
    expect(order).toEqual(['third', 'fourth']);
    expect(rejected).toEqual(['queue_full']);
  });

  it('refuses a request that waited longer than the queue timeout', async () => {
    jest.useFakeTimers();
    const { admission, rejected } = controller({ maxConcurrent: 1 });
    released(admission.tryAdmit());
    const waiting = admission.wait();
    jest.advanceTimersByTime(1000);
    expect(await waiting).toEqual({ admitted: false, reason: 'queue_timeout' });
    expect(admission.state).toEqual({ inFlight: 1, queued: 0 });
    expect(rejected).toEqual(['queue_timeout']);
  });

  it('withdraws a waiting request whose client went away, without counting it as refused', async () => {
    const { admission, rejected } = controller({ maxConcurrent: 1 });
    const release = released(admission.tryAdmit());
    const gone = new AbortController();
    const waiting = admission.wait(gone.signal);
    gone.abort();
    expect((await waiting).admitted).toBe(false);
    expect(admission.state).toEqual({ inFlight: 1, queued: 0 });
    release();
    expect(admission.state).toEqual({ inFlight: 0, queued: 0 });
    expect(rejected).toEqual([]);
  });

  it('refuses at once while the event loop lags beyond the limit and it is busy, even with free slots', () => {
    let delay = 150;
    const { admission, rejected } = controller({ maxConcurrent: 16, eventLoopDelayMs: () => delay });
    // Idle: a lagging loop (another process, a GC pause) does not refuse a lone request.
    const first = released(admission.tryAdmit());
    released(admission.tryAdmit());
    // Two of sixteen slots taken (an eighth): now the lag refuses.
    expect(admission.tryAdmit()).toEqual({ admitted: false, reason: 'event_loop_delay' });
    delay = 20;
    expect(admission.tryAdmit()?.admitted).toBe(true);
    first();
    delay = 150;
    expect(admission.tryAdmit()?.admitted).toBe(false);
    expect(rejected).toEqual(['event_loop_delay', 'event_loop_delay']);
  });

  describe('adaptive limit', () => {
    // Runs `count` requests one after another, each taking `ms` on the controller's clock.
    const run = (admission: AdmissionController, clock: { t: number }, count: number, ms: number) => {
      for (let i = 0; i < count; i++) {
        const release = released(admission.tryAdmit());
        clock.t += ms;
        release();
      }
    };
    const adaptive = (overrides: Partial<ConstructorParameters<typeof AdmissionController>[0]> = {}) => {
      const clock = { t: 0 };
      const limits: number[] = [];
      const { admission } = controller({
        maxConcurrent: 20,
        minConcurrent: 8,
        latencyTargetMs: 100,
        now: () => clock.t,
        onLimit: (limit) => limits.push(limit),
        ...overrides,
      });
      return { admission, clock, limits };
    };

    // Takes every slot, finds none left for one more request (it would wait), then releases them `ms` later.
    const saturate = (admission: AdmissionController, clock: { t: number }, ms: number) => {
      const held = Array.from({ length: admission.limit }, () => released(admission.tryAdmit()));
      expect(admission.tryAdmit()).toBeUndefined();
      clock.t += ms;
      held.forEach((release) => release());
    };

    it('leaves the limit alone while requests are slow but none waits for a slot', () => {
      const { admission, clock, limits } = adaptive();
      // A slow operation (a sign-in's password hash) on a lightly loaded gateway: concurrency is not the cause.
      run(admission, clock, 4 * LIMIT_WINDOW, 300);
      expect(admission.limit).toBe(20);
      expect(limits).toEqual([]);
    });

    it('shrinks while requests wait for slots and run slower than the target and than of late, never below the floor, and refuses beyond it', () => {
      const { admission, clock, limits } = adaptive();
      run(admission, clock, LIMIT_WINDOW, 50); // the recent level: 50 ms, nobody waiting
      saturate(admission, clock, 300);
      run(admission, clock, LIMIT_WINDOW - 21, 300);
      expect(admission.limit).toBe(20); // adapts only once a window is complete
      run(admission, clock, 1, 300);
      expect(limits).toEqual([16]);
      for (let window = 0; window < 4; window++) {
        saturate(admission, clock, 300);
        run(admission, clock, LIMIT_WINDOW, 300);
      }
      expect(limits).toEqual([16, 12, 9, 8]);
      expect(admission.limit).toBe(8);
      // The ninth request now waits for a slot instead of slowing the eight running ones down.
      for (let i = 0; i < 8; i++) released(admission.tryAdmit());
      expect(admission.tryAdmit()).toBeUndefined();
    });

    it('leaves the limit alone while requests wait for slots but stay as slow as of late: cutting cannot speed them up', () => {
      const { admission, clock, limits } = adaptive();
      // 250 users thinking between requests on a machine a neighbour slows: every window over the target, slots
      // all taken now and then, but no slower than before. The old rule cut this to the floor (16, 12, 9, 8)
      // and shed with CPU to spare.
      for (let window = 0; window < 6; window++) {
        saturate(admission, clock, 150);
        run(admission, clock, LIMIT_WINDOW - admission.limit, 150);
      }
      expect(limits).toEqual([]);
      expect(admission.limit).toBe(20);
    });

    it('shrinks at a steady median far beyond the target (CEILING_TARGETS times it), so nothing waits into a timeout', () => {
      const { admission, clock, limits } = adaptive();
      for (let window = 0; window < 2; window++) {
        saturate(admission, clock, 100 * CEILING_TARGETS + 1);
        run(admission, clock, LIMIT_WINDOW - admission.limit, 100 * CEILING_TARGETS + 1);
      }
      expect(limits).toEqual([16, 12]);
    });

    it('grows back while requests wait for slots and run within the target; stays put when nobody waits', () => {
      const { admission, clock, limits } = adaptive();
      run(admission, clock, LIMIT_WINDOW, 50);
      saturate(admission, clock, 300);
      run(admission, clock, LIMIT_WINDOW - 20, 300);
      expect(admission.limit).toBe(16);
      run(admission, clock, LIMIT_WINDOW, 10);
      expect(admission.limit).toBe(16); // fast, but never short of slots: no reason to grow
      const held = Array.from({ length: 16 }, () => released(admission.tryAdmit()));
      expect(admission.tryAdmit()).toBeUndefined(); // a request found every slot taken
      held.forEach((release) => release());
      run(admission, clock, LIMIT_WINDOW - held.length, 10);
      expect(limits).toEqual([16, 17]);
    });

    it('keeps a fixed limit without a latency target', () => {
      const { admission, clock, limits } = adaptive({ latencyTargetMs: 0 });
      run(admission, clock, 4 * LIMIT_WINDOW, 1000);
      expect(admission.limit).toBe(20);
      expect(limits).toEqual([]);
    });
  });
});
