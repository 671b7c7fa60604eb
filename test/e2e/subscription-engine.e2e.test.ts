// The subscription engine's mechanics through the real gateway and real graphql-ws clients, on a ticker
// subgraph the test drives event by event: close codes, token expiry, sharing and release of upstreams, caps,
// rate limits, a dead identity or ticker, schema reload, and 1,000 subscribe/unsubscribe cycles.
import type { Client } from 'graphql-ws';
import { Leftovers } from '@atrium/platform/testing';
import { startIdentity } from './gateway-graph';
import {
  composeSupergraph,
  metricValue,
  startGateway,
  type TestGateway,
  type TinySubgraph,
} from './gateway-harness';
import { accessToken, Channels, startTicker, testAuthenticator } from './subscription-graph';
import { eventually, rawSocket, wsClient, type WsResult } from '../src/ws-client';

jest.setTimeout(60_000);

const TICKS = 'subscription($c: String!) { ticks(channel: $c) { channel n by { id name } } }';

interface Tick {
  ticks: { channel: string; n: number; by: { id: string; name: string } | null };
}

/** The extensions of the first error a refused subscription got (as a graphql-ws `error` message or a result). */
async function refusal(sub: ReturnType<typeof watch>): Promise<Record<string, unknown> | undefined> {
  const { error } = await sub.done;
  const list = Array.isArray(error) ? (error as WsResult['errors']) : sub.results[0]?.errors;
  return list?.[0]?.extensions;
}

/** A client that keeps its socket (not lazy), so a test sees the close code the gateway sends. */
function eagerClient(url: string, authorization: string, onClosed: (code: number) => void) {
  return wsClient(url, authorization, {
    lazy: false,
    onNonLazyError: () => undefined,
    on: { closed: (event) => onClosed((event as { code: number }).code) },
  });
}

/** A subscription whose results the test reads as they come. */
function watch(client: Client, channel: string, query = TICKS) {
  const results: WsResult<Tick>[] = [];
  let ended: (value: { error?: unknown }) => void = () => undefined;
  const done = new Promise<{ error?: unknown }>((resolve) => (ended = resolve));
  const stop = client.subscribe<Tick>(
    { query, variables: { c: channel } },
    {
      next: (result) => void results.push(result as WsResult<Tick>),
      error: (error) => ended({ error }),
      complete: () => ended({}),
    },
  );
  return { results, done, stop };
}

describe('the subscription engine', () => {
  const leftovers = new Leftovers();
  const channels = new Channels();
  const revoked = new Set<string>();
  let identity: TinySubgraph;
  let ticker: TinySubgraph;
  let supergraph: string;

  beforeAll(async () => {
    identity = leftovers.add(await startIdentity(), (s) => s.server.stop());
    ticker = leftovers.add(await startTicker(channels), (s) => s.server.stop());
    supergraph = composeSupergraph([identity, ticker]);
  });
  afterAll(() => leftovers.dispose());

  async function gateway(env: Record<string, string> = {}): Promise<TestGateway> {
    const started = await startGateway({
      supergraphSdl: supergraph,
      urls: { identity: identity.url, generation: ticker.url },
      authenticator: testAuthenticator(revoked),
      env: {
        SUBSCRIPTION_INIT_TIMEOUT_MS: '300',
        SUBSCRIPTION_UPSTREAM_RETRIES: '1',
        SUBSCRIPTION_UPSTREAM_RETRY_BASE_MS: '20',
        SUBSCRIPTION_UPSTREAM_LAZY_CLOSE_MS: '0',
        SUBSCRIPTION_CREDENTIAL_RECHECK_MS: '100',
        ...env,
      },
    });
    leftovers.defer(() => started.stop());
    return started;
  }

  function client(gw: TestGateway, authorization: string | undefined = accessToken('u1')) {
    const created = wsClient(gw.url, authorization);
    leftovers.defer(() => created.dispose());
    return created;
  }

  describe('on one gateway', () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await gateway();
    });

    it('runs `rest` per event: every tick carries its subscriber resolved by identity, in order', async () => {
      channels.publish('a', 1);
      const sub = watch(client(gw), 'a');
      await eventually(() => sub.results.length === 1);
      channels.publish('a', 2);
      channels.publish('a', 3);
      await eventually(() => sub.results.length === 3);
      sub.stop();
      expect(sub.results).toEqual(
        [1, 2, 3].map((n) => ({ data: { ticks: { channel: 'a', n, by: { id: 'u1', name: 'User u1' } } } })),
      );
    });

    it('shares one upstream between identical subscriptions of one user and releases it with the last', async () => {
      const first = watch(client(gw), 'shared');
      const second = watch(client(gw), 'shared');
      const other = watch(client(gw, accessToken('u2')), 'shared');
      await eventually(() => [first, second, other].every((s) => s.results.length === 1));
      // u1's two subscriptions share an upstream; u2 has its own.
      expect(channels.listenerCount('shared')).toBe(2);
      expect(await metricValue(gw.origin, 'atrium_gateway_subscription_upstream_streams')).toBe(2);
      channels.publish('shared', 7);
      await eventually(() => [first, second, other].every((s) => s.results.length === 2));
      expect(other.results[1]!.data!.ticks.by!.id).toBe('u2');
      first.stop();
      second.stop();
      other.stop();
      await eventually(() => channels.listenerCount('shared') === 0);
      await eventually(
        async () => (await metricValue(gw.origin, 'atrium_gateway_subscription_upstream_streams')) === 0,
      );
      expect(await metricValue(gw.origin, 'atrium_gateway_subscriptions_active')).toBe(0);
    });

    it("refuses another user's channel with the subgraph's FORBIDDEN and keeps the socket", async () => {
      const c = client(gw);
      const denied = watch(c, 'private-u2');
      expect(await denied.done).toEqual({});
      expect(denied.results).toEqual([
        expect.objectContaining({
          errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })],
        }),
      ]);
      const mine = watch(c, 'private-u1');
      await eventually(() => mine.results.length === 1);
      mine.stop();
    });

    it.each([
      ['a malformed frame', 4400, [{ type: 'connection_init' }, 'not json']],
      [
        'a subscribe before the ack',
        4401,
        [{ id: '1', type: 'subscribe', payload: { query: '{ __typename }' } }],
      ],
      [
        'a second connection_init',
        4429,
        [
          { type: 'connection_init', payload: { authorization: accessToken('u1') } },
          { type: 'connection_init', payload: { authorization: accessToken('u1') } },
        ],
      ],
      [
        'an expired token',
        4403,
        [{ type: 'connection_init', payload: { authorization: accessToken('u1', -60) } }],
      ],
      ['no connection_init in time', 4408, []],
    ])('closes on %s with %i', async (_label, code, messages) => {
      const raw = await rawSocket(gw.url);
      await raw.opened;
      for (const message of messages as unknown[]) raw.send(message);
      expect((await raw.closed).code).toBe(code);
    });

    it('closes on a duplicate subscription id with 4409', async () => {
      const raw = await rawSocket(gw.url);
      await raw.opened;
      raw.send({ type: 'connection_init', payload: { authorization: accessToken('u1') } });
      await eventually(() => raw.messages.some((m) => m.type === 'connection_ack'));
      const subscribe = { id: 'same', type: 'subscribe', payload: { query: TICKS, variables: { c: 'dup' } } };
      raw.send(subscribe);
      raw.send(subscribe);
      expect((await raw.closed).code).toBe(4409);
    });

    it('ends the subscriptions of an expiring access token with SUBSCRIPTION_JWT_EXPIRED, then closes 4403', async () => {
      let closeCode: number | undefined;
      const c = eagerClient(gw.url, accessToken('u3', 2), (code) => (closeCode = code));
      leftovers.defer(() => c.dispose());
      const sub = watch(c, 'expiring');
      await eventually(() => sub.results.length === 1);
      const outcome = await sub.done;
      expect(outcome.error ?? null).toBeNull();
      const last = sub.results[sub.results.length - 1]!;
      expect(last.errors?.[0]?.extensions?.code).toBe('SUBSCRIPTION_JWT_EXPIRED');
      await eventually(() => closeCode !== undefined);
      expect(closeCode).toBe(4403);
      // Nothing reaches a client after its token expired.
      channels.publish('expiring', 99);
      await new Promise((resolve) => setImmediate(resolve));
      expect(sub.results.some((r) => r.data?.ticks.n === 99)).toBe(false);
    });

    it('ends the subscriptions of a revoked API key with UNAUTHENTICATED, then closes 4403', async () => {
      let closeCode: number | undefined;
      const c = eagerClient(gw.url, 'Bearer atr_u4', (code) => (closeCode = code));
      leftovers.defer(() => c.dispose());
      const sub = watch(c, 'key');
      await eventually(() => sub.results.length === 1);
      expect(sub.results[0]!.data!.ticks.by!.id).toBe('u4');
      revoked.add('atr_u4');
      expect(await sub.done).toEqual({});
      expect(sub.results[sub.results.length - 1]!.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      await eventually(() => closeCode !== undefined);
      expect(closeCode).toBe(4403);
    });

    it('leaves no subscription, upstream, listener or timer behind after 1,000 subscribe/unsubscribe cycles', async () => {
      const c = client(gw);
      const warm = watch(c, 'cycles');
      await eventually(() => warm.results.length === 1);
      warm.stop();
      await eventually(() => channels.listenerCount('cycles') === 0);
      const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
      const before = { timers: timers(), sockets: gw.server.subscriptions.upstreamCounts().sockets };
      for (let i = 0; i < 1000; i++) {
        const sub = watch(c, 'cycles');
        if (i % 2 === 0) await eventually(() => sub.results.length === 1);
        sub.stop();
      }
      await eventually(() => gw.server.subscriptions.activeCount === 0);
      await eventually(() => gw.server.subscriptions.upstreamCounts().streams === 0);
      await eventually(() => channels.listenerCount('cycles') === 0);
      expect(await metricValue(gw.origin, 'atrium_gateway_subscriptions_active')).toBe(0);
      expect(await metricValue(gw.origin, 'atrium_gateway_subscription_upstream_streams')).toBe(0);
      expect(gw.server.subscriptions.upstreamCounts().sockets).toBeLessThanOrEqual(before.sockets + 1);
      await eventually(() => timers() <= before.timers);
    });
  });

  it('applies the caps per connection, per user and in total with SUBSCRIPTION_MAX_LIMIT', async () => {
    const gw = await gateway({
      SUBSCRIPTION_MAX_PER_CONNECTION: '2',
      SUBSCRIPTION_MAX_PER_USER: '3',
      SUBSCRIPTION_MAX_TOTAL: '4',
    });
    const codeOf = refusal;
    const one = client(gw, accessToken('cap1'));
    const opened = [watch(one, 'c1'), watch(one, 'c2')];
    await eventually(() => opened.every((s) => s.results.length === 1));
    // A third on the same connection.
    expect(await codeOf(watch(one, 'c3'))).toEqual(
      expect.objectContaining({ code: 'SUBSCRIPTION_MAX_LIMIT', limit: 'per connection' }),
    );
    // A third of the same user on another connection.
    const two = client(gw, accessToken('cap1'));
    opened.push(watch(two, 'c3'));
    await eventually(() => opened[2]!.results.length === 1);
    expect(await codeOf(watch(two, 'c4'))).toEqual(
      expect.objectContaining({ code: 'SUBSCRIPTION_MAX_LIMIT', limit: 'per user' }),
    );
    // The gateway's total.
    const three = client(gw, accessToken('cap2'));
    opened.push(watch(three, 'c5'));
    await eventually(() => opened[3]!.results.length === 1);
    expect(await codeOf(watch(three, 'c6'))).toEqual(
      expect.objectContaining({ code: 'SUBSCRIPTION_MAX_LIMIT', limit: 'per gateway' }),
    );
    for (const sub of opened) sub.stop();
    expect(
      await metricValue(gw.origin, 'atrium_gateway_subscription_rejections_total', { reason: 'max_limit' }),
    ).toBe(3);
  });

  it('rate-limits subscribe messages per user like requests (RATE_LIMITED)', async () => {
    const gw = await gateway({ RATE_LIMIT_USER_PER_MINUTE: '2' });
    const c = client(gw, accessToken('rl'));
    const first = watch(c, 'r1');
    const second = watch(c, 'r2');
    await eventually(() => first.results.length === 1 && second.results.length === 1);
    expect(await refusal(watch(c, 'r3'))).toEqual(expect.objectContaining({ code: 'RATE_LIMITED' }));
    first.stop();
    second.stop();
  });

  it('keeps delivering with `by` null and a coded error while identity is down', async () => {
    const ownIdentity = await startIdentity();
    leftovers.defer(() => ownIdentity.server.stop());
    const gw = await startGateway({
      supergraphSdl: composeSupergraph([{ ...identity, url: ownIdentity.url }, ticker]),
      urls: { identity: ownIdentity.url, generation: ticker.url },
      authenticator: testAuthenticator(),
    });
    leftovers.defer(() => gw.stop());
    const sub = watch(client(gw), 'idown');
    await eventually(() => sub.results.length === 1);
    expect(sub.results[0]!.data!.ticks.by).toEqual({ id: 'u1', name: 'User u1' });
    await ownIdentity.server.stop();
    channels.publish('idown', 5);
    await eventually(() => sub.results.length === 2);
    expect(sub.results[1]).toEqual({
      data: { ticks: { channel: 'idown', n: 5, by: null } },
      errors: [
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE' }) }),
      ],
    });
    expect(JSON.stringify(sub.results[1])).not.toContain('127.0.0.1');
    channels.publish('idown', 6);
    await eventually(() => sub.results.length === 3);
    sub.stop();
  });

  it('ends subscriptions with SUBSCRIPTION_UPSTREAM_ERROR when the owning subgraph is gone for good', async () => {
    const ownTicker = await startTicker(channels);
    const gw = await startGateway({
      supergraphSdl: composeSupergraph([identity, { ...ticker, url: ownTicker.url }]),
      urls: { identity: identity.url, generation: ownTicker.url },
      authenticator: testAuthenticator(),
      env: { SUBSCRIPTION_UPSTREAM_RETRIES: '2', SUBSCRIPTION_UPSTREAM_RETRY_BASE_MS: '20' },
    });
    leftovers.defer(() => gw.stop());
    const sub = watch(client(gw), 'udown');
    await eventually(() => sub.results.length === 1);
    await ownTicker.server.stop();
    expect(await sub.done).toEqual({});
    const last = sub.results[sub.results.length - 1]!;
    expect(last.errors?.[0]?.extensions).toEqual(
      expect.objectContaining({ code: 'SUBSCRIPTION_UPSTREAM_ERROR', service: 'generation' }),
    );
    await eventually(async () => (await metricValue(gw.origin, 'atrium_gateway_subscriptions_active')) === 0);
  });

  it('ends subscriptions with SUBSCRIPTION_SCHEMA_RELOAD when a new supergraph is loaded', async () => {
    const gw = await gateway();
    const sub = watch(client(gw), 'reload');
    await eventually(() => sub.results.length === 1);
    gw.server.reloadSupergraph(`${supergraph}\n# reloaded\n`);
    expect(await sub.done).toEqual({});
    expect(sub.results[sub.results.length - 1]!.errors?.[0]?.extensions?.code).toBe(
      'SUBSCRIPTION_SCHEMA_RELOAD',
    );
    // A new subscription is served by the new schema.
    const again = watch(client(gw), 'reload');
    await eventually(() => again.results.length === 1);
    expect(again.results[0]!.data!.ticks.channel).toBe('reload');
    again.stop();
  });

  it('stops with SUBSCRIPTION_SHUTDOWN and close 1001', async () => {
    const gw = await startGateway({
      supergraphSdl: supergraph,
      urls: { identity: identity.url, generation: ticker.url },
      authenticator: testAuthenticator(),
    });
    let closeCode: number | undefined;
    const c = eagerClient(gw.url, accessToken('u1'), (code) => (closeCode = code));
    leftovers.defer(() => c.dispose());
    const sub = watch(c, 'bye');
    await eventually(() => sub.results.length === 1);
    await gw.stop();
    await sub.done;
    expect(sub.results[sub.results.length - 1]!.errors?.[0]?.extensions?.code).toBe('SUBSCRIPTION_SHUTDOWN');
    await eventually(() => closeCode !== undefined);
    expect(closeCode).toBe(1001);
  });
});
