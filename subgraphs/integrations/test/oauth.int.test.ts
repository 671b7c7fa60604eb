import { Leftovers } from '@atrium/platform/testing';
import { ConnectionStatus } from '../src/connection/connection.entity';
import {
  ask,
  describeModes,
  rawRows,
  startIntegrations,
  TestClock,
  user,
  type Started,
} from './support/harness';
import {
  ACCOUNT_ID,
  authorizeInBrowser,
  CLIENT_ID,
  CLIENT_SECRET,
  REDIRECT_URI,
  startOAuthServer,
  type OAuthServer,
} from './support/oauth-server';

const START = `mutation($p: ID!, $s: [String!]) { startConnection(providerId: $p, scopes: $s) { authorizationUrl state expiresAt } }`;
const COMPLETE = `mutation($s: String!, $c: String!) {
  completeConnection(state: $s, code: $c) { id status scopes expiresAt externalAccountId owner { id } provider { id } }
}`;
const REFRESH = `mutation($id: ID!) { refreshConnection(id: $id) { id status lastRefreshedAt expiresAt lastError } }`;

describeModes('OAuth 2.0 connections against a real authorization server', (production) => {
  const leftovers = new Leftovers();
  let oauth: OAuthServer;
  let started: Started;
  const clock = new TestClock();
  const alice = user('alice');

  beforeAll(async () => {
    oauth = await startOAuthServer(leftovers, { accessTokenTtlSeconds: 120 });
    started = await startIntegrations(leftovers, {
      production,
      clock,
      catalogue: [oauth.definition()],
      env: {
        OAUTH_GITHUB_CLIENT_ID: CLIENT_ID,
        OAUTH_GITHUB_CLIENT_SECRET: CLIENT_SECRET,
        INTEGRATIONS_OAUTH_REDIRECT_URL: REDIRECT_URI,
        INTEGRATIONS_REFRESH_MARGIN_SECONDS: '300',
      },
    });
  });
  afterAll(() => leftovers.dispose());

  const start = async (principal = alice) => {
    const { body } = await ask(started.url, principal, START, { p: 'github' });
    expect(body.errors).toBeUndefined();
    return body.data.startConnection as { authorizationUrl: string; state: string; expiresAt: string };
  };
  /** The browser's return to the gateway's callback, served by the subgraph. */
  const callback = async (query: URLSearchParams) => {
    const response = await fetch(`${new URL(started.url).origin}/oauth/callback?${query}`, {
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    return new URL(response.headers.get('location')!);
  };
  const connect = async (principal = alice) => {
    const { state, authorizationUrl } = await start(principal);
    const landed = await authorizeInBrowser(authorizationUrl);
    const { body } = await ask(started.url, principal, COMPLETE, {
      s: state,
      c: landed.searchParams.get('code'),
    });
    expect(body.errors).toBeUndefined();
    return body.data.completeConnection as { id: string; status: string; expiresAt: string };
  };
  const secretsOf = async (id: string) => (await started.server.app.credentials.read(id))!;

  it('start → authorize → callback → ACTIVE, with S256 PKCE, a single-use state and the exact redirect URI', async () => {
    const { authorizationUrl, state, expiresAt } = await start();
    const url = new URL(authorizationUrl);
    expect(url.origin + url.pathname).toBe(`${oauth.issuer}/auth`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      state,
      scope: 'openid offline_access repo',
      code_challenge_method: 'S256',
    });
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Date(expiresAt).getTime() - clock.now().getTime()).toBe(10 * 60 * 1000);

    const landed = await authorizeInBrowser(authorizationUrl);
    expect(landed.searchParams.get('state')).toBe(state);
    const before = oauth.calls.authorization_code;
    const frontend = await callback(landed.searchParams);
    expect(frontend.origin + frontend.pathname).toBe('http://frontend.test/connections');
    expect(frontend.searchParams.get('status')).toBe('connected');
    expect(frontend.searchParams.get('provider')).toBe('github');
    expect(frontend.search).not.toContain(landed.searchParams.get('code')!);
    expect(oauth.calls.authorization_code).toBe(before + 1);

    const id = frontend.searchParams.get('connection')!;
    const { body } = await ask(
      started.url,
      alice,
      `query($id: ID!) { connection(id: $id) { status scopes expiresAt externalAccountId owner { id } } }`,
      { id },
    );
    expect(body.data.connection).toMatchObject({
      status: 'ACTIVE',
      scopes: expect.arrayContaining(['openid', 'repo']),
      externalAccountId: ACCOUNT_ID,
      owner: { id: 'alice' },
    });
    expect(new Date(body.data.connection.expiresAt).getTime() - clock.now().getTime()).toBe(120_000);
    const stored = await secretsOf(id);
    expect(stored.secrets.accessToken).toEqual(expect.any(String));
    expect(stored.secrets.refreshToken).toEqual(expect.any(String));
    expect(JSON.stringify(await rawRows(started.server, 'connection_credentials'))).not.toContain(
      stored.secrets.accessToken!,
    );

    // The same state again (a replayed callback) is refused.
    expect((await callback(landed.searchParams)).searchParams.get('error')).toBe('OAUTH_STATE_INVALID');
  });

  it('completeConnection does the same for a frontend, and refuses the state a second time', async () => {
    const { state, authorizationUrl } = await start();
    const code = (await authorizeInBrowser(authorizationUrl)).searchParams.get('code')!;
    const first = await ask(started.url, alice, COMPLETE, { s: state, c: code });
    expect(first.body.data.completeConnection).toMatchObject({
      status: 'ACTIVE',
      owner: { id: 'alice' },
      provider: { id: 'github' },
    });
    const again = await ask(started.url, alice, COMPLETE, { s: state, c: code });
    expect(again.body.errors?.[0]?.extensions?.code).toBe('OAUTH_STATE_INVALID');
  });

  it("refuses another user's state without using it up", async () => {
    const { state, authorizationUrl } = await start();
    const code = (await authorizeInBrowser(authorizationUrl)).searchParams.get('code')!;
    const stolen = await ask(started.url, user('mallory'), COMPLETE, { s: state, c: code });
    expect(stolen.body.errors?.[0]?.extensions?.code).toBe('OAUTH_STATE_INVALID');
    const own = await ask(started.url, alice, COMPLETE, { s: state, c: code });
    expect(own.body.data.completeConnection.status).toBe('ACTIVE');
  });

  it('refuses a missing, unknown and expired state', async () => {
    expect((await callback(new URLSearchParams({ code: 'x' }))).searchParams.get('error')).toBe(
      'OAUTH_STATE_INVALID',
    );
    const unknown = await ask(started.url, alice, COMPLETE, { s: 'made-up-state', c: 'x' });
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('OAUTH_STATE_INVALID');
    const { state, authorizationUrl } = await start();
    const code = (await authorizeInBrowser(authorizationUrl)).searchParams.get('code')!;
    clock.advance(10 * 60 * 1000 + 1);
    const expired = await ask(started.url, alice, COMPLETE, { s: state, c: code });
    expect(expired.body.errors?.[0]?.extensions?.code).toBe('OAUTH_STATE_EXPIRED');
  });

  it('a stolen code used with another flow fails PKCE at the provider; no connection is made', async () => {
    const victim = await start();
    const code = (await authorizeInBrowser(victim.authorizationUrl)).searchParams.get('code')!;
    const mallory = user('mallory');
    const own = await start(mallory);
    const attempt = await ask(started.url, mallory, COMPLETE, { s: own.state, c: code });
    expect(attempt.body.errors?.[0]).toMatchObject({
      extensions: { code: 'OAUTH_PROVIDER_ERROR', providerError: 'invalid_grant' },
    });
    expect((await ask(started.url, mallory, '{ connections { id } }')).body.data.connections).toEqual([]);
  });

  it('the provider refuses the plain PKCE method; the callback reports its error', async () => {
    const { authorizationUrl, state } = await start();
    const tampered = new URL(authorizationUrl);
    tampered.searchParams.set('code_challenge_method', 'plain');
    const landed = await authorizeInBrowser(tampered.toString());
    expect(landed.searchParams.get('error')).toBe('invalid_request');
    expect(landed.searchParams.get('state')).toBe(state);
    expect((await callback(landed.searchParams)).searchParams.get('error')).toBe('OAUTH_PROVIDER_ERROR');
  });

  it('a user who declines at the provider gets a coded error, and the state is used up', async () => {
    const { state } = await start();
    const declined = await callback(new URLSearchParams({ state, error: 'access_denied' }));
    expect(declined.searchParams.get('error')).toBe('OAUTH_PROVIDER_ERROR');
    expect((await callback(new URLSearchParams({ state, code: 'x' }))).searchParams.get('error')).toBe(
      'OAUTH_STATE_INVALID',
    );
  });

  it('a redirect URI that is not an exact match is refused by the provider before any code is issued', async () => {
    const { authorizationUrl } = await start();
    const tampered = new URL(authorizationUrl);
    tampered.searchParams.set('redirect_uri', `${REDIRECT_URI}/`);
    const response = await fetch(tampered, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('the scheduler refreshes tokens ahead of expiry; refreshConnection does it on demand', async () => {
    const { id } = await connect();
    const before = await secretsOf(id);
    const calls = oauth.calls.refresh_token;
    // 120 s tokens with a 300 s margin are due at once.
    const outcomes = await started.server.app.scheduler.runOnce();
    expect(outcomes[id]).toBe('refreshed');
    expect(oauth.calls.refresh_token).toBeGreaterThan(calls);
    const after = await secretsOf(id);
    expect(after.version).toBe(before.version + 1);
    expect(after.secrets.accessToken).not.toBe(before.secrets.accessToken);
    expect(after.secrets.refreshToken).not.toBe(before.secrets.refreshToken);

    clock.advance(1000);
    const { body } = await ask(started.url, alice, REFRESH, { id });
    expect(body.data.refreshConnection).toMatchObject({
      status: 'ACTIVE',
      lastError: null,
      lastRefreshedAt: clock.now().toISOString(),
    });
    expect((await secretsOf(id)).version).toBe(after.version + 1);
  });

  it('a refresh the provider rejects marks the connection REFRESH_FAILED with the reason', async () => {
    const { id } = await connect();
    // The user revokes Atrium's access at the provider.
    const { refreshToken } = (await secretsOf(id)).secrets;
    const revoked = await fetch(`${oauth.issuer}/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: refreshToken!, client_id: CLIENT_ID, client_secret: CLIENT_SECRET }),
    });
    expect(revoked.status).toBe(200);
    const { body } = await ask(started.url, alice, REFRESH, { id });
    expect(body.errors?.[0]).toMatchObject({
      extensions: { code: 'OAUTH_PROVIDER_ERROR', providerError: 'invalid_grant' },
    });
    const { body: after } = await ask(
      started.url,
      alice,
      `query($id: ID!) { connection(id: $id) { status lastError } }`,
      { id },
    );
    expect(after.data.connection).toEqual({
      status: 'REFRESH_FAILED',
      lastError: expect.stringContaining('invalid_grant'),
    });
    expect(after.data.connection.lastError).not.toContain(refreshToken!);
  });

  it('a token that expires without a refresh token becomes EXPIRED', async () => {
    const { id } = await connect();
    const stored = await secretsOf(id);
    await started.server.app.credentials.replace(
      id,
      { accessToken: stored.secrets.accessToken },
      stored.version,
    );
    clock.advance(121_000);
    const outcomes = await started.server.app.scheduler.runOnce();
    expect(outcomes[id]).toBe('expired');
    const { body } = await ask(started.url, alice, `query($id: ID!) { connection(id: $id) { status } }`, {
      id,
    });
    expect(body.data.connection.status).toBe(ConnectionStatus.EXPIRED);
  });

  it('disconnect revokes both tokens at the provider and deletes them here', async () => {
    const { id } = await connect();
    const { accessToken } = (await secretsOf(id)).secrets;
    const revocations = oauth.calls.revocation;
    const { body } = await ask(started.url, alice, 'mutation($id: ID!) { disconnect(id: $id) { status } }', {
      id,
    });
    expect(body.data.disconnect.status).toBe('REVOKED');
    expect(oauth.calls.revocation).toBe(revocations + 2);
    const introspection = await fetch(`${oauth.issuer}/token/introspection`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: accessToken!, client_id: CLIENT_ID, client_secret: CLIENT_SECRET }),
    });
    expect(await introspection.json()).toEqual({ active: false });
    expect(await started.server.app.credentials.read(id)).toBeNull();
  });

  it('no token appears in any GraphQL answer or log line', async () => {
    const { id } = await connect();
    const { secrets } = await secretsOf(id);
    const answer = await ask(
      started.url,
      alice,
      '{ connections { id status scopes lastError externalAccountId externalAccountName expiresAt } }',
    );
    const haystack = JSON.stringify(answer.body) + started.logs.text;
    expect(haystack).not.toContain(secrets.accessToken!);
    expect(haystack).not.toContain(secrets.refreshToken!);
  });
});
