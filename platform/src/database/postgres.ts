import { Client } from 'pg';
import { DatabaseUnavailableError } from './errors';
import { redactSecret } from './target';

/** How long to wait for the PostgreSQL server to accept a connection before giving up. */
export const CONNECT_TIMEOUT_MS = 5_000;

// A concurrent CREATE DATABASE of the same name fails with either code, depending on the moment it collides.
const ALREADY_CREATED = new Set(['42P04', '23505']);

/**
 * Creates the database named in `url` when it does not exist yet, through the `postgres` maintenance database.
 * Replicas starting together take turns on an advisory lock, and a creation by anyone else in between is
 * recognised by its error code. Throws DatabaseUnavailableError (host and port, never the password) when the
 * server cannot be reached or refuses the creation.
 */
export async function ensurePostgresDatabase(target: {
  url: string;
  dbName: string;
  host: string;
  port: number;
}) {
  const admin = new URL(target.url);
  admin.pathname = '/postgres';
  const client = new Client({
    connectionString: admin.toString(),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  // A socket error after connect (server restart) must not crash the process as an unhandled 'error' event.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw unreachable(target, error);
  }
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`atrium:create-database:${target.dbName}`]);
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [target.dbName]);
    if (found.rowCount === 0) await createDatabase(client, target.dbName);
  } catch (error) {
    throw new DatabaseUnavailableError(
      `Cannot create PostgreSQL database "${target.dbName}" at ${target.host}:${target.port}: ${describeError(error, target.url)}`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createDatabase(client: Client, dbName: string): Promise<void> {
  try {
    await client.query(`CREATE DATABASE ${quoteIdentifier(dbName)}`);
  } catch (error) {
    if (!ALREADY_CREATED.has(String((error as { code?: unknown }).code))) throw error;
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The error for a server that cannot be reached, naming where it was looked for. */
export function unreachable(
  target: { url: string; host: string; port: number; dbName: string },
  error: unknown,
) {
  return new DatabaseUnavailableError(
    `Cannot connect to PostgreSQL at ${target.host}:${target.port} (database "${target.dbName}"): ${describeError(error, target.url)}`,
  );
}

/** A driver error as one line: its code and message, with the URL's password removed should a driver echo it. */
export function describeError(error: unknown, url: string | undefined): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describeError(error.errors[0], url);
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' && message ? message : String(error);
  return redactSecret(typeof code === 'string' && !text.includes(code) ? `${code} ${text}` : text, url);
}
