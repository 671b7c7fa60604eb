import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import {
  assertSchemaUpToDate,
  DatabaseUnavailableError,
  openDatabase,
  schemaDrift,
  type Database,
  type OpenDatabaseOptions,
} from '../../src/database';
import {
  describeWithPostgres,
  freshPostgresDatabase,
  freshSqliteDatabase,
  Leftovers,
  randomName,
  testServices,
  type TestDatabase,
} from '../../src/testing';
import { DriftedNote, migrations, Note } from './fixture';

const drivers = [
  { name: 'PostgreSQL', describeFor: describeWithPostgres, fresh: () => freshPostgresDatabase('db') },
  { name: 'SQLite', describeFor: describe, fresh: freshSqliteDatabase },
] as const;

for (const { name, describeFor, fresh } of drivers) {
  describeFor(`openDatabase on ${name}`, () => {
    const leftovers = new Leftovers();
    let target: TestDatabase;

    beforeEach(async () => {
      target = leftovers.add(await fresh(), (db) => db.drop());
    });
    afterEach(() => leftovers.dispose());

    async function open(overrides: Partial<OpenDatabaseOptions> = {}): Promise<Database> {
      const db = await openDatabase({
        databaseUrl: target.databaseUrl,
        dataDir: target.dataDir,
        dbName: 'notes',
        entities: [Note],
        migrations,
        ...overrides,
      });
      leftovers.add(db, (it) => it.close());
      return db;
    }

    it('runs the migrations at open, so an entity written by one fork is read back by another', async () => {
      const db = await open();
      const writer = db.fork();
      const id = randomUUID();
      writer.create(Note, { id, title: 'hello', body: null, createdAt: new Date('2025-01-02T03:04:05Z') });
      await writer.flush();

      const read = await db.fork().findOneOrFail(Note, id);
      expect(read).toMatchObject({ id, title: 'hello', body: null, stars: 0, pinned: false });
      expect(read.createdAt.toISOString()).toBe('2025-01-02T03:04:05.000Z');
      expect(read).not.toBe(await writer.findOneOrFail(Note, id));
    });

    it('refuses the global entity manager, so no identity map is shared between requests', async () => {
      const db = await open();
      await expect(db.orm.em.find(Note, {})).rejects.toThrow(/global EntityManager/);
    });

    it('does not re-run migrations when opened again', async () => {
      const first = await open();
      const em = first.fork();
      em.create(Note, { id: randomUUID(), title: 'kept', createdAt: new Date() });
      await em.flush();
      await first.close();

      const second = await open();
      expect(await second.fork().count(Note)).toBe(1);
      const rows = await second.fork().getConnection().execute('select name from mikro_orm_migrations');
      expect(rows.map((row) => row.name)).toEqual([migrations[0]!.name]);
    });

    it('has a schema that matches the entities after the migrations', async () => {
      const db = await open();
      expect(await schemaDrift(db.orm)).toEqual({ changes: [], sql: [] });
      await expect(assertSchemaUpToDate(db.orm)).resolves.toBeUndefined();
    });

    it('reports each difference when the entities drifted from the migrations', async () => {
      const db = await open({ entities: [DriftedNote] });
      const { changes, sql } = await schemaDrift(db.orm);
      expect(changes).toEqual([
        'add column note.archived',
        expect.stringMatching(/^alter column note\.stars: default "'?0'?" → "1"$/),
      ]);
      expect(sql.join('\n')).toMatch(/archived/);
      await expect(assertSchemaUpToDate(db.orm)).rejects.toThrow(/add column note\.archived/);
    });

    it('passes the health check while open and fails it after close', async () => {
      const db = await open();
      await expect(db.check()).resolves.toBeUndefined();
      await db.close();
      await expect(db.check()).rejects.toBeInstanceOf(DatabaseUnavailableError);
      await expect(db.close()).resolves.toBeUndefined();
    });
  });
}

describeWithPostgres('openDatabase on a PostgreSQL server', () => {
  const leftovers = new Leftovers();
  afterEach(() => leftovers.dispose());

  function urlFor(dbName: string): string {
    const url = new URL(testServices.postgresUrl!);
    url.pathname = `/${dbName}`;
    return url.toString();
  }

  async function databaseExists(dbName: string): Promise<boolean> {
    const client = new Client({ connectionString: testServices.postgresUrl });
    await client.connect();
    try {
      return (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName])).rowCount === 1;
    } finally {
      await client.end();
    }
  }

  it('creates a missing database, also when two replicas open it at once', async () => {
    const dbName = randomName('test_db_missing').toLowerCase();
    leftovers.defer(async () => {
      const client = new Client({ connectionString: testServices.postgresUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).finally(() => client.end());
    });
    expect(await databaseExists(dbName)).toBe(false);

    const options = {
      databaseUrl: urlFor(dbName),
      dataDir: '/nonexistent',
      dbName,
      entities: [Note],
      migrations,
    };
    const opened = await Promise.allSettled([openDatabase(options), openDatabase(options)]);
    for (const result of opened)
      if (result.status === 'fulfilled') leftovers.add(result.value, (db) => db.close());
    expect(opened.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);

    expect(await databaseExists(dbName)).toBe(true);
    const [a, b] = opened.map((result) => (result as PromiseFulfilledResult<Database>).value);
    const em = a!.fork();
    em.create(Note, { id: randomUUID(), title: 'shared', createdAt: new Date() });
    await em.flush();
    expect(await b!.fork().count(Note)).toBe(1);
  });

  it('fails fast naming host and port, never the password, when the server is unreachable', async () => {
    const started = Date.now();
    const error = await openDatabase({
      databaseUrl: 'postgresql://atrium:Sup3r-Secret-pw@127.0.0.1:1/atrium_identity',
      dataDir: '/nonexistent',
      dbName: 'atrium_identity',
      entities: [Note],
      migrations,
    }).catch((caught: unknown) => caught);

    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    const { message, stack } = error as Error;
    expect(message).toContain('127.0.0.1:1');
    expect(`${message}\n${stack}\n${JSON.stringify(error)}`).not.toContain('Sup3r-Secret-pw');
  });
});

/** Another process that writes a row in an open transaction and commits it after `holdMs`. */
async function holdWriteLock(
  file: string,
  holdMs: number,
): Promise<ChildProcess & { exited: Promise<number | null> }> {
  const libsql = require.resolve('libsql', { paths: [dirname(require.resolve('@mikro-orm/libsql'))] });
  const script = `
    const Database = require(${JSON.stringify(libsql)});
    const db = new Database(${JSON.stringify(file)});
    db.exec('PRAGMA busy_timeout = 5000');
    db.exec('BEGIN IMMEDIATE');
    db.prepare("insert into note (id, title, stars, pinned, created_at) values (?, 'from the other process', 0, 0, ?)")
      .run('00000000-0000-4000-8000-000000000000', Date.now());
    process.stdout.write('locked\\n');
    setTimeout(() => { db.exec('COMMIT'); db.close(); }, ${holdMs});
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`lock holder exited early with ${code}`)));
  });
  return Object.assign(child, { exited });
}

describe('openDatabase on SQLite files', () => {
  const leftovers = new Leftovers();
  afterEach(() => leftovers.dispose());

  async function openAt(target: TestDatabase, file?: string): Promise<Database> {
    const db = await openDatabase({
      databaseUrl: file && `file:${file}`,
      dataDir: join(target.dataDir, 'nested', 'data'),
      dbName: 'notes',
      entities: [Note],
      migrations,
    });
    return leftovers.add(db, (it) => it.close());
  }

  it('creates <dataDir>/<dbName>.sqlite, in WAL mode with foreign keys on', async () => {
    const target = leftovers.add(await freshSqliteDatabase(), (db) => db.drop());
    const db = await openAt(target);

    expect(existsSync(join(target.dataDir, 'nested', 'data', 'notes.sqlite'))).toBe(true);
    const connection = db.fork().getConnection();
    expect(await connection.execute('pragma journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await connection.execute('pragma foreign_keys')).toEqual([{ foreign_keys: 1 }]);
    expect(await connection.execute('pragma busy_timeout')).toEqual([{ timeout: 5000 }]);
  });

  it('shares its file with another process: reads do not wait for its write lock, writes wait for it', async () => {
    const target = leftovers.add(await freshSqliteDatabase(), (db) => db.drop());
    const file = join(target.dataDir, 'shared.sqlite');
    const db = await openAt(target, file);
    const other = leftovers.add(await holdWriteLock(file, 500), (child) => child.kill());

    let started = Date.now();
    expect(await db.fork().count(Note)).toBe(0);
    expect(Date.now() - started).toBeLessThan(300);

    started = Date.now();
    const em = db.fork();
    em.create(Note, { id: randomUUID(), title: 'after the lock', createdAt: new Date() });
    await em.flush();
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);

    expect(await other.exited).toBe(0);
    expect((await db.fork().find(Note, {}, { orderBy: { title: 'asc' } })).map((note) => note.title)).toEqual(
      ['after the lock', 'from the other process'],
    );
  });
});
