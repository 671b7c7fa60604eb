// What leaves the gateway when something behind it fails, and what reaches a subgraph from a client: masked,
// coded errors with the request id and no internal detail; no client header but the gateway's own.
import {
  INTERNAL_ASSERTION_HEADER,
  signInternalAssertion,
  verifyInternalAssertion,
} from '@atrium/platform/auth';
import { Leftovers, postGraphQL, LogCapture } from '@atrium/platform/testing';
import { INTEGRATIONS_SDL, MONITORING_SDL, RESOLVER_SECRET, startIdentity } from './gateway-graph';
import {
  composeSupergraph,
  metricValue,
  startChildSubgraph,
  startGateway,
  startPlainSubgraph,
  TEST_INTERNAL_SECRET,
  type ChildSubgraph,
  type PlainSubgraph,
  type TestGateway,
  type TinySubgraph,
} from './gateway-harness';

/** Nothing that names or describes the inside of the system. */
function expectNoInternals(body: unknown, ...extra: string[]) {
  const text = JSON.stringify(body);
  for (const leak of ['127.0.0.1', 'localhost', 'http://', 'ECONNREFUSED', 'ECONNRESET', 'stack', ...extra]) {
    expect(text).not.toContain(leak);
  }
}

describe('gateway errors and headers', () => {
  const leftovers = new Leftovers();
  const identityLog = new LogCapture('identity', { level: 'info' });
  const gatewayLog = new LogCapture('gateway', { level: 'info' });
  let identity: TinySubgraph;
  let monitoring: ChildSubgraph;
  let integrations: PlainSubgraph;
  let gateway: TestGateway;

  beforeAll(async () => {
    identity = leftovers.add(await startIdentity(identityLog.log), (s) => s.server.stop());
    monitoring = leftovers.add(
      await startChildSubgraph({
        name: 'monitoring',
        typeDefs: MONITORING_SDL,
        body: { data: { status: 'UP' } },
      }),
      (s) => s.stop(),
    );
    integrations = leftovers.add(
      await startPlainSubgraph({
        name: 'integrations',
        typeDefs: INTEGRATIONS_SDL,
        mode: 'ok',
        body: { data: { flaky: 'fine' } },
      }),
      (s) => s.stop(),
    );
    gateway = await startGateway({
      supergraphSdl: composeSupergraph([identity, monitoring, integrations]),
      urls: { identity: identity.url, monitoring: monitoring.url, integrations: integrations.url },
      log: gatewayLog.log,
    });
    leftovers.add(gateway, (g) => g.stop());
  });
  afterAll(() => leftovers.dispose());

  it('masks a resolver error carrying a secret as INTERNAL_SERVER_ERROR with the request id; the log has it', async () => {
    const response = await postGraphQL(gateway.url, '{ boom me { id } }');
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[\w.-]{8,64}$/);
    expect(response.body.data).toEqual({ boom: null, me: { id: 'u1' } });
    expect(response.body.errors).toEqual([
      { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } },
    ]);
    expectNoInternals(response.body, RESOLVER_SECRET, 'db.internal', 'refused');
    const logged = identityLog.raw.filter((line) => line.includes(RESOLVER_SECRET));
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.some((line) => line.includes(`"requestId":"${requestId}"`))).toBe(true);
  });

  it('gives every error the id of its own request: refused token, validation, subgraph failure, side by side', async () => {
    // The gateway carries request ids explicitly (no AsyncLocalStorage): concurrent requests must not mix them.
    const sent = await Promise.all(
      Array.from({ length: 6 }, (_, i) => {
        const requestId = `side-by-side-${i}-0123`;
        const headers: Record<string, string> = { 'x-request-id': requestId };
        if (i % 3 === 0) headers.authorization = 'Bearer not-a-token';
        const query = i % 3 === 1 ? '{ me { noSuchField } }' : '{ me { id } boom }';
        return postGraphQL(gateway.url, query, { headers }).then((response) => ({ requestId, response }));
      }),
    );
    for (const { requestId, response } of sent) {
      expect(response.headers.get('x-request-id')).toBe(requestId);
      expect(response.body.errors?.length).toBeGreaterThan(0);
      for (const error of response.body.errors ?? []) expect(error.extensions?.requestId).toBe(requestId);
    }
    expect(sent[0]!.response.status).toBe(401);
    expect(sent[1]!.response.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(sent[2]!.response.body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  });

  it('sends subgraphs only its own headers: a forged assertion, cookies and foreign tracing headers are stripped; W3C trace context continues', async () => {
    const forged = await signInternalAssertion(
      { kind: 'user', userId: 'u-admin', roles: ['ADMIN'], scopes: [], sessionId: 's', apiKeyId: null },
      { secret: TEST_INTERNAL_SECRET, audience: 'identity' },
    );
    const clientRequestId = 'client-trace-0123456789';
    const before = identity.requests.length;
    const response = await postGraphQL(gateway.url, '{ me { id } }', {
      headers: {
        [INTERNAL_ASSERTION_HEADER]: forged,
        cookie: 'session=stolen',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        'x-b3-traceid': '463ac35c9f6413ad',
        'x-forwarded-for': '10.0.0.1',
        'x-internal-debug': 'true',
        'x-request-id': clientRequestId,
      },
    });
    expect(response.body.errors).toBeUndefined();
    const received = identity.requests.slice(before);
    expect(received).toHaveLength(1);
    const headers = received[0]!;
    expect(headers[INTERNAL_ASSERTION_HEADER]).not.toBe(forged);
    const claims = await verifyInternalAssertion(headers[INTERNAL_ASSERTION_HEADER] as string, {
      secret: TEST_INTERNAL_SECRET,
      audience: 'identity',
    });
    expect(claims.principal.kind).toBe('anonymous');
    // The assertion is reused across requests of one principal, so the request id travels beside it.
    expect(claims.requestId).toBeUndefined();
    expect(headers['x-request-id']).toBe(clientRequestId);
    // W3C trace context continues (same trace id) in a span of the gateway's own: never the client's header as sent.
    expect(headers.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-0[01]$/);
    expect(headers.traceparent).not.toContain('b7ad6b7169203331');
    for (const name of ['cookie', 'x-b3-traceid', 'x-forwarded-for', 'x-internal-debug', 'authorization']) {
      expect(headers[name]).toBeUndefined();
    }
  });

  it('answers SUBGRAPH_UNAVAILABLE for a subgraph answering 500, without its body, and counts it', async () => {
    integrations.mode = '500';
    try {
      const response = await postGraphQL(gateway.url, '{ me { id } flaky }');
      expect(response.status).toBe(200);
      expect(response.body.data).toEqual({ me: { id: 'u1' }, flaky: null });
      expect(response.body.errors).toHaveLength(1);
      expect(response.body.errors?.[0]?.extensions).toMatchObject({
        code: 'SUBGRAPH_UNAVAILABLE',
        service: 'integrations',
      });
      expect(response.body.errors?.[0]?.extensions?.requestId).toBe(response.headers.get('x-request-id'));
      expectNoInternals(response.body, 'hunter2', '/srv/internal', 'password', 'HTTP 500');
      expect(
        await metricValue(gateway.origin, 'atrium_gateway_subgraph_fetch_errors_total', {
          subgraph: 'integrations',
          reason: 'http_5xx',
        }),
      ).toBeGreaterThan(0);
    } finally {
      integrations.mode = 'ok';
    }
  });

  it('retries a reset connection once for a query, never for a mutation', async () => {
    integrations.mode = 'reset';
    try {
      let before = integrations.hits();
      const query = await postGraphQL(gateway.url, '{ flaky }');
      expect(query.body.errors?.[0]?.extensions?.code).toBe('SUBGRAPH_UNAVAILABLE');
      expect(integrations.hits() - before).toBe(2);
      before = integrations.hits();
      const mutation = await postGraphQL(gateway.url, 'mutation { flakyWrite }');
      expect(mutation.body.errors?.[0]?.extensions?.code).toBe('SUBGRAPH_UNAVAILABLE');
      expectNoInternals(mutation.body);
      expect(integrations.hits() - before).toBe(1);
    } finally {
      integrations.mode = 'ok';
    }
  });

  it('answers SUBGRAPH_UNAVAILABLE without URL, host or body once a subgraph process died; other fields resolve', async () => {
    expect((await postGraphQL(gateway.url, '{ status }')).body.data).toEqual({ status: 'UP' });
    await monitoring.stop();
    const response = await postGraphQL(gateway.url, '{ me { id name } status flaky }');
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ me: { id: 'u1', name: 'User u1' }, status: null, flaky: 'fine' });
    expect(response.body.errors).toEqual([
      {
        message: 'The monitoring service is unavailable',
        extensions: {
          code: 'SUBGRAPH_UNAVAILABLE',
          service: 'monitoring',
          requestId: response.headers.get('x-request-id'),
        },
      },
    ]);
    expectNoInternals(response.body, new URL(monitoring.url).port);
    // The gateway's own log keeps the cause for operators.
    expect(
      gatewayLog.raw.some((line) => line.includes('subgraph call failed') && line.includes('monitoring')),
    ).toBe(true);
  });
});
