import { MikroORM } from '@mikro-orm/core';
import type { AbstractSqlDriver, SqlEntityManager } from '@mikro-orm/knex';
import type { Logger } from 'pino';
import { DatabaseUnavailableError } from './errors';
import { databaseOptions, type DatabaseOptions } from './options';
import { CONNECT_TIMEOUT_MS, describeError, ensurePostgresDatabase, unreachable } from './postgres';
import { withMigrationLock } from './migration-lock';
import { redactUrl, resolveTarget, type DatabaseTarget } from './target';
import { withTimeout } from '../resilience/timing';

export interface OpenDatabaseOptions extends DatabaseOptions {
  /** Receives migration progress and, with `debug`, MikroORM's SQL log. Default: silent. */
  log?: Logger;
  /** Default limit of `check()`, in ms. Default 2000; a slower answer counts as unhealthy. */
  checkTimeoutMs?: number;
}

export interface Database {
  readonly orm: MikroORM<AbstractSqlDriver, SqlEntityManager>;
  /** Which driver serves this database. */
  readonly kind: 'postgresql' | 'sqlite';
  /** A fresh entity manager with its own identity map: one per request (or job), never shared. */
  fork(): SqlEntityManager;
  /** Resolves when `SELECT 1` answers within the timeout; rejects with DatabaseUnavailableError otherwise. */
  check(timeoutMs?: number): Promise<void>;
  /** Closes every connection. Idempotent; `check()` rejects afterwards. */
  close(): Promise<void>;
}

/**
 * Opens a subgraph's database: on PostgreSQL creates the database when missing, then connects and applies pending
 * migrations (under an advisory lock, so replicas starting together apply them once). Rejects with
 * DatabaseUnavailableError — naming host and port, never the password — when the server cannot be reached or a
 * migration fails; nothing is left open in that case.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const target = resolveTarget(options.databaseUrl, options.dataDir, options.dbName);
  if (target.kind === 'postgresql') await ensurePostgresDatabase(target);
  const log = options.log?.child({ component: 'database', database: where(target) });
  const orm = await MikroORM.init<AbstractSqlDriver, SqlEntityManager>({
    ...databaseOptions(options),
    logger: log ? (line: string) => log.debug(line) : () => undefined,
    ...(target.kind === 'postgresql' && {
      driverOptions: { connection: { connectionTimeoutMillis: CONNECT_TIMEOUT_MS } },
    }),
  });
  try {
    const applied = await migrate(orm, target);
    if (applied.length > 0) log?.info({ migrations: applied }, 'applied database migrations');
  } catch (error) {
    await orm.close(true).catch(() => undefined);
    throw migrationError(target, error);
  }
  return createDatabase(orm, target, options.checkTimeoutMs ?? 2_000, log);
}

async function migrate(orm: MikroORM, target: DatabaseTarget): Promise<string[]> {
  const run = async () => (await orm.migrator.up()).map((migration) => migration.name);
  return target.kind === 'postgresql' ? withMigrationLock(target.url, run) : run();
}

function migrationError(target: DatabaseTarget, error: unknown): DatabaseUnavailableError {
  if (target.kind === 'sqlite') {
    return new DatabaseUnavailableError(
      `Cannot migrate SQLite database ${target.file}: ${describeError(error, undefined)}`,
    );
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|ECONNRESET)$/.test(code)) {
    return unreachable(target, error);
  }
  return new DatabaseUnavailableError(
    `Cannot migrate PostgreSQL database ${where(target)}: ${describeError(error, target.url)}`,
  );
}

function createDatabase(
  orm: MikroORM<AbstractSqlDriver, SqlEntityManager>,
  target: DatabaseTarget,
  defaultCheckTimeoutMs: number,
  log: Logger | undefined,
): Database {
  let closed = false;
  return {
    orm,
    kind: target.kind,
    fork: () => orm.em.fork(),
    async check(timeoutMs = defaultCheckTimeoutMs) {
      if (closed) throw new DatabaseUnavailableError(`Database ${where(target)} is closed`);
      try {
        await withTimeout(orm.em.fork().getConnection().execute('select 1'), timeoutMs);
      } catch (error) {
        throw new DatabaseUnavailableError(
          `Database ${where(target)} failed its health check: ${describeError(error, urlOf(target))}`,
        );
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await orm.close(true);
      log?.debug('database closed');
    },
  };
}

function where(target: DatabaseTarget): string {
  return target.kind === 'postgresql' ? redactUrl(target.url) : target.file;
}

function urlOf(target: DatabaseTarget): string | undefined {
  return target.kind === 'postgresql' ? target.url : undefined;
}
