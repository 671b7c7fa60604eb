import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { randomName, testServices } from './services';

export interface TestDatabase {
  /** A `DATABASE_URL` for the fresh database (postgresql://… or undefined for the embedded SQLite mode). */
  databaseUrl: string | undefined;
  /** The data directory the embedded mode writes its SQLite file to. */
  dataDir: string;
  drop(): Promise<void>;
}

/** An empty PostgreSQL database created for one test file and dropped afterwards. */
export async function freshPostgresDatabase(label = 'atrium'): Promise<TestDatabase> {
  const adminUrl = testServices.postgresUrl;
  if (!adminUrl) throw new Error('PostgreSQL is not reachable for tests (ATRIUM_TEST_POSTGRES_URL unset)');
  const name = randomName(`test_${label}`).toLowerCase();
  await withAdminClient(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'atrium-pg-'));
  return {
    databaseUrl: url.toString(),
    dataDir,
    drop: async () => {
      await withAdminClient(adminUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      );
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh data directory for the embedded SQLite mode. */
export async function freshSqliteDatabase(): Promise<TestDatabase> {
  const dataDir = await mkdtemp(join(tmpdir(), 'atrium-sqlite-'));
  return { databaseUrl: undefined, dataDir, drop: () => rm(dataDir, { recursive: true, force: true }) };
}

async function withAdminClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
