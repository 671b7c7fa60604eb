import { Writable } from 'node:stream';
import { INTERNAL_ASSERTION_HEADER } from '@atrium/platform/auth';
import { createLogger } from '@atrium/platform/logging';
import {
  describeWithPostgres,
  freshPostgresDatabase,
  freshSqliteDatabase,
  Leftovers,
  postGraphQL,
  type TestDatabase,
} from '@atrium/platform/testing';
import { createGenerationServer, type GenerationServer } from '../src/server';
import { assertionFor, GENERATE, testConfig, user } from './support/harness';

// A user pasted a provider key into the prompt: the failed INSERT carries it (and the owner's id) as a value.
const PLANTED_KEY = 'sk-live-PLANTEDgeneration0123456789abcdef';
const OWNER = user('planted-owner-7f3a');

// Makes every job insert fail inside the database, after the service validated and built the row.
const FAIL_JOB_INSERTS = {
  postgres: 'alter table "generation_jobs" add constraint "planted_failure" check (false) not valid',
  sqlite:
    "create trigger planted_failure before insert on generation_jobs begin select raise(abort, 'planted failure'); end",
};

const MODES: Array<[string, typeof describe, () => Promise<TestDatabase>, keyof typeof FAIL_JOB_INSERTS]> = [
  ['embedded SQLite', describe, freshSqliteDatabase, 'sqlite'],
  ['PostgreSQL', describeWithPostgres, () => freshPostgresDatabase('gen_secrets'), 'postgres'],
];

for (const [name, describeMode, openDatabase, dialect] of MODES) {
  describeMode(`generation on ${name}: a failed job write logs no SQL values`, () => {
    const leftovers = new Leftovers();
    const lines: string[] = [];
    let server: GenerationServer;
    let url: string;

    beforeAll(async () => {
      const db = leftovers.add(await openDatabase(), (d) => d.drop());
      const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
      server = leftovers.add(
        await createGenerationServer({
          config: testConfig({
            ATRIUM_DATA_DIR: db.dataDir,
            ...(db.databaseUrl ? { GENERATION_DATABASE_URL: db.databaseUrl } : {}),
          }),
          log: createLogger({ service: 'generation-test', level: 'debug', pretty: false, destination: sink }),
        }),
        (s) => s.stop(),
      );
      url = (await server.listen(0, '127.0.0.1')).url;
      await server.app.fork().getConnection().execute(FAIL_JOB_INSERTS[dialect]);
    });
    afterAll(() => leftovers.dispose());

    it('generate failing in the database is logged with its code, without the prompt or the owner', async () => {
      const response = await postGraphQL<{ generate: unknown }>(url, GENERATE, {
        variables: {
          input: { kind: 'SUMMARY', prompt: `Summarise; my key is ${PLANTED_KEY}`, title: 'Planted' },
        },
        headers: { [INTERNAL_ASSERTION_HEADER]: await assertionFor(OWNER) },
      });

      expect(response.body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      const errorLines = lines
        .map((line) => JSON.parse(line) as { level: number; err?: { code?: unknown; message?: string } })
        .filter((line) => line.err !== undefined && line.level >= 50);
      expect(errorLines).toHaveLength(1);
      expect(errorLines[0]?.err?.code).toEqual(expect.any(String));
      expect(errorLines[0]?.err?.message).toMatch(/insert into/i);
      expect(errorLines[0]?.err?.message).not.toMatch(/values\s*\(/i);
      const text = lines.join('');
      expect(text).not.toContain(PLANTED_KEY);
      expect(text).not.toContain(OWNER.userId!);
    });
  });
}
