// A subgraph's own graphql-ws endpoint probed directly, with a forged development assertion, the way an
// attacker inside the network would: only subscriptions, no introspection, masked errors, bad operations
// answered (never a socket close), assertion lifetime enforced, and a consumer that stops reading dropped.
import { execFileSync } from 'node:child_process';
import { EventEmitter, on } from 'node:events';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createClient, type Client } from 'graphql-ws';
import { parse } from 'graphql';
import WebSocket from 'ws';
import { INTERNAL_ASSERTION_HEADER, signInternalAssertion, ANONYMOUS, type Principal } from '../../src/auth';
import { createSubgraphServer, type SubgraphServer } from '../../src/server';
import { RENEW_PING_KEY } from '../../src/server/subscriptions';
import { Leftovers, LogCapture } from '../../src/testing';

/** Established TCP connections accepted by the server on `port` (its side of each socket). */
function serverSideConnections(port: number): number {
  const out = execFileSync('ss', ['-Htn', 'state', 'established', `( sport = :${port} )`], {
    encoding: 'utf8',
  });
  return out.split('\n').filter((line) => line.trim() !== '').length;
}

const SECRET = 'subgraph-ws-test-secret-0123456789abcdef0123';
const MEMBER: Principal = { ...ANONYMOUS, kind: 'user', userId: 'u1', roles: ['MEMBER'], sessionId: 's1' };

const TYPE_DEFS = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Query { hello: String deep: Deep }
type Deep { next: Deep value: Int }
type Mutation { wipe: Boolean }
type Subscription { beats: String! crashing: String! flood: String! whoAmI: String! }
`;

describe('a subgraph graphql-ws endpoint reached directly', () => {
  const leftovers = new Leftovers();
  const beats = new EventEmitter();
  const logs = new LogCapture('probe', { level: 'info' });
  let server: SubgraphServer;
  let wsUrl: string;

  beforeAll(async () => {
    const schema = buildSubgraphSchema({
      typeDefs: parse(TYPE_DEFS),
      resolvers: {
        Query: { hello: () => 'world', deep: () => ({}) },
        Mutation: { wipe: () => true },
        Subscription: {
          beats: {
            subscribe: async function* (_: unknown, _args: unknown, context: { signal?: AbortSignal }) {
              void context;
              for await (const [beat] of on(beats, 'beat')) yield { beats: beat as string };
            },
          },
          crashing: {
            subscribe: async function* () {
              yield { crashing: 'first' };
            },
            resolve: () => {
              throw new Error('relation "users" does not exist: SELECT password_hash FROM users');
            },
          },
          flood: {
            subscribe: async function* () {
              const chunk = 'x'.repeat(64 * 1024);
              for (;;) {
                yield { flood: chunk };
                await new Promise((resolve) => setImmediate(resolve));
              }
            },
          },
          whoAmI: {
            subscribe: async function* (_: unknown, _args: unknown, context: { principal: Principal }) {
              yield { whoAmI: context.principal.userId ?? 'anonymous' };
            },
          },
        },
      } as never,
    });
    server = await createSubgraphServer({
      name: 'probe',
      schema,
      permissions: {},
      internalSecret: SECRET,
      log: logs.log,
      context: (base) => base,
    });
    leftovers.defer(() => server.stop());
    wsUrl = (await server.listen(0, '127.0.0.1')).url.replace('http://', 'ws://');
  });
  afterAll(() => leftovers.dispose());

  const assertion = (principal: Principal, ttlSeconds = 60) =>
    signInternalAssertion(principal, { secret: SECRET, audience: 'probe', ttlSeconds });

  function client(options: { ttlSeconds?: number } = {}): Client {
    const created = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: async () => ({
        [INTERNAL_ASSERTION_HEADER]: await assertion(MEMBER, options.ttlSeconds),
      }),
    });
    leftovers.defer(() => created.dispose());
    return created;
  }

  async function run(c: Client, query: string, extensions?: Record<string, unknown>) {
    const results: unknown[] = [];
    try {
      for await (const result of c.iterate({ query, extensions })) results.push(result);
      return { results };
    } catch (error) {
      return { results, error };
    }
  }

  const codes = (outcome: { results: unknown[]; error?: unknown }) =>
    ((outcome.error as Array<{ extensions?: { code?: string } }>) ?? []).map((e) => e.extensions?.code);

  it('serves only subscriptions: introspection, queries, mutations, deep and aliased operations are refused on a socket that stays open', async () => {
    const c = client();
    expect(new Set(codes(await run(c, '{ __schema { types { name } } }')))).toEqual(
      new Set(['GRAPHQL_VALIDATION_FAILED']),
    );
    expect(codes(await run(c, 'subscription { __schema { types { name } } }'))[0]).toBe(
      'GRAPHQL_VALIDATION_FAILED',
    );
    expect(codes(await run(c, 'mutation { wipe }'))).toEqual(['BAD_REQUEST']);
    expect(codes(await run(c, '{ hello }'))).toEqual(['BAD_REQUEST']);
    const deep = `{ deep { ${'next { '.repeat(15)} value ${'} '.repeat(15)} } }`;
    expect(codes(await run(c, deep))).toContain('GRAPHQL_VALIDATION_FAILED');
    const aliases = `subscription { ${Array.from({ length: 40 }, (_, i) => `a${i}: beats`).join(' ')} }`;
    expect(codes(await run(c, aliases))).toContain('GRAPHQL_VALIDATION_FAILED');
    // A syntax error is an error message for that operation, not a 4500 close of everyone's socket.
    expect(codes(await run(c, 'subscription { whoAmI'))).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect((await run(c, 'subscription { whoAmI }')).results).toEqual([{ data: { whoAmI: 'u1' } }]);
  });

  it('masks an unexpected error to INTERNAL_SERVER_ERROR and logs it', async () => {
    const outcome = await run(client(), 'subscription { crashing }');
    const text = JSON.stringify(outcome);
    expect(text).toContain('INTERNAL_SERVER_ERROR');
    expect(text).not.toContain('password_hash');
    expect(logs.raw.some((line) => line.includes('password_hash'))).toBe(true);
  });

  it('runs an operation as the subscriber named by its own assertion, and refuses a forged one', async () => {
    const c = client();
    const bob = { ...MEMBER, userId: 'bob' };
    const own = { [INTERNAL_ASSERTION_HEADER]: await assertion(bob) };
    expect((await run(c, 'subscription { whoAmI }', own)).results).toEqual([{ data: { whoAmI: 'bob' } }]);
    const forged = { [INTERNAL_ASSERTION_HEADER]: 'forged.assertion.value' };
    expect(codes(await run(c, 'subscription { whoAmI }', forged))).toEqual(['UNAUTHENTICATED']);
  });

  // Assertions get the same 5 s clock tolerance as over HTTP, so this waits about 6 s.
  it('ends an operation whose assertion expires without renewal, and keeps one that is renewed', async () => {
    let socket: WebSocket | undefined;
    const raw = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: async () => ({ [INTERNAL_ASSERTION_HEADER]: await assertion(MEMBER) }),
      on: { connected: (s) => (socket = s as WebSocket) },
    });
    leftovers.defer(() => raw.dispose());
    const short = async () => ({
      [INTERNAL_ASSERTION_HEADER]: await assertion(MEMBER, 1),
      operationId: 'op',
    });
    const expiring = run(raw, 'subscription { beats }', await short());
    const renewedResults: unknown[] = [];
    const renewedExtensions = { ...(await short()), operationId: 'renewed' };
    const renewed = raw.subscribe(
      { query: 'subscription { beats }', extensions: renewedExtensions },
      { next: (r) => void renewedResults.push(r), error: () => undefined, complete: () => undefined },
    );
    // Renew only the second one, every half second, as the gateway does at half of an assertion's life.
    const timer = setInterval(async () => {
      const fresh = await assertion(MEMBER, 1);
      socket?.send(JSON.stringify({ type: 'ping', payload: { [RENEW_PING_KEY]: { renewed: fresh } } }));
    }, 300);
    leftovers.defer(() => clearInterval(timer));
    const outcome = await expiring;
    expect(JSON.stringify(outcome)).toContain('assertion_expired');
    beats.emit('beat', 'still alive');
    while (!renewedResults.some((r) => JSON.stringify(r).includes('still alive')))
      await new Promise((resolve) => setTimeout(resolve, 20));
    clearInterval(timer);
    renewed();
  }, 30_000);

  it('drops a consumer that stops reading instead of buffering without bound', async () => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(
      JSON.stringify({
        type: 'connection_init',
        payload: { [INTERNAL_ASSERTION_HEADER]: await assertion(MEMBER) },
      }),
    );
    await new Promise((resolve) => socket.once('message', resolve));
    const port = Number(new URL(wsUrl).port);
    expect(serverSideConnections(port)).toBeGreaterThan(0);
    // Stop reading: the kernel buffers fill, then the server's own bound on unsent bytes is reached.
    (socket as unknown as { _socket: { pause(): void } })._socket.pause();
    for (let i = 0; i < 300; i++) {
      socket.send(
        JSON.stringify({ id: String(i), type: 'subscribe', payload: { query: 'subscription { flood }' } }),
      );
    }
    while (serverSideConnections(port) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    socket.terminate();
  });
});
