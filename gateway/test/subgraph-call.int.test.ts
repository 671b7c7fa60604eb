// The subgraph call path's savings (assertions reused, identical fetches shared) against a real HTTP subgraph on
// port 0, which answers with the principal of the assertion it received. Both must never cross principals.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { parse } from 'graphql';
import {
  ANONYMOUS,
  INTERNAL_ASSERTION_HEADER,
  verifyInternalAssertion,
  type Principal,
} from '@atrium/platform/auth';
import { createMetrics } from '@atrium/platform/metrics';
import { loadGatewayConfig } from '../src/config';
import type { GatewayContext } from '../src/context';
import { SubgraphDataSource, type SubgraphAnswer } from '../src/data-source';
import { AssertionCache } from '../src/subgraph/assertions';
import { InflightDedup } from '../src/subgraph/dedup';
import { EntityBudget } from '../src/subgraph/entity-budget';
import { SubgraphHttpClient } from '../src/subgraph/http-client';
import { SubgraphPolicies } from '../src/subgraph/resilience';
import { silentLogger } from '@atrium/platform/testing';

const SECRET = 'subgraph-call-test-secret-0123456789abcdef';

const user = (userId: string): Principal => ({
  ...ANONYMOUS,
  kind: 'user',
  userId,
  roles: ['MEMBER'],
  sessionId: `session-${userId}`,
});

interface Received {
  assertion: string;
  principal: Principal;
  body: string;
}

/** A subgraph that holds every answer until released, so concurrent calls are really concurrent. */
async function gatedSubgraph() {
  const received: Received[] = [];
  let release!: () => void;
  let gate = new Promise<void>((resolve) => (release = resolve));
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const assertion = req.headers[INTERNAL_ASSERTION_HEADER] as string;
      void verifyInternalAssertion(assertion, { secret: SECRET, audience: 'identity' }).then(
        async ({ principal }) => {
          received.push({ assertion, principal, body });
          await gate;
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ data: { me: { id: principal.userId, tags: ['a'] } } }));
        },
        () => res.writeHead(401).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    received,
    release: () => release(),
    rearm: () => void (gate = new Promise<void>((resolve) => (release = resolve))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function dataSourceFor(url: string, options: { dedup: boolean }) {
  const config = loadGatewayConfig({ INTERNAL_TOKEN_SECRET: SECRET });
  const metrics = createMetrics({ service: 'gateway', collectDefaults: false });
  const client = new SubgraphHttpClient(config.resilience);
  const policies = new SubgraphPolicies(config.resilience, metrics);
  const assertions = new AssertionCache({ secret: SECRET });
  const dataSource = new SubgraphDataSource({
    name: 'identity',
    url,
    client,
    policies,
    assertions,
    dedup: options.dedup ? new InflightDedup<SubgraphAnswer>() : undefined,
    entities: new EntityBudget(config.entityLimits),
  });
  const shared = async () =>
    (await metrics.registry.metrics()).match(
      /gateway_subgraph_fetch_dedup_total{subgraph="identity"[^}]*} (\d+)/,
    )?.[1] ?? '0';
  return {
    dataSource,
    shared,
    dispose: () => {
      policies.dispose();
      client.close();
    },
  };
}

const log = silentLogger('test');

function call(dataSource: SubgraphDataSource, principal: Principal, query = '{ me { id tags } }') {
  const context: GatewayContext = { principal, requestId: `req-${principal.userId}-0001`, log };
  return callWith(dataSource, context, query);
}

function callWith(dataSource: SubgraphDataSource, context: GatewayContext, query = '{ me { id tags } }') {
  return dataSource.process({
    kind: 'incoming operation',
    request: { query },
    document: parse(query),
    context,
    incomingRequestContext: {},
  } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>);
}

describe('subgraph calls', () => {
  const leftovers: Array<() => unknown> = [];
  afterEach(async () => {
    for (const dispose of leftovers.splice(0).reverse()) await dispose();
  });

  async function setup(options = { dedup: true }) {
    const subgraph = await gatedSubgraph();
    leftovers.push(subgraph.close);
    const built = dataSourceFor(subgraph.url, options);
    leftovers.push(built.dispose);
    return { subgraph, ...built };
  }

  it('shares an identical query in flight only within one principal, each caller with its own copy', async () => {
    const { subgraph, dataSource, shared } = await setup();
    const alice1 = call(dataSource, user('alice'));
    const alice2 = call(dataSource, user('alice'));
    const bob = call(dataSource, user('bob'));
    subgraph.release();
    const answers = await Promise.all([alice1, alice2, bob]);
    expect(answers.map((a) => (a.data?.me as { id: string }).id)).toEqual(['alice', 'alice', 'bob']);
    // alice's two identical fetches made one call; bob's identical query was never answered with alice's data.
    expect(subgraph.received.map((r) => r.principal.userId).sort()).toEqual(['alice', 'bob']);
    expect(await shared()).toBe('1');
    // Each caller owns its answer: the executor merges into it.
    expect(answers[0]!.data).not.toBe(answers[1]!.data);
    (answers[0]!.data!.me as { tags: string[] }).tags.push('mutated');
    expect((answers[1]!.data!.me as { tags: string[] }).tags).toEqual(['a']);
  });

  it('never shares a mutation, and shares nothing once dedup is off', async () => {
    const { subgraph, dataSource, shared } = await setup();
    const mutation = 'mutation { me { id tags } }';
    const both = Promise.all([
      call(dataSource, user('alice'), mutation),
      call(dataSource, user('alice'), mutation),
    ]);
    subgraph.release();
    await both;
    expect(subgraph.received).toHaveLength(2);
    expect(await shared()).toBe('0');

    const off = await setup({ dedup: false });
    const queries = Promise.all([call(off.dataSource, user('alice')), call(off.dataSource, user('alice'))]);
    off.subgraph.release();
    await queries;
    expect(off.subgraph.received).toHaveLength(2);
  });

  it('reuses an assertion for the same principal and never for another one', async () => {
    const { subgraph, dataSource } = await setup({ dedup: false });
    subgraph.release();
    await call(dataSource, user('alice'));
    await call(dataSource, user('alice'));
    await call(dataSource, user('bob'));
    const [first, second, third] = subgraph.received;
    expect(second!.assertion).toBe(first!.assertion);
    expect(third!.assertion).not.toBe(first!.assertion);
    expect(third!.principal.userId).toBe('bob');
  });

  it('asserts the principal a request context holds at each call, even when it was replaced', async () => {
    const { subgraph, dataSource } = await setup();
    subgraph.release();
    const context: GatewayContext = { principal: user('alice'), requestId: 'req-shared-0001', log };
    await callWith(dataSource, context);
    context.principal = user('bob');
    const answer = await callWith(dataSource, context);
    expect((answer.data?.me as { id: string }).id).toBe('bob');
    expect(subgraph.received.map((r) => r.principal.userId)).toEqual(['alice', 'bob']);
  });
});

describe('AssertionCache', () => {
  afterEach(() => jest.useRealTimers());

  it('signs anew once half the lifetime is gone, so a reused assertion always has 30 s or more to live', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'], now: 1_800_000_000_000 });
    const results: string[] = [];
    const cache = new AssertionCache({ secret: SECRET, onResult: (result) => results.push(result) });
    const subject = { principal: user('alice'), clientIp: '10.0.0.1' };
    const first = await cache.get(subject, 'identity');
    jest.setSystemTime(1_800_000_029_000);
    expect(await cache.get(subject, 'identity')).toBe(first);
    jest.setSystemTime(1_800_000_030_000);
    const renewed = await cache.get(subject, 'identity');
    expect(renewed).not.toBe(first);
    expect(results).toEqual(['signed', 'reused', 'signed']);
    const exp = (token: string) =>
      (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp;
    expect(exp(first) - 1_800_000_029).toBeGreaterThanOrEqual(30);
    expect(exp(renewed)).toBe(1_800_000_090);
  });

  it('keys on everything the assertion says: principal, audience, client address and User-Agent', async () => {
    const cache = new AssertionCache({ secret: SECRET });
    const base = { principal: user('alice'), clientIp: '10.0.0.1', userAgent: 'ua' };
    const token = await cache.get(base, 'identity');
    const variants = [
      cache.get({ ...base, principal: user('bob') }, 'identity'),
      cache.get({ ...base, principal: { ...user('alice'), roles: ['ADMIN'] } }, 'identity'),
      cache.get({ ...base, principal: { ...user('alice'), sessionId: 'other' } }, 'identity'),
      cache.get({ ...base, clientIp: '10.0.0.2' }, 'identity'),
      cache.get({ ...base, userAgent: 'other' }, 'identity'),
      cache.get(base, 'generation'),
    ];
    for (const other of await Promise.all(variants)) expect(other).not.toBe(token);
    expect(await cache.get({ ...base, principal: user('alice') }, 'identity')).toBe(token);
    const claims = await verifyInternalAssertion(token, { secret: SECRET, audience: 'identity' });
    expect(claims.principal.userId).toBe('alice');
    expect(claims.clientIp).toBe('10.0.0.1');
  });
});
