// Slow, frozen and dead subgraphs and slow clients against the real gateway: every request is answered within
// its configured bound, the breaker opens and then answers at once, and nothing is left holding a socket.
import { connect, type Socket } from 'node:net';
import { Leftovers, postGraphQL } from '@atrium/platform/testing';
import { MONITORING_SDL, startGeneration, startIdentity, type GraphKnobs } from './gateway-graph';
import {
  closedPort,
  composeSupergraph,
  establishedTo,
  metricValue,
  startChildSubgraph,
  startGateway,
  type ChildSubgraph,
  type TestGateway,
  type TinySubgraph,
} from './gateway-harness';

const SUBGRAPH_TIMEOUT_MS = 400;
const BREAKER_MIN_CALLS = 3;
// Mechanism bounds, not timings: half the gateway's default 10 s request deadline, and half of Node's default
// 30 s connection-checking interval. Only the mechanism under test can end a call before them.
const UNDER_DEADLINE_MS = 5_000;
const CLOSED_BY_SERVER_MS = 15_000;

const timed = async <T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> => {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
};

describe('gateway resilience', () => {
  const leftovers = new Leftovers();
  const knobs: GraphKnobs = { generationDelayMs: 0 };
  let identity: TinySubgraph;
  let generation: TinySubgraph;
  let monitoring: ChildSubgraph;

  beforeAll(async () => {
    identity = leftovers.add(await startIdentity(), (s) => s.server.stop());
    generation = leftovers.add(await startGeneration(knobs), (s) => s.server.stop());
    monitoring = leftovers.add(
      await startChildSubgraph({
        name: 'monitoring',
        typeDefs: MONITORING_SDL,
        body: { data: { status: 'UP' } },
      }),
      (s) => s.stop(),
    );
  });
  afterAll(() => leftovers.dispose());

  async function gatewayFor(
    urls: { monitoring: string },
    env: Record<string, string> = {},
  ): Promise<TestGateway> {
    const gateway = await startGateway({
      supergraphSdl: composeSupergraph([identity, generation, { ...monitoring, url: urls.monitoring }]),
      urls: { identity: identity.url, generation: generation.url, monitoring: urls.monitoring },
      env: {
        SUBGRAPH_TIMEOUT_MS: String(SUBGRAPH_TIMEOUT_MS),
        SUBGRAPH_BREAKER_WINDOW: String(BREAKER_MIN_CALLS),
        SUBGRAPH_BREAKER_MIN_CALLS: String(BREAKER_MIN_CALLS),
        SUBGRAPH_BREAKER_FAILURE_RATE: '50',
        SUBGRAPH_BREAKER_OPEN_MS: '60000',
        ...env,
      },
    });
    return leftovers.add(gateway, (g) => g.stop());
  }

  it('starts and serves while a subgraph is down from the start', async () => {
    const gateway = await gatewayFor({ monitoring: `http://127.0.0.1:${await closedPort()}/graphql` });
    expect((await fetch(`${gateway.origin}/readyz`)).status).toBe(200);
    const response = await postGraphQL(gateway.url, '{ me { id jobs { id } } status }');
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({
      me: { id: 'u1', jobs: [{ id: 'u1-j0' }, { id: 'u1-j1' }, { id: 'u1-j2' }] },
      status: null,
    });
    expect(response.body.errors?.map((e) => e.extensions?.code)).toEqual(['SUBGRAPH_UNAVAILABLE']);
  });

  describe('a frozen subgraph (SIGSTOP)', () => {
    let gateway: TestGateway;
    beforeAll(async () => {
      gateway = await gatewayFor({ monitoring: monitoring.url });
      expect((await postGraphQL(gateway.url, '{ status }')).body.data).toEqual({ status: 'UP' });
      monitoring.child.kill('SIGSTOP');
    });
    afterAll(() => monitoring.child.kill('SIGCONT'));

    it('costs a request no more than the subgraph timeout: GATEWAY_TIMEOUT, the call aborted and counted', async () => {
      const port = Number(new URL(monitoring.url).port);
      const { value: response, ms } = await timed(() => postGraphQL(gateway.url, '{ me { id } status }'));
      expect(ms).toBeGreaterThanOrEqual(SUBGRAPH_TIMEOUT_MS - 20);
      // Far below the 10 s request deadline: the subgraph timeout, not the deadline, ended the call.
      expect(ms).toBeLessThan(UNDER_DEADLINE_MS);
      expect(response.status).toBe(200);
      expect(response.body.data).toEqual({ me: { id: 'u1' }, status: null });
      expect(response.body.errors?.[0]?.extensions).toMatchObject({
        code: 'GATEWAY_TIMEOUT',
        service: 'monitoring',
      });
      expect(JSON.stringify(response.body)).not.toMatch(/127\.0\.0\.1|http:|ms\b/);
      // The fetch was aborted: the gateway holds no connection to the frozen process any more.
      expect(establishedTo(port)).toBe(0);
      expect(
        await metricValue(gateway.origin, 'atrium_gateway_subgraph_fetch_errors_total', {
          subgraph: 'monitoring',
          reason: 'timeout',
        }),
      ).toBe(1);
      expect(gateway.server.breakerStates()['subgraph:monitoring']).toBe('CLOSED');
    });

    it('opens the breaker after its minimum calls, which then answers in under 5 ms without calling', async () => {
      // The breaker judges once its window holds BREAKER_MIN_CALLS calls (the first was a success).
      for (
        let i = 0;
        i < BREAKER_MIN_CALLS && gateway.server.breakerStates()['subgraph:monitoring'] !== 'OPEN';
        i++
      ) {
        const { ms } = await timed(() => postGraphQL(gateway.url, '{ status }'));
        expect(ms).toBeLessThan(UNDER_DEADLINE_MS);
      }
      expect(gateway.server.breakerStates()['subgraph:monitoring']).toBe('OPEN');
      const rejected = (reason: string) =>
        metricValue(gateway.origin, 'atrium_gateway_subgraph_fetch_errors_total', {
          subgraph: 'monitoring',
          reason,
        });
      const timeouts = await rejected('timeout');
      expect(timeouts).toBeGreaterThanOrEqual(2);
      for (let i = 0; i < 21; i++) {
        const response = await postGraphQL(gateway.url, '{ status }');
        expect(response.body.errors?.[0]?.extensions?.code).toBe('SUBGRAPH_UNAVAILABLE');
      }
      // Every one was refused by the open breaker (how fast that is belongs to bench/results/gateway.md)…
      expect(await rejected('circuit_open')).toBe(21);
      // …and none of them reached the frozen subgraph.
      expect(await rejected('timeout')).toBe(timeouts);
      expect(
        await metricValue(gateway.origin, 'atrium_gateway_subgraph_breaker_state', {
          subgraph: 'monitoring',
        }),
      ).toBe(2);
      // Healthy subgraphs are untouched by another one's breaker.
      const mixed = await postGraphQL(gateway.url, '{ me { id } status }');
      expect(mixed.body.data).toEqual({ me: { id: 'u1' }, status: null });
    });
  });

  it('bounds the whole request by its deadline across sequential subgraph calls', async () => {
    const gateway = await gatewayFor({ monitoring: monitoring.url }, { REQUEST_DEADLINE_MS: '600' });
    knobs.generationDelayMs = 350;
    try {
      // identity (300 ms) then generation's entity fetch (350 ms): each under the 400 ms subgraph timeout,
      // together over the 600 ms deadline.
      const { value: response, ms } = await timed(() =>
        postGraphQL(gateway.url, '{ wait(ms: 300) me { id jobs { id } } }'),
      );
      // Each call alone is within its timeout, so only the deadline can have ended the request (code below).
      expect(ms).toBeGreaterThanOrEqual(580);
      expect(response.body.data).toEqual({ wait: 300, me: null });
      expect(response.body.errors?.[0]?.extensions).toMatchObject({
        code: 'GATEWAY_TIMEOUT',
        service: 'generation',
      });
      expect(
        await metricValue(gateway.origin, 'atrium_gateway_subgraph_fetch_errors_total', {
          reason: 'deadline',
        }),
      ).toBe(1);
    } finally {
      knobs.generationDelayMs = 0;
    }
  });

  describe('slow clients', () => {
    let gateway: TestGateway;
    beforeAll(async () => {
      gateway = await gatewayFor(
        { monitoring: monitoring.url },
        { HEADERS_TIMEOUT_MS: '1000', REQUEST_TIMEOUT_MS: '2000' },
      );
    });

    /** Opens `count` sockets that trickle one byte per second; resolves with when each was closed by the server. */
    async function trickle(count: number, preamble: string, payload: string): Promise<number[]> {
      const { port } = new URL(gateway.url);
      const started = performance.now();
      const sockets: Socket[] = [];
      const closed = Array.from({ length: count }, async () => {
        const socket = connect(Number(port), '127.0.0.1');
        sockets.push(socket);
        socket.on('error', () => undefined);
        socket.on('data', () => undefined);
        await new Promise((resolve) => socket.once('connect', resolve));
        socket.write(preamble);
        let i = 0;
        const timer = setInterval(
          () => socket.writable && socket.write(payload[i++ % payload.length]!),
          1000,
        );
        await new Promise((resolve) => socket.once('close', resolve));
        clearInterval(timer);
        return performance.now() - started;
      });
      try {
        return await Promise.all(closed);
      } finally {
        for (const socket of sockets) socket.destroy();
      }
    }

    const connections = () =>
      new Promise<number>((resolve, reject) =>
        gateway.server.httpServer.getConnections((error, n) => (error ? reject(error) : resolve(n))),
      );

    it('drops clients sending headers at 1 byte/s once the headers timeout passes', async () => {
      const closedAfter = await trickle(20, 'POST /graphql HTTP/1.1\r\nHost: x\r\n', 'X-Slow: aaaaaaaaaa');
      // The client never finishes its headers; Node's default 30 s checking interval would hold it far longer.
      for (const ms of closedAfter) expect(ms).toBeLessThan(CLOSED_BY_SERVER_MS);
      expect(await connections()).toBe(0);
    });

    it('drops clients sending the body at 1 byte/s once the request timeout passes', async () => {
      const headers =
        'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n';
      const closedAfter = await trickle(20, headers, '{"query":"{ me { id } }"}');
      for (const ms of closedAfter) expect(ms).toBeLessThan(CLOSED_BY_SERVER_MS);
      expect(await connections()).toBe(0);
      // Healthy clients are still served.
      expect((await postGraphQL(gateway.url, '{ me { id } }')).body.data).toEqual({ me: { id: 'u1' } });
    });
  });
});
