import type { Server } from 'node:http';
import express from 'express';
import { Leftovers, LogCapture, baseUrl } from '../../src/testing';
import {
  currentRequestId,
  incomingContext,
  requestIdMiddleware,
  traceHeaders,
  traceIdOf,
} from '../../src/logging';

const TRACE_ID = /^[0-9a-f]{32}$/;

describe('requestIdMiddleware', () => {
  const leftovers = new Leftovers();
  const out = new LogCapture('test', { level: 'info' });
  let url: string;

  beforeAll(async () => {
    const { log } = out;
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

  it('generates a W3C trace id and exposes it in the header, res.locals and the async context after body parsing', async () => {
    const { header, body } = await post();
    expect(header).toMatch(TRACE_ID);
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
    expect(header).toMatch(TRACE_ID);
    expect(body.context).toBe(header);
  });

  it('gives every request its own id', async () => {
    const results = await Promise.all([post(), post(), post()]);
    const ids = results.map((r) => r.header);
    expect(new Set(ids).size).toBe(3);
    for (const r of results) expect(r.body.context).toBe(r.header);
  });

  it('continues the trace of a W3C traceparent and uses its trace id as the correlation id', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const { header, body } = await post({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    expect(header).toBe(traceId);
    expect(body.context).toBe(traceId);
  });

  it('ignores a malformed or all-zero traceparent', async () => {
    for (const traceparent of ['00-xyz-00f067aa0ba902b7-01', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`]) {
      const { header } = await post({ traceparent });
      expect(header).toMatch(TRACE_ID);
      expect(header).not.toBe('0'.repeat(32));
    }
  });
});

describe('traceHeaders', () => {
  it('carries the correlation id and continues the trace with a fresh span id', () => {
    const context = incomingContext({ 'x-request-id': 'edge-Trace_01.abc' });
    const first = traceHeaders(context);
    const second = traceHeaders(context);
    expect(first['x-request-id']).toBe('edge-Trace_01.abc');
    expect(traceIdOf(first.traceparent)).toBe(context.traceId);
    expect(traceIdOf(second.traceparent)).toBe(context.traceId);
    expect(first.traceparent).not.toBe(second.traceparent);
    // The receiving service continues the same request and trace, the calling span as its parent.
    expect(incomingContext(first)).toEqual({ ...context, spanId: first.traceparent!.split('-')[2] });
    expect(traceHeaders(undefined)).toEqual({});
  });
});
