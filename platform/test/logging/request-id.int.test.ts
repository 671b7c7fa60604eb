import type { Server } from 'node:http';
import express from 'express';
import { Leftovers, baseUrl } from '../../src/testing';
import { createLogger, currentRequestId, requestIdMiddleware } from '../../src/logging';
import { MemoryLog } from './memory-log';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdMiddleware', () => {
  const leftovers = new Leftovers();
  const out = new MemoryLog();
  let url: string;

  beforeAll(async () => {
    const log = createLogger({ service: 'test', pretty: false, destination: out });
    const app = express();
    app.use(requestIdMiddleware());
    app.use(express.json());
    app.post('/echo', async (req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      log.info({ body: req.body as unknown }, 'handled');
      res.json({ local: res.locals.requestId as unknown, context: currentRequestId() ?? null });
    });
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    leftovers.add(server, (s) => new Promise((resolve) => s.close(resolve)));
    url = `${baseUrl(server)}/echo`;
  });

  afterAll(() => leftovers.dispose());

  async function post(headers: Record<string, string> = {}) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ hello: 'world' }),
    });
    return {
      header: response.headers.get('x-request-id'),
      body: (await response.json()) as Record<string, unknown>,
    };
  }

  it('generates a UUID and exposes it in the header, res.locals and the async context after body parsing', async () => {
    const { header, body } = await post();
    expect(header).toMatch(UUID);
    expect(body).toEqual({ local: header, context: header });
    expect(out.lines.find((l) => l.msg === 'handled' && l.requestId === header)).toBeDefined();
  });

  it('keeps a well-formed incoming x-request-id', async () => {
    const { header, body } = await post({ 'x-request-id': 'edge-Trace_01.abc' });
    expect(header).toBe('edge-Trace_01.abc');
    expect(body.context).toBe('edge-Trace_01.abc');
  });

  it.each([
    ['too short', 'abc'],
    ['too long', 'a'.repeat(65)],
    ['with forbidden characters', 'abcdefgh"},"admin":true'],
    ['with spaces', 'abcdefgh ijklmnop'],
  ])('replaces an incoming id that is %s', async (_case, incoming) => {
    const { header, body } = await post({ 'x-request-id': incoming });
    expect(header).toMatch(UUID);
    expect(body.context).toBe(header);
  });

  it('gives every request its own id', async () => {
    const results = await Promise.all([post(), post(), post()]);
    const ids = results.map((r) => r.header);
    expect(new Set(ids).size).toBe(3);
    for (const r of results) expect(r.body.context).toBe(r.header);
  });
});
