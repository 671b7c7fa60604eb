// The processes of the subscription benchmark, chosen by BENCH_ROLE:
// - plain:   graphql-ws (useServer) on one HTTP server, serving `ticks(channel)` straight from an in-process hub;
// - ticker:  the same subscription as an Atrium subgraph (platform createSubgraphServer, gateway-only);
// - gateway: Atrium's gateway in front of the ticker (the engine under test).
// plain and ticker publish on `POST /publish?channels=a,b&count=n`: `count` events per channel, each carrying
// the wall-clock time it was published (`at`, ms), so clients measure delivery latency.
import 'reflect-metadata';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeHeapSnapshot } from 'node:v8';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { composeServices } from '@apollo/composition';
import { buildSchema, parse } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import { createGatewayServer } from '@atrium/gateway/server';
import { loadGatewayConfig } from '@atrium/gateway/config';
import { ANONYMOUS, type Principal } from '@atrium/platform/auth';
import { createLogger } from '@atrium/platform/logging';
import { createSubgraphServer } from '@atrium/platform/server';

const TICK = 'type Tick { channel: String! n: Int! at: Float! }';
const SUBSCRIPTION = 'type Subscription { ticks(channel: String!): Tick! }';
const SECRET = 'bench-subscriptions-internal-secret-0123456789';
const log = createLogger({ service: 'bench', level: 'warn', pretty: false });

interface Tick {
  channel: string;
  n: number;
  at: number;
}

/** Channels with their listeners: the snapshot (last tick) first, then every published tick. */
class Hub {
  private readonly last = new Map<string, Tick>();
  private readonly listeners = new Map<string, Set<(tick: Tick) => void>>();

  publish(channel: string, n: number): void {
    const tick = { channel, n, at: performance.timeOrigin + performance.now() };
    this.last.set(channel, tick);
    for (const listener of this.listeners.get(channel) ?? []) listener(tick);
  }

  async *iterate(channel: string): AsyncGenerator<{ ticks: Tick }> {
    const queue: Tick[] = [
      this.last.get(channel) ?? { channel, n: 0, at: performance.timeOrigin + performance.now() },
    ];
    let wake: (() => void) | undefined;
    const listener = (tick: Tick) => {
      queue.push(tick);
      wake?.();
    };
    const set = this.listeners.get(channel) ?? new Set();
    set.add(listener);
    this.listeners.set(channel, set);
    try {
      for (;;) {
        while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        yield { ticks: queue.shift()! };
      }
    } finally {
      set.delete(listener);
    }
  }
}

function publishRoute(hub: Hub) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'POST' || url.pathname !== '/publish') return false;
    const channels = (url.searchParams.get('channels') ?? '').split(',').filter(Boolean);
    const count = Number(url.searchParams.get('count') ?? '1');
    const start = Number(url.searchParams.get('from') ?? '1');
    for (let n = start; n < start + count; n++) for (const channel of channels) hub.publish(channel, n);
    res.writeHead(204).end();
    return true;
  };
}

async function plain(): Promise<string> {
  const hub = new Hub();
  const schema = buildSchema(`type Query { ok: Boolean } ${TICK} ${SUBSCRIPTION}`);
  const publish = publishRoute(hub);
  const server = createServer((req, res) => {
    if (!publish(req, res)) res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ server, path: '/graphql' });
  useServer(
    {
      schema,
      roots: { subscription: { ticks: ({ channel }: { channel: string }) => hub.iterate(channel) } },
    },
    wss,
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

export const TICKER_SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Query { ok: Boolean } ${TICK} ${SUBSCRIPTION}`;

async function ticker(): Promise<string> {
  const hub = new Hub();
  const schema = buildSubgraphSchema({
    typeDefs: parse(TICKER_SDL),
    resolvers: {
      Subscription: {
        ticks: { subscribe: (_: unknown, { channel }: { channel: string }) => hub.iterate(channel) },
      },
    } as never,
  });
  const publish = publishRoute(hub);
  const server = await createSubgraphServer({
    name: 'generation',
    schema,
    permissions: {},
    internalSecret: SECRET,
    log,
    context: (base) => base,
    routes: (app) => app.post('/publish', (req, res) => void publish(req, res)),
  });
  return (await server.listen(0, '127.0.0.1')).url;
}

async function gateway(): Promise<string> {
  const tickerUrl = process.env.TICKER_URL!;
  const composed = composeServices([{ name: 'generation', url: tickerUrl, typeDefs: parse(TICKER_SDL) }]);
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  const server = await createGatewayServer({
    config: loadGatewayConfig({
      INTERNAL_TOKEN_SECRET: SECRET,
      LOG_LEVEL: 'warn',
      GENERATION_URL: tickerUrl,
      RATE_LIMIT_USER_PER_MINUTE: '0',
      RATE_LIMIT_IP_PER_MINUTE: '0',
      SUBSCRIPTION_MAX_TOTAL: '100000',
      SUBSCRIPTION_MAX_PER_USER: '100000',
    }),
    supergraphSdl: composed.supergraphSdl,
    log,
    // The benchmark measures the engine, not ES256: `Bearer user:<id>` names the subscriber.
    authenticator: {
      authenticate: async (headers) => {
        const id = /^Bearer user:(.+)$/.exec(String(headers.authorization ?? ''))?.[1];
        if (!id) return ANONYMOUS;
        const principal: Principal = {
          ...ANONYMOUS,
          kind: 'user',
          userId: id,
          roles: ['MEMBER'],
          sessionId: id,
        };
        return principal;
      },
      close: async () => undefined,
    },
  });
  return (await server.listen(0, '127.0.0.1')).url;
}

// BENCH_TRACE_WRITES=1: the wall-clock times of the first and last frame written in each burst of writes
// (a gap > 100 ms starts a new one), so run.ts can tell the server's share of a delivery's latency.
const bursts: { first: number; last: number; frames: number }[] = [];
if (process.env.BENCH_TRACE_WRITES === '1') {
  const original = WebSocket.prototype.send;
  WebSocket.prototype.send = function send(this: WebSocket, ...args: unknown[]) {
    const now = performance.timeOrigin + performance.now();
    const current = bursts[bursts.length - 1];
    if (current && now - current.last < 100) {
      current.last = now;
      current.frames++;
    } else bursts.push({ first: now, last: now, frames: 1 });
    return (original as (...a: unknown[]) => void).apply(this, args);
  } as typeof original;
}

const roles: Record<string, () => Promise<string>> = { plain, ticker, gateway };
const role = roles[process.env.BENCH_ROLE ?? ''];
if (!role) throw new Error('BENCH_ROLE must be plain, ticker or gateway');
role().then(
  (url) => console.log(`READY ${url}`),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
process.on('SIGTERM', () => process.exit(0));
const profiler = new Session();
profiler.connect();
// run.ts asks for heap snapshots (BENCH_HEAP_SNAPSHOTS), CPU profiles of the delivery phase (BENCH_CPU_PROFILES)
// and for a full GC (the process runs with --expose-gc) before it reads RSS.
process.on('message', (message) => {
  if (typeof message === 'string' && message.startsWith('snapshot:')) {
    writeHeapSnapshot(message.slice('snapshot:'.length));
    process.send?.('snapshot-done');
  }
  if (message === 'profile-start') {
    profiler.post('Profiler.enable', () =>
      profiler.post('Profiler.start', () => process.send?.('profile-started')),
    );
  }
  if (typeof message === 'string' && message.startsWith('profile-stop:')) {
    profiler.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(message.slice('profile-stop:'.length), JSON.stringify(result.profile));
      process.send?.('profile-stopped');
    });
  }
  if (message === 'bursts') {
    process.send?.({ bursts: bursts.splice(0) });
    return;
  }
  if (message !== 'gc') return;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  process.send?.({ gcDone: process.memoryUsage() });
});
