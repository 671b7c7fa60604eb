import type { Server } from 'node:http';
import express from 'express';
import { HealthRegistry } from '../../src/health';
import { Leftovers, baseUrl } from '../../src/testing';

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
});
