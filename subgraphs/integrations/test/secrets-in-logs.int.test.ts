import { Leftovers } from '@atrium/platform/testing';
import { ask, describeModes, httpServer, startIntegrations, user, type Started } from './support/harness';

const PLANTED_KEY = 'sk-test-PLANTEDplanted0123456789abc';
const CONNECT = `mutation($p: ID!, $k: String!) { connectWithApiKey(providerId: $p, apiKey: $k) { id status } }`;

describeModes('a failed credential write logs no SQL values', (production) => {
  const leftovers = new Leftovers();
  let started: Started;

  beforeAll(async () => {
    const openAi = await httpServer(leftovers, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: [] }));
    });
    started = await startIntegrations(leftovers, {
      production,
      env: { INTEGRATIONS_OPENAI_BASE_URL: openAi.url },
    });
    // Every credential insert fails inside the database, after the key was verified and encrypted.
    await started.server.app
      .fork()
      .getConnection()
      .execute(
        production
          ? 'alter table "connection_credentials" add constraint "planted_failure" check (false) not valid'
          : "create trigger planted_failure before insert on connection_credentials begin select raise(abort, 'planted failure'); end",
      );
  });
  afterAll(() => leftovers.dispose());

  it('is logged with its code, without the API key or its ciphertext', async () => {
    const { body } = await ask(started.url, user('planted-owner'), CONNECT, { p: 'openai', k: PLANTED_KEY });

    expect(body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    const errorLines = (
      started.logs.lines as unknown as Array<{ level: number; err?: { code?: unknown; message?: string } }>
    ).filter((line) => line.err !== undefined && line.level >= 50);
    expect(errorLines.length).toBeGreaterThanOrEqual(1);
    for (const line of errorLines) {
      expect(line.err?.code).toEqual(expect.any(String));
      // The inlined values (the encrypted key among them) followed `values (` in the statement.
      expect(line.err?.message).not.toMatch(/values\s*\(/i);
    }
    expect(started.logs.text).not.toContain(PLANTED_KEY);
    expect(started.logs.text).not.toContain('planted-owner');
  });
});
