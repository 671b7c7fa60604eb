import type { Server } from 'node:http';
import express from 'express';
import { createMetrics, type Metrics } from '../../src/metrics';
import { Leftovers, baseUrl } from '../../src/testing';

describe('metrics over HTTP', () => {
  const leftovers = new Leftovers();
  let metrics: Metrics;
  let url: string;

  beforeAll(async () => {
    metrics = createMetrics({ service: 'identity' });
    const app = express();
    app.use(metrics.httpMiddleware());
    app.get('/metrics', metrics.handler());
    app.get('/users/:id', (_req, res) => {
      res.json({ ok: true });
    });
    const api = express.Router();
    api.post('/jobs/:jobId/cancel', (_req, res) => {
      res.status(202).end();
    });
    app.use('/api', api);
    app.use('/graphql', (_req, res) => {
      res.status(400).json({ errors: [] });
    });
    app.get('/slow', (_req, res) => {
      setTimeout(() => res.end('late'), 500);
    });
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    leftovers.add(server, (s) => new Promise((resolve) => s.close(resolve)));
    url = baseUrl(server);
  });

  afterAll(() => leftovers.dispose());

  async function scrape(): Promise<string> {
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    return response.text();
  }

  /** The request count of the series whose labels include all of `wanted`. */
  function countOf(text: string, wanted: Record<string, string>): number {
    for (const line of text.split('\n')) {
      const match = /^atrium_http_request_duration_seconds_count\{(.*)\} (\d+)$/.exec(line);
      if (!match) continue;
      const labels = Object.fromEntries([...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      if (Object.entries(wanted).every(([k, v]) => labels[k] === v)) return Number(match[2]);
    }
    return 0;
  }

  it('labels requests with the route template, never the raw URL', async () => {
    await fetch(`${url}/users/1`);
    await fetch(`${url}/users/2`);
    await fetch(`${url}/api/jobs/42/cancel`, { method: 'POST' });
    await fetch(`${url}/graphql?query=x`, { method: 'POST' });
    await fetch(`${url}/does/not/exist/123`);
    const text = await scrape();
    expect(
      countOf(text, { service: 'identity', method: 'GET', route: '/users/:id', status_code: '200' }),
    ).toBe(2);
    expect(countOf(text, { method: 'POST', route: '/api/jobs/:jobId/cancel', status_code: '202' })).toBe(1);
    expect(countOf(text, { method: 'POST', route: '/graphql', status_code: '400' })).toBe(1);
    expect(countOf(text, { method: 'GET', route: 'unmatched', status_code: '404' })).toBe(1);
    expect(text).not.toMatch(/route="\/users\/1"|\/does\/not/);
  });

  it('records a request the client abandoned as 499', async () => {
    const controller = new AbortController();
    const pending = fetch(`${url}/slow`, { signal: controller.signal }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    await pending;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(countOf(await scrape(), { method: 'GET', route: '/slow', status_code: '499' })).toBe(1);
  });

  it('serves default process metrics alongside', async () => {
    expect(await scrape()).toContain('atrium_process_resident_memory_bytes{service="identity"}');
  });
});
