import 'reflect-metadata';
import {
  ANONYMOUS,
  INTERNAL_ASSERTION_HEADER,
  signInternalAssertion,
  type Principal,
} from '@atrium/platform/auth';
import { createLogger } from '@atrium/platform/logging';
import { freshSqliteDatabase, Leftovers, postGraphQL } from '@atrium/platform/testing';
import { loadIntegrationsConfig } from '../src/config';
import { Connection } from '../src/connection/connection.entity';
import { createIntegrationsServer, type IntegrationsServer } from '../src/server';

const SECRET = 'integrations-test-secret-0123456789abcdefgh';
const user = (userId: string, roles: Principal['roles'] = ['MEMBER']): Principal => ({
  ...ANONYMOUS,
  kind: 'user',
  userId,
  roles,
});

describe('integrations subgraph', () => {
  const leftovers = new Leftovers();
  let server: IntegrationsServer;
  let url: string;
  let aliceConnectionId: string;

  beforeAll(async () => {
    const data = leftovers.add(await freshSqliteDatabase(), (db) => db.drop());
    const config = loadIntegrationsConfig({
      INTERNAL_TOKEN_SECRET: SECRET,
      ATRIUM_DATA_DIR: data.dataDir,
      OAUTH_GITHUB_CLIENT_ID: 'gh-client',
      OAUTH_GITHUB_CLIENT_SECRET: 'gh-secret',
      OAUTH_SLACK_CLIENT_ID: 'only-half-configured',
    });
    const log = createLogger({ service: 'integrations', level: 'silent', pretty: false });
    server = leftovers.add(await createIntegrationsServer({ config, log }), (s) => s.stop());
    url = (await server.listen(0, '127.0.0.1')).url;
    const em = server.app.fork();
    const connection = em.create(Connection, { ownerId: 'alice', providerId: 'github' });
    await em.flush();
    aliceConnectionId = connection.id;
  });
  afterAll(() => leftovers.dispose());

  const ask = async (principal: Principal, query: string, variables?: Record<string, unknown>) =>
    postGraphQL(url, query, {
      variables,
      headers: {
        [INTERNAL_ASSERTION_HEADER]: await signInternalAssertion(principal, {
          secret: SECRET,
          audience: 'integrations',
        }),
      },
    });

  it('marks a provider configured only when both halves of its OAuth client are present', async () => {
    const response = await ask(ANONYMOUS, '{ integrationProviders { id configured } }');
    const configured = Object.fromEntries(
      (response.body.data as any).integrationProviders.map((p: { id: string; configured: boolean }) => [
        p.id,
        p.configured,
      ]),
    );
    expect(configured).toMatchObject({ github: true, slack: false, google: false, openai: true });
  });

  const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Connection { id } } }';

  it('resolves a Connection through _entities for its owner and for an ADMIN', async () => {
    const representations = [{ __typename: 'Connection', id: aliceConnectionId }];
    for (const principal of [user('alice'), user('root', ['ADMIN'])]) {
      const response = await ask(principal, ENTITIES, { r: representations });
      expect(response.body).toEqual({ data: { _entities: [{ id: aliceConnectionId }] } });
    }
  });

  it('gives another user null for it, exactly as for an id that does not exist', async () => {
    const representations = [
      { __typename: 'Connection', id: aliceConnectionId },
      { __typename: 'Connection', id: 'no-such-connection' },
    ];
    const response = await ask(user('mallory'), ENTITIES, { r: representations });
    expect(response.body).toEqual({ data: { _entities: [null, null] } });
  });
});
