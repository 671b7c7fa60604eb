// Rate limits through the real gateway on real Redis: per IP, per user, per API key and for introspection,
// answered with RATE_LIMITED, retryAfterSeconds and Retry-After before any resolver runs.
import type { IncomingHttpHeaders } from 'node:http';
import { ANONYMOUS, type Principal } from '@atrium/platform/auth';
import {
  describeWithRedis,
  Leftovers,
  postGraphQL,
  randomRedisPrefix,
  testServices,
} from '@atrium/platform/testing';
import type { Authenticator } from '@atrium/gateway/auth';
import { startIdentity } from './gateway-graph';
import { composeSupergraph, startGateway, type TestGateway, type TinySubgraph } from './gateway-harness';

/**
 * Verifying real access tokens and API keys is identity's part (tested in its own suites); here the principal
 * is given by a header so the limits can be exercised for several users and keys.
 */
const principalFromHeader: Authenticator = {
  async authenticate(headers: IncomingHttpHeaders): Promise<Principal> {
    const given = headers['x-test-principal'];
    if (typeof given !== 'string') return ANONYMOUS;
    const [kind, id] = given.split(':') as ['user' | 'apiKey', string];
    return {
      kind,
      userId: kind === 'user' ? id : `owner-of-${id}`,
      roles: ['MEMBER'],
      scopes: [],
      sessionId: null,
      apiKeyId: kind === 'apiKey' ? id : null,
    };
  },
  close: async () => undefined,
};

describeWithRedis('gateway rate limits (Redis)', () => {
  const leftovers = new Leftovers();
  let identity: TinySubgraph;
  let supergraphSdl: string;
  const redisEnv = () => ({
    REDIS_URL: testServices.redisUrl!,
    REDIS_KEY_PREFIX: randomRedisPrefix('gateway'),
  });

  beforeAll(async () => {
    identity = leftovers.add(await startIdentity(), (s) => s.server.stop());
    supergraphSdl = composeSupergraph([identity]);
  });
  afterAll(() => leftovers.dispose());

  async function gateway(env: Record<string, string>): Promise<TestGateway> {
    const started = await startGateway({
      supergraphSdl,
      urls: { identity: identity.url },
      env,
      authenticator: principalFromHeader,
    });
    return leftovers.add(started, (g) => g.stop());
  }

  async function expectRateLimited(url: string, query: string, headers: Record<string, string> = {}) {
    const before = identity.requests.length;
    const response = await postGraphQL(url, query, { headers });
    expect(response.status).toBe(429);
    const retryAfter = response.headers.get('retry-after');
    expect(retryAfter).toMatch(/^[1-9]\d*$/);
    expect(response.body.data ?? undefined).toBeUndefined();
    expect(response.body.errors?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: Number(retryAfter),
    });
    expect(identity.requests.length).toBe(before);
  }

  it('limits each IP, before the body is read, across every replica sharing Redis', async () => {
    const env = { ...redisEnv(), RATE_LIMIT_IP_PER_MINUTE: '5' };
    const first = await gateway(env);
    const second = await gateway(env);
    for (let i = 0; i < 3; i++) expect((await postGraphQL(first.url, '{ me { id } }')).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await postGraphQL(second.url, '{ me { id } }')).status).toBe(200);
    await expectRateLimited(first.url, '{ me { id } }');
    await expectRateLimited(second.url, '{ me { id } }');
    // Not even an oversized body is read once the IP is over its limit.
    const huge = await postGraphQL(first.url, 'query($t: String) { me { id } }', {
      variables: { t: 'x'.repeat(1024 * 1024) },
    });
    expect(huge.status).toBe(429);
  });

  it('limits each user and each API key on its own budget; anonymous callers only by IP', async () => {
    const url = (
      await gateway({
        ...redisEnv(),
        RATE_LIMIT_IP_PER_MINUTE: '1000',
        RATE_LIMIT_USER_PER_MINUTE: '3',
        RATE_LIMIT_API_KEY_PER_MINUTE: '2',
      })
    ).url;
    const as = (principal: string) => ({ 'x-test-principal': principal });
    for (let i = 0; i < 3; i++)
      expect((await postGraphQL(url, '{ me { id } }', { headers: as('user:alice') })).status).toBe(200);
    await expectRateLimited(url, '{ me { id } }', as('user:alice'));
    expect((await postGraphQL(url, '{ me { id } }', { headers: as('user:bob') })).status).toBe(200);
    for (let i = 0; i < 2; i++)
      expect((await postGraphQL(url, '{ me { id } }', { headers: as('apiKey:k1') })).status).toBe(200);
    await expectRateLimited(url, '{ me { id } }', as('apiKey:k1'));
    expect((await postGraphQL(url, '{ me { id } }', { headers: as('apiKey:k2') })).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await postGraphQL(url, '{ me { id } }')).status).toBe(200);
  });

  it('gives introspection its own budget: refused introspection, ordinary queries still served', async () => {
    const url = (
      await gateway({
        ...redisEnv(),
        RATE_LIMIT_IP_PER_MINUTE: '1000',
        RATE_LIMIT_INTROSPECTION_PER_MINUTE: '2',
      })
    ).url;
    const introspection = '{ __schema { queryType { name } } }';
    for (let i = 0; i < 2; i++) expect((await postGraphQL(url, introspection)).status).toBe(200);
    await expectRateLimited(url, introspection);
    await expectRateLimited(
      url,
      'query Sneaky { me { id } ...Types } fragment Types on Query { __type(name: "User") { name } }',
    );
    const ordinary = await postGraphQL(url, '{ me { id } __typename }');
    expect(ordinary.status).toBe(200);
    expect(ordinary.body.data).toEqual({ me: { id: 'u1' }, __typename: 'Query' });
  });
});
