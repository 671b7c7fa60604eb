import { postGraphQL } from '@atrium/platform/testing';
import { totpCode } from '@atrium/subgraph-identity/crypto/totp';
import { startStack, type Stack } from '../src/stack';

const PASSWORD = 'an end-to-end password';
const AUTH = 'accessToken refreshToken accessTokenExpiresAt user { id email displayName roles mfaEnabled }';

describe('identity through the gateway: a frontend and an integrator', () => {
  let stack: Stack;
  beforeAll(async () => {
    // No API-key cache, so a revoked key is refused at once in this test.
    stack = await startStack({
      env: { AUTH_API_KEY_CACHE_SECONDS: '0', ATRIUM_ADMIN_EMAILS: 'boss@example.test' },
    });
  });
  afterAll(() => stack?.stop());

  const gql = <T = any>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ) =>
    postGraphQL<T>(stack.gatewayUrl, query, {
      variables,
      headers: { 'user-agent': 'e2e-browser/1.0', ...headers },
    });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('signs up, enables MFA, signs in with MFA, refreshes, reads me, and uses an API key', async () => {
    const email = `e2e-${Date.now()}@example.test`;
    const signUp = await gql<{ signUp: any }>(
      `mutation($i: SignUpInput!) { signUp(input: $i) { ${AUTH} } }`,
      { i: { email, password: PASSWORD, displayName: 'End To End' } },
    );
    expect(signUp.status).toBe(200);
    expect(signUp.body.errors).toBeUndefined();
    const { accessToken, user } = signUp.body.data!.signUp;
    expect(user).toMatchObject({ email, roles: ['MEMBER'], mfaEnabled: false });

    const start = await gql<{ startTotpEnrollment: any }>(
      'mutation { startTotpEnrollment { secret otpauthUri } }',
      {},
      bearer(accessToken),
    );
    const secret = start.body.data!.startTotpEnrollment.secret as string;
    const confirm = await gql<{ confirmTotpEnrollment: string[] }>(
      'mutation($c: String!) { confirmTotpEnrollment(code: $c) }',
      { c: totpCode(secret, Date.now() - 30_000) },
      bearer(accessToken),
    );
    expect(confirm.body.data?.confirmTotpEnrollment).toHaveLength(10);

    const signIn = await gql<{ signIn: any }>(
      'mutation($i: SignInInput!) { signIn(input: $i) { __typename ... on MfaChallenge { challengeToken expiresAt } } }',
      { i: { email, password: PASSWORD } },
    );
    expect(signIn.body.data?.signIn.__typename).toBe('MfaChallenge');
    const mfa = await gql<{ completeMfaSignIn: any }>(
      `mutation($t: String!, $c: String!) { completeMfaSignIn(challengeToken: $t, code: $c) { ${AUTH} } }`,
      { t: signIn.body.data!.signIn.challengeToken, c: totpCode(secret, Date.now()) },
    );
    expect(mfa.body.errors).toBeUndefined();
    expect(mfa.body.data!.completeMfaSignIn.user).toMatchObject({ id: user.id, mfaEnabled: true });

    const refreshed = await gql<{ refreshSession: any }>(
      `mutation($t: String!) { refreshSession(refreshToken: $t) { ${AUTH} } }`,
      { t: mfa.body.data!.completeMfaSignIn.refreshToken },
    );
    const session = refreshed.body.data!.refreshSession;
    expect(session.refreshToken).not.toBe(mfa.body.data!.completeMfaSignIn.refreshToken);

    const me = await gql<{ me: any; sessions: any[] }>(
      '{ me { id email mfaEnabled } sessions { current ip userAgent } }',
      {},
      bearer(session.accessToken),
    );
    expect(me.body.errors).toBeUndefined();
    expect(me.body.data!.me).toEqual({ id: user.id, email, mfaEnabled: true });
    // The gateway forwarded the client's address and User-Agent inside its assertion.
    expect(me.body.data!.sessions.find((s) => s.current)).toEqual({
      current: true,
      ip: '127.0.0.1',
      userAgent: 'e2e-browser/1.0',
    });

    const created = await gql<{ createApiKey: any }>(
      'mutation { createApiKey(input: { name: "e2e", scopes: ["profile:read"] }) { secret apiKey { id prefix } } }',
      {},
      bearer(session.accessToken),
    );
    const { secret: apiKey, apiKey: key } = created.body.data!.createApiKey;
    expect(apiKey.startsWith(key.prefix)).toBe(true);

    for (const headers of [bearer(apiKey), { 'x-api-key': apiKey }]) {
      const asKey = await gql<{ me: any }>('{ me { id email } }', {}, headers);
      expect(asKey.status).toBe(200);
      expect(asKey.body.data?.me).toEqual({ id: user.id, email });
    }
    const keyCannotMintKeys = await gql(
      'mutation { createApiKey(input: { name: "x", scopes: ["profile:read"] }) { secret } }',
      {},
      { 'x-api-key': apiKey },
    );
    expect(keyCannotMintKeys.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const keyCannotSeeAudit = await gql(
      '{ auditEvents { edges { node { type } } } }',
      {},
      { 'x-api-key': apiKey },
    );
    expect(keyCannotSeeAudit.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    await gql(`mutation { revokeApiKey(id: "${key.id}") { revokedAt } }`, {}, bearer(session.accessToken));
    const revoked = await gql('{ me { id } }', {}, { 'x-api-key': apiKey });
    expect(revoked.status).toBe(401);
    expect(revoked.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('answers anonymous callers without credentials, and 401 for credentials that are not valid', async () => {
    const anonymous = await gql('{ me { id } }');
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    for (const headers of [
      bearer('not.a.jwt'),
      { authorization: 'Basic dXNlcjpwYXNz' },
      { 'x-api-key': 'atr_00000000000000000000000000000000000000' },
      { 'x-api-key': 'atr_short' },
    ]) {
      const response = await gql('{ me { id } }', {}, headers);
      expect(response.status).toBe(401);
      expect(response.body.data ?? null).toBeNull();
      expect(response.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    }
  });

  it('bootstraps an ADMIN from ATRIUM_ADMIN_EMAILS, who manages users through the gateway', async () => {
    const boss = await gql<{ signUp: any }>(
      `mutation { signUp(input: { email: "boss@example.test", password: "${PASSWORD}", displayName: "Boss" }) { ${AUTH} } }`,
    );
    expect(boss.body.data?.signUp.user.roles).toEqual(['ADMIN']);
    const member = await gql<{ signUp: any }>(
      `mutation { signUp(input: { email: "m-${Date.now()}@example.test", password: "${PASSWORD}", displayName: "M" }) { ${AUTH} } }`,
    );
    const memberId = member.body.data!.signUp.user.id;
    const demoted = await gql<{ setUserRoles: any }>(
      `mutation { setUserRoles(userId: "${memberId}", roles: [VIEWER]) { id roles } }`,
      {},
      bearer(boss.body.data!.signUp.accessToken),
    );
    expect(demoted.body.data?.setUserRoles).toEqual({ id: memberId, roles: ['VIEWER'] });
    const list = await gql<{ users: any }>(
      '{ users(first: 10) { totalCount edges { node { id email } } } }',
      {},
      bearer(boss.body.data!.signUp.accessToken),
    );
    expect(list.body.data?.users.totalCount).toBeGreaterThanOrEqual(2);
    const byMember = await gql('{ users { totalCount } }', {}, bearer(member.body.data!.signUp.accessToken));
    expect(byMember.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('keeps verifying access tokens with cached keys when identity is down, and answers 503 for API keys', async () => {
    const signUp = await gql<{ signUp: any }>(
      `mutation { signUp(input: { email: "late-${Date.now()}@example.test", password: "${PASSWORD}", displayName: "L" }) { accessToken } }`,
    );
    const accessToken = signUp.body.data!.signUp.accessToken;
    await stack.subgraphs.identity.server.stop();
    const withToken = await gql('{ me { id } }', {}, bearer(accessToken));
    expect(withToken.status).toBe(200);
    expect(withToken.body.errors?.[0]?.extensions?.code).toBe('SUBGRAPH_UNAVAILABLE');
    const withKey = await gql(
      '{ me { id } }',
      {},
      { 'x-api-key': 'atr_0000000000000000000000000000000000000A' },
    );
    expect(withKey.status).toBe(503);
    expect(withKey.body.errors?.[0]?.extensions?.code).toBe('SUBGRAPH_UNAVAILABLE');
    expect(JSON.stringify(withKey.body)).not.toMatch(/127\.0\.0\.1|internal\/api-keys/);
    // Past the breaker's minimum calls its open state answers for identity: still 503, without waiting on it.
    for (let i = 1; i <= 7; i++) {
      const key = `atr_${String(i).padStart(38, '0')}`;
      const response = await gql('{ me { id } }', {}, { 'x-api-key': key });
      expect(response.status).toBe(503);
    }
  });
});
