import { HealthRegistry } from '../../src/health';

const never = () => new Promise<void>(() => undefined);

describe('HealthRegistry.report', () => {
  it('is UP with no checks', async () => {
    const report = await new HealthRegistry({ service: 'identity', version: '1.2.3' }).report();
    expect(report).toEqual({
      status: 'UP',
      service: 'identity',
      version: '1.2.3',
      uptimeSeconds: expect.any(Number),
      shuttingDown: false,
      checks: [],
      checkedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(new Date(report.checkedAt).getTime()).toBeGreaterThan(Date.now() - 10_000);
  });

  it('reports each check with its status and latency, and is DOWN when one fails', async () => {
    const health = new HealthRegistry({ service: 'generation' });
    health.register({ name: 'postgres', kind: 'database', check: async () => undefined });
    health.register({ name: 'queue', kind: 'redis', check: async () => ({ message: '3 workers' }) });
    health.register({
      name: 'openai',
      kind: 'http',
      check: async () => {
        throw new Error('503 Service Unavailable');
      },
    });
    const report = await health.report();
    expect(report.status).toBe('DOWN');
    expect(report.version).toBe('unknown');
    expect(report.checks).toEqual([
      { name: 'postgres', kind: 'database', status: 'UP', latencyMs: expect.any(Number) },
      { name: 'queue', kind: 'redis', status: 'UP', latencyMs: expect.any(Number), message: '3 workers' },
      {
        name: 'openai',
        kind: 'http',
        status: 'DOWN',
        latencyMs: expect.any(Number),
        message: '503 Service Unavailable',
      },
    ]);
  });

  it('runs checks in parallel', async () => {
    // Each check waits until both have started: run one after the other, the first would time out.
    let release: () => void = () => undefined;
    const bothStarted = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    const check = async () => {
      if (++started === 2) release();
      await bothStarted;
    };
    const health = new HealthRegistry({ service: 'gateway', timeoutMs: 1000 });
    health.register({ name: 'a', kind: 'http', check });
    health.register({ name: 'b', kind: 'http', check });
    const report = await health.report();
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([
      ['a', 'UP'],
      ['b', 'UP'],
    ]);
    expect(report.status).toBe('UP');
  });

  it('bounds a hung check by the timeout', async () => {
    const health = new HealthRegistry({ service: 'gateway', timeoutMs: 50 });
    health.register({ name: 'fine', kind: 'http', check: async () => undefined });
    health.register({ name: 'hung', kind: 'redis', check: never });
    const report = await health.report();
    expect(report.status).toBe('DOWN');
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([
      ['fine', 'UP'],
      ['hung', 'DOWN'],
    ]);
    expect(report.checks[1]!.message).toBe('timed out after 50ms');
    expect(report.checks[1]!.latencyMs).toBeGreaterThanOrEqual(45);
  });

  it('reports a check that throws synchronously or rejects with a non-Error as DOWN', async () => {
    const health = new HealthRegistry({ service: 'x' });
    health.register({
      name: 'sync',
      kind: 'http',
      check: () => {
        throw new Error('bad config');
      },
    });
    health.register({ name: 'odd', kind: 'http', check: () => Promise.reject({ password: 'hunter2' }) });
    const report = await health.report();
    expect(report.checks.map((c) => [c.name, c.status, c.message])).toEqual([
      ['sync', 'DOWN', 'bad config'],
      ['odd', 'DOWN', 'check failed'],
    ]);
  });

  it('never shows credentials or more than 200 characters of a failure', async () => {
    const health = new HealthRegistry({ service: 'x' });
    const connectionError = Object.assign(
      new Error(
        'connection to redis://default:R3disPassw0rd@cache:6379 refused; retry with postgres://u:p@ss@db/x',
      ),
      { options: { password: 'R3disPassw0rd' } },
    );
    health.register({ name: 'redis', kind: 'redis', check: () => Promise.reject(connectionError) });
    health.register({ name: 'long', kind: 'http', check: () => Promise.reject(new Error('x'.repeat(5000))) });
    const report = await health.report();
    const text = JSON.stringify(report);
    expect(text).not.toContain('R3disPassw0rd');
    expect(text).not.toContain('p@ss');
    expect(report.checks[0]!.message).toBe(
      'connection to redis://***@cache:6379 refused; retry with postgres://***@db/x',
    );
    expect(report.checks[1]!.message!.length).toBeLessThanOrEqual(200);
  });

  it('shares one run between concurrent callers', async () => {
    const health = new HealthRegistry({ service: 'x' });
    let calls = 0;
    health.register({
      name: 'db',
      kind: 'database',
      check: async () => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 10));
      },
    });
    await Promise.all([health.report(), health.report(), health.report()]);
    expect(calls).toBe(1);
    await health.report();
    expect(calls).toBe(2);
  });

  it('is DOWN without running checks once shutdown started', async () => {
    const health = new HealthRegistry({ service: 'x' });
    let calls = 0;
    health.register({ name: 'db', kind: 'database', check: async () => void calls++ });
    expect(health.shuttingDown).toBe(false);
    health.startShutdown();
    expect(health.shuttingDown).toBe(true);
    const report = await health.report();
    expect(report).toMatchObject({ status: 'DOWN', shuttingDown: true, checks: [] });
    expect(calls).toBe(0);
  });

  it('refuses two checks with the same name', () => {
    const health = new HealthRegistry({ service: 'x' });
    health.register({ name: 'db', kind: 'database', check: async () => undefined });
    expect(() => health.register({ name: 'db', kind: 'database', check: async () => undefined })).toThrow(
      /already/,
    );
  });
});
