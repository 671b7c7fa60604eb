import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { openDatabase, type Database } from '../../src/database';
import { maskError } from '../../src/errors';
import {
  describeWithPostgres,
  freshPostgresDatabase,
  freshSqliteDatabase,
  Leftovers,
  type TestDatabase,
} from '../../src/testing';
import { LogCapture } from '../../src/testing';
import { migrations, Note } from './fixture';

// Stands in for an Argon2 hash or an API key's secret hash: a value a failed write carries into the driver error.
const PLANTED = '$argon2id$v=19$m=65536,t=3,p=4$planted-secret-0d9c2b7e';

const drivers = [
  { name: 'PostgreSQL', describeFor: describeWithPostgres, fresh: () => freshPostgresDatabase('secrets') },
  { name: 'SQLite', describeFor: describe, fresh: freshSqliteDatabase },
] as const;

for (const { name, describeFor, fresh } of drivers) {
  describeFor(`a failed write on ${name} logs no SQL values`, () => {
    const leftovers = new Leftovers();
    let target: TestDatabase;
    let memory: LogCapture;
    let db: Database;

    beforeEach(async () => {
      target = leftovers.add(await fresh(), (it) => it.drop());
      memory = new LogCapture('secrets-test', { level: 'trace' });
      const { log } = memory;
      db = await openDatabase({
        databaseUrl: target.databaseUrl,
        dataDir: target.dataDir,
        dbName: 'notes',
        entities: [Note],
        migrations,
        debug: true,
        log,
      });
      leftovers.add(db, (it) => it.close());
      // The real path: an unexpected resolver error reaches the one formatError, which logs it in full.
      failure = async (write) => {
        const error = await write().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(Error);
        const wrapped = new GraphQLError('write failed', { originalError: error as Error });
        const masked = maskError({ message: wrapped.message }, wrapped, { log, requestId: 'req-1' });
        expect(masked.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
        log.trace({ err: error }, 'write failed (trace)');
        return error as Error & { code?: unknown };
      };
    });
    afterEach(() => leftovers.dispose());

    let failure: (write: () => Promise<unknown>) => Promise<Error & { code?: unknown }>;

    function insert(id: string, title: string, body: string): Promise<void> {
      const em = db.fork();
      em.create(Note, { id, title, body, createdAt: new Date() });
      return em.flush();
    }

    function loggedErrors(): Array<Record<string, unknown>> {
      return memory.lines
        .filter((line) => line.err !== undefined)
        .map((line) => line.err as Record<string, unknown>);
    }

    it('a unique violation carrying a secret is logged with its code, without the secret', async () => {
      const id = randomUUID();
      await insert(id, 'first', 'harmless');
      const error = await failure(() => insert(id, 'second', PLANTED));

      expect(memory.text).not.toContain(PLANTED);
      expect(memory.text).not.toContain('planted-secret');
      const errors = loggedErrors();
      expect(errors).toHaveLength(2);
      for (const err of errors) {
        expect(err.code).toBe(error.code);
        expect(err.type).toBe('UniqueConstraintViolationException');
      }
    });

    it('a NOT NULL violation in a row carrying a secret never reaches a log line', async () => {
      const error = await failure(async () => {
        await db.fork().insert(Note, { id: randomUUID(), title: null as unknown as string, body: PLANTED });
      });

      expect(memory.text).not.toContain('planted-secret');
      const errors = loggedErrors();
      expect(errors).toHaveLength(2);
      for (const err of errors) expect(err.code).toBe(error.code);
    });
  });
}
