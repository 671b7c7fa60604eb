// The subgraph HTTP client against a real HTTP server on port 0: what it promises beyond "POST and read":
// bounded bodies, cancellation that frees the connection, keep-alive reuse, transport failures named as the
// policy's retry rule expects, and close().
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Leftovers } from '@atrium/platform/testing';
import { ResponseTooLargeError, SubgraphHttpClient, TransportError } from '../src/subgraph/http-client';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const leftovers = new Leftovers();
afterEach(() => leftovers.dispose());

async function server(handler: Handler) {
  const sockets = new Set<Socket>();
  const closed: Socket[] = [];
  const http = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => handler(req, res, body));
  });
  http.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => closed.push(socket));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  leftovers.defer(
    () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  );
  return {
    url: new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/graphql?x=1`),
    sockets,
    closed,
  };
}

function client(options: Partial<{ maxSockets: number; maxResponseBytes: number }> = {}) {
  const created = new SubgraphHttpClient({ maxSockets: 4, maxResponseBytes: 1024, ...options });
  leftovers.defer(() => created.close());
  return created;
}

const json = { 'content-type': 'application/json' };
const never = new AbortController().signal;

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('SubgraphHttpClient', () => {
  it('POSTs the body and headers to the URL path and reads status, content type and body over one kept-alive connection', async () => {
    const seen: Array<{ url?: string; method?: string; type?: string; length?: string; body: string }> = [];
    const target = await server((req, res, body) => {
      seen.push({
        url: req.url,
        method: req.method,
        type: req.headers['content-type'],
        length: req.headers['content-length'],
        body,
      });
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end('{"data":{"é":1}}');
    });
    const http = client({ maxSockets: 1 });
    for (let i = 0; i < 3; i++) {
      const response = await http.post(target.url, '{"query":"{ é }"}', json, never);
      expect(response).toEqual({
        status: 200,
        contentType: 'application/json; charset=utf-8',
        body: '{"data":{"é":1}}',
      });
    }
    expect(seen[0]).toEqual({
      url: '/graphql?x=1',
      method: 'POST',
      type: 'application/json',
      length: String(Buffer.byteLength('{"query":"{ é }"}')),
      body: '{"query":"{ é }"}',
    });
    expect(seen).toHaveLength(3);
    expect(target.sockets.size).toBe(1);
  });

  it('refuses a body over maxResponseBytes, streamed in chunks, and drops that connection', async () => {
    const target = await server((_req, res) => {
      res.writeHead(200, json);
      res.write('x'.repeat(800));
      setTimeout(() => res.end('y'.repeat(800)), 20);
    });
    const http = client({ maxResponseBytes: 1024 });
    await expect(http.post(target.url, '{}', json, never)).rejects.toBeInstanceOf(ResponseTooLargeError);
    await until(() => target.closed.length === 1);
  });

  it('rejects at once with the abort reason and frees the connection of a call the subgraph never answers', async () => {
    const pending: ServerResponse[] = [];
    const target = await server((_req, res) => void pending.push(res));
    const http = client({ maxSockets: 1 });
    const controller = new AbortController();
    const call = http.post(target.url, '{}', json, controller.signal);
    await until(() => pending.length === 1);
    const reason = new Error('timed out');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    await until(() => target.closed.length === 1);
    // The only connection slot is free again: a further call goes through on a new connection.
    pending.length = 0;
    const next = http.post(target.url, '{}', json, never);
    await until(() => pending.length === 1);
    pending[0]!.writeHead(200, json).end('{"data":{}}');
    expect((await next).status).toBe(200);
  });

  it('rejects a call aborted while it waits for a connection, which then never reaches the subgraph', async () => {
    const pending: ServerResponse[] = [];
    const target = await server((_req, res) => void pending.push(res));
    const http = client({ maxSockets: 1 });
    const first = http.post(target.url, '{"n":1}', json, never);
    await until(() => pending.length === 1);
    const controller = new AbortController();
    const queued = http.post(target.url, '{"n":2}', json, controller.signal);
    controller.abort(new Error('client gone'));
    await expect(queued).rejects.toThrow('client gone');
    pending[0]!.writeHead(200, json).end('{"data":{}}');
    expect((await first).status).toBe(200);
    const third = http.post(target.url, '{"n":3}', json, never);
    await until(() => pending.length === 2);
    pending[1]!.writeHead(200, json).end('{"data":{"n":3}}');
    expect((await third).body).toBe('{"data":{"n":3}}');
    expect(pending).toHaveLength(2);
  });

  it('names a connection the subgraph closed without answering ECONNRESET, a refused one ECONNREFUSED', async () => {
    const target = await server((req) => void req.socket.destroy());
    const http = client();
    const reset = await http.post(target.url, '{}', json, never).catch((error: unknown) => error);
    expect(reset).toBeInstanceOf(TransportError);
    expect((reset as TransportError).code).toBe('ECONNRESET');
    // Nothing listens on port 1.
    const refused = await http
      .post(new URL('http://127.0.0.1:1/graphql'), '{}', json, never)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TransportError);
    expect((refused as TransportError).code).toBe('ECONNREFUSED');
    expect((refused as Error).message).not.toContain('127.0.0.1');
  });

  it('closes its pooled connections on close(), and calls fail afterwards', async () => {
    const target = await server((_req, res) => void res.writeHead(200, json).end('{"data":{}}'));
    const http = client();
    await http.post(target.url, '{}', json, never);
    expect(http.isOpen).toBe(true);
    http.close();
    expect(http.isOpen).toBe(false);
    await until(() => target.closed.length === 1);
    await expect(http.post(target.url, '{}', json, never)).rejects.toBeInstanceOf(TransportError);
  });
});
