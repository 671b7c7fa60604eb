import { Client } from 'pg';
import { CONNECT_TIMEOUT_MS } from './postgres';

// Any fixed 64-bit key works; it is scoped to the subgraph's own database, so subgraphs never contend.
const MIGRATION_LOCK_KEY = '7305217094415220001';

/**
 * Runs `fn` while holding a PostgreSQL session advisory lock, so two replicas starting together do not apply the
 * same migration twice (MikroORM's migrator has no lock of its own). The lock dies with its session, so a crashed
 * replica never leaves it behind.
 */
export async function withMigrationLock<T>(url: string, fn: () => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    return await fn();
  } finally {
    await client.end().catch(() => undefined);
  }
}
