import { INTERNAL_ASSERTION_HEADER, signInternalAssertion, type Principal } from '@atrium/platform/auth';
import {
  describeWithPostgres,
  describeWithRedis,
  postGraphQL,
  testServices,
  subgraphClient,
} from '@atrium/platform/testing';
import { productionEnv, type ProductionEnv } from '../src/production-env';
import { startStack, TEST_INTERNAL_SECRET, type Stack } from '../src/stack';

const ADMIN: Principal = {
  kind: 'user',
  userId: 'u-admin',
  roles: ['ADMIN'],
  scopes: [],
  sessionId: 's1',
  apiKeyId: null,
};

describe('the federated stack on the embedded default', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  it('answers one query whose fields come from two subgraphs', async () => {
    const response = await postGraphQL(
      stack.gatewayUrl,
      '{ integrationProviders { id name category authScheme configured } modelProviders { id kind models circuitState available } }',
    );
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    const data = response.body.data as {
      integrationProviders: Array<{ id: string; configured: boolean; authScheme: string }>;
      modelProviders: Array<{ id: string; kind: string; circuitState: string; available: boolean }>;
    };
    expect(data.integrationProviders.map((provider) => provider.id)).toEqual(
      expect.arrayContaining(['github', 'google', 'slack', 'dropbox', 'trello', 'openai']),
    );
    // No OAuth client is configured in this environment; API-key providers need none.
    expect(data.integrationProviders.find((p) => p.id === 'github')).toMatchObject({ configured: false });
    expect(data.integrationProviders.find((p) => p.id === 'openai')).toMatchObject({ configured: true });
    expect(data.modelProviders).toEqual([
      { id: 'local', kind: 'local', models: ['template-v1'], circuitState: 'CLOSED', available: true },
    ]);
    expect(response.headers.get('x-request-id')).toMatch(/^[\w.-]{8,64}$/);
  });

  it.each([
    ['an ordinary query', '{ integrationProviders { id } }'],
    ['the federation SDL', '{ _service { sdl } }'],
    [
      'entity resolution',
      '{ _entities(representations: [{ __typename: "Connection", id: "x" }]) { __typename } }',
    ],
  ])('refuses %s sent straight to a subgraph without the gateway assertion (401)', async (_label, query) => {
    for (const { url } of Object.values(stack.subgraphs)) {
      const response = await postGraphQL(url, query);
      expect(response.status).toBe(401);
      expect(response.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(JSON.stringify(response.body)).not.toContain('sdl');
    }
  });

  it('refuses an assertion minted for another subgraph or with another secret (401)', async () => {
    const forOtherAudience = await signInternalAssertion(ADMIN, {
      secret: TEST_INTERNAL_SECRET,
      audience: 'identity',
    });
    const withOtherSecret = await signInternalAssertion(ADMIN, {
      secret: 'not-the-secret-not-the-secret-not-the-secret',
      audience: 'integrations',
    });
    for (const assertion of [forOtherAudience, withOtherSecret, 'garbage']) {
      const response = await postGraphQL(stack.subgraphs.integrations.url, '{ _service { sdl } }', {
        headers: { [INTERNAL_ASSERTION_HEADER]: assertion },
      });
      expect(response.status).toBe(401);
    }
  });

  it('serves `_service` to a caller holding a valid gateway assertion', async () => {
    const response = await subgraphClient(stack.subgraphs.integrations.url, {
      audience: 'integrations',
    }).gql<{
      _service: { sdl: string };
    }>(ADMIN, '{ _service { sdl } }');
    expect(response.status).toBe(200);
    expect(response.body.data?._service.sdl).toContain('type IntegrationProvider');
  });

  it('ignores an internal assertion forged by a client: the caller stays anonymous', async () => {
    const forged = await signInternalAssertion(ADMIN, {
      secret: TEST_INTERNAL_SECRET,
      audience: 'monitoring',
    });
    const response = await postGraphQL(stack.gatewayUrl, '{ systemStatus { status } }', {
      headers: { [INTERNAL_ASSERTION_HEADER]: forged },
    });
    expect(response.body.data ?? null).toBeNull();
    expect(response.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('exposes health, readiness and metrics on every service', async () => {
    const origins = [stack.gatewayUrl, ...Object.values(stack.subgraphs).map((s) => s.url)].map(
      (u) => new URL(u).origin,
    );
    for (const origin of origins) {
      expect((await fetch(`${origin}/healthz`)).status).toBe(200);
      const ready = await fetch(`${origin}/readyz`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { status: string }).status).toBe('UP');
      expect(await (await fetch(`${origin}/metrics`)).text()).toContain(
        'atrium_http_request_duration_seconds',
      );
    }
  });
});

// Needs both services: whichever is missing skips the suite, with its reason in the suite's name.
const describeProduction = testServices.redisUrl ? describeWithPostgres : describeWithRedis;

describeProduction('the same stack on PostgreSQL and Redis (production mode)', () => {
  let stack: Stack;
  let production: ProductionEnv;
  beforeAll(async () => {
    production = await productionEnv();
    stack = await startStack({ env: production.env });
  });
  afterAll(async () => {
    await stack?.stop();
    await production?.drop();
  });

  it('serves the cross-subgraph query and reports PostgreSQL and Redis as ready dependencies', async () => {
    const response = await postGraphQL(
      stack.gatewayUrl,
      '{ integrationProviders { id } modelProviders { id } }',
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toMatchObject({ modelProviders: [{ id: 'local' }] });
    const origin = new URL(stack.subgraphs.identity.url).origin;
    const report = (await (await fetch(`${origin}/readyz`)).json()) as {
      checks: Array<{ name: string; kind: string; status: string }>;
    };
    expect(report.checks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'database', status: 'UP' }),
        expect.objectContaining({ kind: 'redis', status: 'UP' }),
      ]),
    );
  });
});
