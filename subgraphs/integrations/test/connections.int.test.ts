import { Leftovers } from '@atrium/platform/testing';
import { CONNECTION_TOPIC } from '../src/connection/connection-events';
import {
  ask,
  describeModes,
  eventually,
  httpServer,
  rawRows,
  startIntegrations,
  user,
  type Started,
} from './support/harness';

const GOOD_KEY = 'sk-test-GOODgoodGOODgood0123456789';
const REJECTED_KEY = 'sk-test-REVOKEDrevoked0123456789ab';

const CONNECT = `mutation($p: ID!, $k: String!) {
  connectWithApiKey(providerId: $p, apiKey: $k) { id status scopes provider { id authScheme } owner { id } lastError }
}`;
const MINE = '{ connections { id status provider { id } } }';

describeModes('API-key connections', (production) => {
  const leftovers = new Leftovers();
  let started: Started;
  let openAi: Awaited<ReturnType<typeof httpServer>>;
  const published: unknown[] = [];

  beforeAll(async () => {
    // An OpenAI-compatible API: GET /models answers 200 for the good key only.
    openAi = await httpServer(leftovers, (req, res) => {
      const ok = req.headers.authorization === `Bearer ${GOOD_KEY}`;
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ok ? { data: [] } : { error: { message: 'Incorrect API key provided' } }));
    });
    started = await startIntegrations(leftovers, {
      production,
      env: {
        OAUTH_GITHUB_CLIENT_ID: 'gh-client',
        OAUTH_GITHUB_CLIENT_SECRET: 'gh-secret',
        OAUTH_SLACK_CLIENT_ID: 'only-half-configured',
        INTEGRATIONS_OPENAI_BASE_URL: openAi.url,
      },
    });
    const unsubscribe = await started.server.app.resources.infra.events.subscribe(CONNECTION_TOPIC, (event) =>
      published.push(event),
    );
    leftovers.defer(unsubscribe);
  });
  afterAll(() => leftovers.dispose());

  it('lists the catalogue; OAuth providers are configured only with both halves of their client', async () => {
    const { body } = await ask(
      started.url,
      user('anyone'),
      '{ integrationProviders { id configured authScheme } }',
    );
    const byId = Object.fromEntries(body.data.integrationProviders.map((p: any) => [p.id, p]));
    expect(Object.keys(byId)).toEqual(
      expect.arrayContaining([
        'github',
        'google',
        'slack',
        'dropbox',
        'trello',
        'notion',
        'openai',
        'anthropic',
        'genspark',
        'paperpal',
        'manus',
      ]),
    );
    expect(byId).toMatchObject({
      github: { configured: true, authScheme: 'OAUTH2' },
      slack: { configured: false },
      google: { configured: false },
      openai: { configured: true, authScheme: 'API_KEY' },
      manus: { configured: true, authScheme: 'API_KEY' },
    });
  });

  it('refuses a key without the provider format before calling the provider', async () => {
    const before = openAi.requests.length;
    const { body } = await ask(started.url, user('alice'), CONNECT, { p: 'openai', k: 'not-a-key' });
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'API_KEY_INVALID' } });
    expect(body.errors?.[0]?.message).not.toContain('not-a-key');
    expect(openAi.requests.length).toBe(before);
  });

  it('refuses a key the provider rejects, storing nothing', async () => {
    const { body } = await ask(started.url, user('alice'), CONNECT, { p: 'openai', k: REJECTED_KEY });
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'API_KEY_INVALID' } });
    expect((await ask(started.url, user('alice'), MINE)).body.data.connections).toEqual([]);
  });

  it('refuses an OAuth provider and an unknown provider with coded errors', async () => {
    const github = await ask(started.url, user('alice'), CONNECT, { p: 'github', k: GOOD_KEY });
    expect(github.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const unknown = await ask(started.url, user('alice'), CONNECT, { p: 'myspace', k: GOOD_KEY });
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  let connectionId: string;

  it('connects a working key: ACTIVE, owned by the caller, the key tried against the provider', async () => {
    const { body } = await ask(started.url, user('alice'), CONNECT, { p: 'openai', k: GOOD_KEY });
    expect(body.errors).toBeUndefined();
    connectionId = body.data.connectWithApiKey.id;
    expect(body.data.connectWithApiKey).toMatchObject({
      status: 'ACTIVE',
      scopes: [],
      provider: { id: 'openai', authScheme: 'API_KEY' },
      owner: { id: 'alice' },
      lastError: null,
    });
    expect(openAi.requests.at(-1)).toMatchObject({ method: 'GET', url: '/models' });
  });

  it('stores the key only encrypted, under the current key id, bound to its connection', async () => {
    const [row] = await rawRows(started.server, 'connection_credentials');
    expect(row).toMatchObject({ connection_id: connectionId, key_id: 'k1' });
    expect(String(row!.api_key)).toMatch(/^k1\./);
    const everything = JSON.stringify(await rawRows(started.server, 'connection_credentials'));
    expect(everything).not.toContain(GOOD_KEY);
    expect(everything).not.toContain(Buffer.from(GOOD_KEY).toString('base64'));
  });

  it('a ciphertext moved to another connection does not decrypt (the connection id is authenticated data)', async () => {
    const { credentials } = started.server.app;
    const [row] = await rawRows(started.server, 'connection_credentials');
    const em = started.server.app.fork();
    await em
      .getConnection()
      .execute(
        `insert into connection_credentials (connection_id, api_key, key_id, version, updated_at) values (?, ?, 'k1', 1, ?)`,
        ['stolen-copy', row!.api_key, new Date()],
      );
    await expect(credentials.read('stolen-copy')).rejects.toThrow();
    expect((await credentials.read(connectionId))?.secrets.apiKey).toBe(GOOD_KEY);
    await em
      .getConnection()
      .execute(`delete from connection_credentials where connection_id = 'stolen-copy'`);
  });

  it('shows the owner their connection through every path; another user sees none of it', async () => {
    const single = `query($id: ID!) { connection(id: $id) { id status } }`;
    expect((await ask(started.url, user('alice'), MINE)).body.data.connections).toEqual([
      { id: connectionId, status: 'ACTIVE', provider: { id: 'openai' } },
    ]);
    expect(
      (await ask(started.url, user('alice'), single, { id: connectionId })).body.data.connection.id,
    ).toBe(connectionId);
    expect(
      (await ask(started.url, user('root', ['ADMIN']), single, { id: connectionId })).body.data.connection.id,
    ).toBe(connectionId);

    const mallory = user('mallory');
    expect((await ask(started.url, mallory, MINE)).body.data.connections).toEqual([]);
    const other = await ask(started.url, mallory, single, { id: connectionId });
    expect(other.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const missing = await ask(started.url, mallory, single, { id: 'no-such-id' });
    expect(missing.body.errors?.[0]?.message).toBe(other.body.errors?.[0]?.message);
    const entities = await ask(
      started.url,
      mallory,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Connection { id status } } }',
      { r: [{ __typename: 'Connection', id: connectionId }] },
    );
    expect(entities.body).toEqual({ data: { _entities: [null] } });
    const viaUser = await ask(
      started.url,
      mallory,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { connections { id } } } }',
      { r: [{ __typename: 'User', id: 'alice' }] },
    );
    expect(viaUser.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    for (const mutation of ['disconnect', 'refreshConnection']) {
      const attempt = await ask(started.url, mallory, `mutation($id: ID!) { ${mutation}(id: $id) { id } }`, {
        id: connectionId,
      });
      expect(attempt.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
  });

  it("lists a user's connections through User.connections for themself and an ADMIN, filtered by status", async () => {
    const query =
      'query($r: [_Any!]!, $s: ConnectionStatus) { _entities(representations: $r) { ... on User { connections(status: $s) { id } } } }';
    const r = [{ __typename: 'User', id: 'alice' }];
    expect((await ask(started.url, user('alice'), query, { r })).body.data._entities[0].connections).toEqual([
      { id: connectionId },
    ]);
    expect(
      (await ask(started.url, user('root', ['ADMIN']), query, { r, s: 'REVOKED' })).body.data._entities[0]
        .connections,
    ).toEqual([]);
  });

  it('VIEWERs and API keys without integrations:write may read but not connect', async () => {
    const viewer = await ask(started.url, user('vera', ['VIEWER']), CONNECT, { p: 'openai', k: GOOD_KEY });
    expect(viewer.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const readOnlyKey = { ...user('alice'), kind: 'apiKey' as const, scopes: ['integrations:read'] };
    const keyed = await ask(started.url, readOnlyKey, CONNECT, { p: 'openai', k: GOOD_KEY });
    expect(keyed.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await ask(started.url, readOnlyKey, MINE)).body.data.connections).toHaveLength(1);
  });

  it('disconnect deletes the credentials and marks the connection REVOKED', async () => {
    const { body } = await ask(
      started.url,
      user('alice'),
      'mutation($id: ID!) { disconnect(id: $id) { id status } }',
      { id: connectionId },
    );
    expect(body.data.disconnect).toEqual({ id: connectionId, status: 'REVOKED' });
    expect(await rawRows(started.server, 'connection_credentials')).toEqual([]);
    expect(
      (await ask(started.url, user('alice'), '{ connections(status: ACTIVE) { id } }')).body.data.connections,
    ).toEqual([]);
  });

  it('never shows the key in a GraphQL answer, a log line or an event', async () => {
    const answers = await Promise.all([
      ask(
        started.url,
        user('alice'),
        `{ connections { id status scopes lastError externalAccountId externalAccountName provider { id } webhookEvents { edges { node { id } } } } }`,
      ),
    ]);
    const haystack =
      JSON.stringify(answers.map((a) => a.body)) + started.logs.text + JSON.stringify(published);
    await eventually(() => expect(published.length).toBeGreaterThanOrEqual(2));
    expect(haystack).not.toContain(GOOD_KEY);
    expect(haystack).not.toContain(REJECTED_KEY);
  });
});
