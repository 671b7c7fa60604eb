import type { Server } from 'node:http';
import express from 'express';
import { HealthRegistry } from '../../src/health';
import { HealthFixture, Leftovers, baseUrl } from '../../src/testing';

describe('health routes', () => {
  const leftovers = new Leftovers();
  afterEach(() => leftovers.dispose());

  async function serve(health: HealthRegistry): Promise<string> {
    const app = express();
    app.use(health.routes());
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    leftovers.add(server, (s) => new Promise((resolve) => s.close(resolve)));
    return baseUrl(server);
  }

  async function get(url: string) {
    const response = await fetch(url);
    return {
      status: response.status,
      cacheControl: response.headers.get('cache-control'),
      body: (await response.json()) as Record<string, unknown>,
    };
  }

  it('GET /healthz answers 200 without touching dependencies', async () => {
    const health = new HealthRegistry({ service: 'identity', version: '2.0.0' });
    let checked = false;
    health.register({
      name: 'postgres',
      kind: 'database',
      check: async () => {
        checked = true;
        throw new Error('down');
      },
    });
    const url = await serve(health);
    const { status, body, cacheControl } = await get(`${url}/healthz`);
    expect(status).toBe(200);
    expect(cacheControl).toBe('no-store');
    expect(body).toEqual({
      status: 'UP',
      service: 'identity',
      version: '2.0.0',
      uptimeSeconds: expect.any(Number),
    });
    expect(checked).toBe(false);
  });

  it('GET /readyz answers 200 with the report when every check is UP', async () => {
    const health = new HealthRegistry({ service: 'identity' });
    health.register({ name: 'postgres', kind: 'database', check: async () => undefined });
    const { status, body } = await get(`${await serve(health)}/readyz`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'UP',
      service: 'identity',
      shuttingDown: false,
      checks: [{ name: 'postgres', kind: 'database', status: 'UP' }],
    });
  });

  it('GET /readyz answers 503 when a dependency is down or hung', async () => {
    const health = new HealthRegistry({ service: 'generation', timeoutMs: 50 });
    health.register({ name: 'redis', kind: 'redis', check: () => new Promise(() => undefined) });
    const { status, body } = await get(`${await serve(health)}/readyz`);
    expect(status).toBe(503);
    expect(body).toMatchObject({
      status: 'DOWN',
      checks: [{ name: 'redis', status: 'DOWN', message: 'timed out after 50ms' }],
    });
  });

  it('GET /readyz answers 503 once shutdown started while /healthz stays 200', async () => {
    const health = new HealthRegistry({ service: 'gateway' });
    const url = await serve(health);
    expect((await get(`${url}/readyz`)).status).toBe(200);
    health.startShutdown();
    const ready = await get(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'DOWN', shuttingDown: true, service: 'gateway' });
    expect((await get(`${url}/healthz`)).status).toBe(200);
  });

  describe('GET /status (IETF health-check format)', () => {
    function registry(): HealthFixture {
      const fixture = leftovers.add(
        new HealthFixture('generation', {
          version: '3.1.0',
          breaker: 'provider:openai',
          queue: 'generation',
          counters: { 'graphql.operations': 42 },
          timeoutMs: 100,
        }),
        (f) => f.dispose(),
      );
      fixture.queue = { waiting: 2, active: 1, delayed: 0, failed: 0, completed: 5, oldestWaitingSeconds: 3 };
      return fixture;
    }

    it('describes checks, uptime, breakers, queues and counters as application/health+json', async () => {
      const response = await fetch(`${await serve(registry().health)}/status`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/health\+json/);
      const time = expect.any(String);
      expect(await response.json()).toEqual({
        status: 'pass',
        version: '3.1.0',
        releaseId: '3.1.0',
        serviceId: 'generation',
        description: 'Atrium generation',
        checks: {
          uptime: [
            {
              componentId: 'generation',
              componentType: 'system',
              status: 'pass',
              observedValue: expect.any(Number),
              observedUnit: 's',
              time,
            },
          ],
          'database:responseTime': [
            {
              componentId: 'database',
              componentType: 'database',
              status: 'pass',
              observedValue: expect.any(Number),
              observedUnit: 'ms',
              time,
            },
          ],
          'provider:openai:circuitBreaker': [
            {
              componentId: 'provider:openai',
              componentType: 'circuitBreaker',
              status: 'pass',
              observedValue: 'CLOSED',
              time,
              failureRate: null,
              openedAt: null,
            },
          ],
          'generation:queue': [
            {
              componentId: 'generation',
              componentType: 'queue',
              status: 'pass',
              observedValue: 2,
              observedUnit: 'jobs',
              time,
              waiting: 2,
              active: 1,
              delayed: 0,
              failed: 0,
              completed: 5,
              oldestWaitingSeconds: 3,
            },
          ],
          'graphql.operations:count': [
            {
              componentId: 'graphql.operations',
              componentType: 'counter',
              status: 'pass',
              observedValue: 42,
              time,
            },
          ],
        },
      });
    });

    it('an open breaker is a warning (200) and readiness stays UP', async () => {
      const fixture = registry();
      await fixture.tripBreaker();
      const url = await serve(fixture.health);
      const response = await fetch(`${url}/status`);
      expect(response.status).toBe(200);
      const document = (await response.json()) as { checks: Record<string, unknown[]> };
      expect(document).toMatchObject({ status: 'warn', output: 'provider:openai not healthy' });
      expect(document.checks['provider:openai:circuitBreaker']?.[0]).toMatchObject({
        status: 'warn',
        observedValue: 'OPEN',
        openedAt: expect.any(String),
      });
      expect((await get(`${url}/readyz`)).status).toBe(200);
    });

    it('fails (503) when a dependency is down and from the first moment of shutdown', async () => {
      const { health } = registry();
      let down = true;
      health.register({
        name: 'redis',
        kind: 'redis',
        check: async () => {
          if (down) throw new Error('connection refused');
        },
      });
      const url = await serve(health);
      let response = await fetch(`${url}/status`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: 'fail', output: 'a dependency check failed' });
      down = false;
      expect((await fetch(`${url}/status`)).status).toBe(200);
      health.startShutdown();
      response = await fetch(`${url}/status`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: 'fail', output: 'shutting down' });
    });
  });
});
