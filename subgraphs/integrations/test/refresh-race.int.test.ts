import { Leftovers } from '@atrium/platform/testing';
import { ask, describeModes, startIntegrations, TestClock, user, type Started } from './support/harness';
import {
  authorizeInBrowser,
  CLIENT_ID,
  CLIENT_SECRET,
  REDIRECT_URI,
  startOAuthServer,
  type OAuthServer,
} from './support/oauth-server';

const START = `mutation { startConnection(providerId: "github") { authorizationUrl state } }`;
const COMPLETE = `mutation($s: String!, $c: String!) { completeConnection(state: $s, code: $c) { id } }`;

describeModes('refresh across processes', (production) => {
  if (!production) {
    // The embedded mode is one process by design (in-process lock and bus); the race needs two processes.
    it('is covered in the production mode only', () => expect(production).toBe(false));
    return;
  }
  const leftovers = new Leftovers();
  let oauth: OAuthServer;
  let first: Started;
  let second: Started;
  const clock = new TestClock();
  const alice = user('alice');

  beforeAll(async () => {
    oauth = await startOAuthServer(leftovers, { accessTokenTtlSeconds: 120 });
    const options = {
      production,
      clock,
      catalogue: [oauth.definition()],
      env: {
        OAUTH_GITHUB_CLIENT_ID: CLIENT_ID,
        OAUTH_GITHUB_CLIENT_SECRET: CLIENT_SECRET,
        INTEGRATIONS_OAUTH_REDIRECT_URL: REDIRECT_URI,
      },
    };
    first = await startIntegrations(leftovers, options);
    // A second replica of the same deployment: same database, same Redis.
    second = await startIntegrations(leftovers, { ...options, shareWith: first });
  });
  afterAll(() => leftovers.dispose());

  const connect = async () => {
    const { body } = await ask(first.url, alice, START);
    const { state, authorizationUrl } = body.data.startConnection;
    const code = (await authorizeInBrowser(authorizationUrl)).searchParams.get('code');
    return (await ask(first.url, alice, COMPLETE, { s: state, c: code })).body.data.completeConnection
      .id as string;
  };

  it('two processes refreshing one connection at once make one refresh; both see the newest tokens', async () => {
    const id = await connect();
    const before = (await first.server.app.credentials.read(id))!;
    const calls = oauth.calls.refresh_token;
    const held = oauth.holdNextRefresh();
    const refreshing = first.server.app.refresh.refresh(id, { force: true });
    await held.reached;
    // The first process is inside the provider call, holding the lock: the scheduler of the second skips it,
    // and an on-demand refresh there waits for it instead of refreshing again.
    expect(await second.server.app.refresh.refresh(id, { force: true })).toBe('busy');
    const waiting = ask(
      second.url,
      alice,
      `mutation($id: ID!) { refreshConnection(id: $id) { status lastRefreshedAt } }`,
      { id },
    );
    held.release();
    expect(await refreshing).toBe('refreshed');
    const answer = await waiting;
    expect(answer.body.data.refreshConnection).toEqual({
      status: 'ACTIVE',
      lastRefreshedAt: clock.now().toISOString(),
    });
    expect(oauth.calls.refresh_token).toBe(calls + 1);
    const afterFirst = (await first.server.app.credentials.read(id))!;
    const afterSecond = (await second.server.app.credentials.read(id))!;
    expect(afterFirst).toEqual(afterSecond);
    expect(afterFirst.version).toBe(before.version + 1);
    expect(afterFirst.secrets.accessToken).not.toBe(before.secrets.accessToken);
  });

  it('a refresh whose answer arrives after newer tokens were stored is discarded (fencing), never written over them', async () => {
    const id = await connect();
    const held = oauth.holdNextRefresh();
    const late = first.server.app.refresh.refresh(id, { force: true });
    await held.reached;
    // Meanwhile the lock expired and another holder stored newer tokens.
    const current = (await second.server.app.credentials.read(id))!;
    const newer = { accessToken: 'newer-access-token', refreshToken: 'newer-refresh-token' };
    expect(await second.server.app.credentials.replace(id, newer, current.version)).toBe(current.version + 1);
    held.release();
    expect(await late).toBe('fenced');
    const stored = (await first.server.app.credentials.read(id))!;
    expect(stored).toEqual({ secrets: { ...newer, apiKey: null }, version: current.version + 1 });
  });
});
