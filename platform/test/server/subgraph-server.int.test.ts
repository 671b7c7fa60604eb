import 'reflect-metadata';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { INTERNAL_ASSERTION_HEADER, signInternalAssertion, ANONYMOUS, type Principal } from '../../src/auth';
import { currentRequestContext, type RequestContext } from '../../src/logging';
import { createSubgraphServer, type BaseContext, type SubgraphServer } from '../../src/server';
import { Leftovers, LogCapture, postGraphQL } from '../../src/testing';
import { fixturePermissions, fixtureSchema } from './fixture-schema';

const SECRET = 'subgraph-server-test-secret-0123456789abcdef';
const MEMBER: Principal = { ...ANONYMOUS, kind: 'user', userId: 'u1', roles: ['MEMBER'] };

describe('createSubgraphServer', () => {
  const leftovers = new Leftovers();
  const logs = new LogCapture('fixture', { level: 'info' });
  let server: SubgraphServer;
  let url: string;
  // What each operation's context was built with, and whether an AsyncLocalStorage request context was current.
  const contexts: Array<{ current: RequestContext | undefined; base: BaseContext }> = [];

  beforeAll(async () => {
    const { log } = logs;
    const schema = fixtureSchema();
    server = await createSubgraphServer({
      name: 'fixture',
      schema,
      permissions: fixturePermissions(schema),
      internalSecret: SECRET,
      log,
      context: (base) => {
        contexts.push({ current: currentRequestContext(), base });
        return base;
      },
    });
    leftovers.defer(() => server.stop());
    url = (await server.listen(0, '127.0.0.1')).url;
  });
  afterAll(() => leftovers.dispose());

  const as = async (principal: Principal, audience = 'fixture') => ({
    [INTERNAL_ASSERTION_HEADER]: await signInternalAssertion(principal, { secret: SECRET, audience }),
  });

  it('refuses a request without a gateway assertion with 401 before parsing it', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      errors: [
        { message: 'Unauthorized: missing internal assertion', extensions: { code: 'UNAUTHENTICATED' } },
      ],
    });
  });

  it('answers a caller with a valid assertion, applying shield rules per principal', async () => {
    expect((await postGraphQL(url, '{ hello }', { headers: await as(ANONYMOUS) })).body.data).toEqual({
      hello: 'world',
    });
    const anonymous = await postGraphQL(url, '{ note(id: "1") { text } }', { headers: await as(ANONYMOUS) });
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const member = await postGraphQL(url, '{ note(id: "1") { text } adminOnly }', {
      headers: await as(MEMBER),
    });
    expect(member.body.data).toBeNull();
    expect(member.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  });

  it('denies a field that has no rule', async () => {
    const response = await postGraphQL(url, '{ unruled }', { headers: await as(MEMBER) });
    expect(response.body.errors?.[0]).toMatchObject({
      message: 'Not authorised',
      extensions: { code: 'FORBIDDEN' },
    });
  });

  it('passes coded domain errors through shield with their code and message', async () => {
    const response = await postGraphQL(url, '{ missing }', { headers: await as(MEMBER) });
    expect(response.body.errors?.[0]).toMatchObject({
      message: 'No such note',
      extensions: { code: 'NOT_FOUND' },
    });
  });

  it("serves outside AsyncLocalStorage, handing the request's correlation and trace to the context", async () => {
    const traceId = 'a'.repeat(31) + 'b';
    const parentSpan = 'c'.repeat(15) + 'd';
    await postGraphQL(url, '{ hello }', {
      headers: {
        ...(await as(MEMBER)),
        'x-request-id': 'req-context-0001',
        traceparent: `00-${traceId}-${parentSpan}-01`,
      },
    });
    const built = contexts.find((c) => c.base.requestId === 'req-context-0001');
    expect(built?.current).toBeUndefined();
    // No spans exported here: the caller's span stays the current one, so a queued job continues the trace.
    expect(built?.base.trace).toEqual({
      requestId: 'req-context-0001',
      traceId,
      spanId: parentSpan,
      tracer: undefined,
    });
  });

  it('masks an unexpected error: the client sees a code and a request id, the log has the detail', async () => {
    const response = await postGraphQL(url, '{ crash }', {
      headers: { ...(await as(MEMBER)), 'x-request-id': 'req-crash-0001' },
    });
    expect(response.body.errors).toEqual([
      {
        message: 'Internal server error',
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-crash-0001' },
      },
    ]);
    expect(JSON.stringify(response.body)).not.toContain('hunter2');
    const logged = logs.raw.find(
      (line) => line.includes('req-crash-0001') && line.includes('leaked in a driver'),
    );
    expect(logged).toBeDefined();
  });

  it('logs a read that went well at debug only, and one with an error at info with its code', async () => {
    const operationLines = (requestId: string) =>
      logs.lines.filter((l) => l.msg === 'graphql operation' && l.requestId === requestId);
    const post = async (query: string, requestId: string) =>
      postGraphQL(url, query, { headers: { ...(await as(MEMBER)), 'x-request-id': requestId } });
    expect((await post('query Fine { hello }', 'req-read-fine-01')).body.data).toEqual({ hello: 'world' });
    const failed = await post('query Failing { missing }', 'req-read-fail-01');
    expect(failed.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    expect(operationLines('req-read-fine-01')).toEqual([]);
    expect(operationLines('req-read-fail-01')).toEqual([
      expect.objectContaining({ level: 30, operation: 'Failing', type: 'query', errorCodes: ['NOT_FOUND'] }),
    ]);
  });

  it('keeps introspection off and gives no field suggestions', async () => {
    const introspection = await postGraphQL(url, '{ __schema { types { name } } }', {
      headers: await as(MEMBER),
    });
    expect(introspection.body.errors?.[0]?.message).toMatch(/introspection/i);
    const typo = await postGraphQL(url, '{ helo }', { headers: await as(MEMBER) });
    expect(typo.status).toBe(400);
    expect(typo.body.errors?.[0]?.message).not.toMatch(/did you mean/i);
  });

  it('answers 413 for a body over the limit', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await as(MEMBER)) },
      body: JSON.stringify({ query: '{ hello }', variables: { blob: 'x'.repeat(300 * 1024) } }),
    });
    expect(response.status).toBe(413);
    expect(
      ((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions
        .code,
    ).toBe('PAYLOAD_TOO_LARGE');
  });

  describe('graphql-ws', () => {
    const wsUrl = () => url.replace('http://', 'ws://');

    it('closes 4403 before the ack without a valid assertion', async () => {
      for (const connectionParams of [
        {},
        { [INTERNAL_ASSERTION_HEADER]: 'forged' },
        await as(MEMBER, 'other-subgraph'),
      ]) {
        const closed = await new Promise<number>((resolve) => {
          const client = createClient({
            url: wsUrl(),
            webSocketImpl: WebSocket,
            connectionParams,
            retryAttempts: 0,
            lazy: false,
            onNonLazyError: () => undefined,
            on: { closed: (event) => resolve((event as { code: number }).code) },
          });
          leftovers.defer(() => client.dispose());
        });
        expect(closed).toBe(4403);
      }
    });

    it('serves a subscription to the gateway as the asserted principal', async () => {
      const client = createClient({
        url: wsUrl(),
        webSocketImpl: WebSocket,
        connectionParams: await as(MEMBER),
        retryAttempts: 0,
      });
      leftovers.defer(() => client.dispose());
      const values: unknown[] = [];
      for await (const result of client.iterate({ query: 'subscription { ticks }' })) values.push(result);
      expect(values).toEqual([{ data: { ticks: 'tick' } }]);
    });
  });

  it('reports readiness false once stopping', async () => {
    const origin = new URL(url).origin;
    expect((await fetch(`${origin}/readyz`)).status).toBe(200);
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
    server.health.startShutdown();
    expect((await fetch(`${origin}/readyz`)).status).toBe(503);
  });
});
