import type { LoggerNamespace, MigrationObject, Options } from '@mikro-orm/core';
import type { AbstractSqlDriver } from '@mikro-orm/knex';
import { LibSqlDriver } from '@mikro-orm/libsql';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { resolveTarget, type DatabaseTarget } from './target';

export interface DatabaseOptions {
  /**
   * `DATABASE_URL`. `postgresql://…`/`postgres://…` → PostgreSQL (that database, created if missing by
   * `openDatabase`); unset, empty or `file:` → embedded SQLite file `<dataDir>/<dbName>.sqlite`; `file:PATH` →
   * SQLite at PATH. Any other scheme throws.
   */
  databaseUrl?: string;
  /** Directory of the embedded SQLite file; created when missing (at connect). Unused with PostgreSQL. */
  dataDir: string;
  /** Name of the SQLite file (without extension), normally the subgraph name. Unused with PostgreSQL. */
  dbName: string;
  /** Entity classes (decorated; discovery never scans files). */
  entities: any[];
  /**
   * Migrations, in order, as classes: they run from TypeScript under jest/swc and from compiled JS alike, since
   * nothing is looked up on disk. Names are recorded in `mikro_orm_migrations`, so never rename one.
   */
  migrations: MigrationObject[];
  /** Logs SQL (never its parameters, which may hold secrets) through MikroORM's logger. Default false. */
  debug?: boolean;
  /** PostgreSQL connection pool size. Default knex's `{ min: 2, max: 10 }`. SQLite always uses one connection. */
  pool?: { min: number; max: number };
  /** Where MikroORM writes its log lines (only when `debug` is on, or for warnings). Default: discarded. */
  logLine?: (message: string) => void;
}

/** How long a SQLite connection waits for another process's write lock before failing with SQLITE_BUSY. */
const SQLITE_BUSY_TIMEOUT_MS = 5_000;

// 'query-params' is left out on purpose: parameters carry passwords, tokens and personal data.
const DEBUG_NAMESPACES: LoggerNamespace[] = ['query', 'schema', 'discovery', 'info'];

/** MikroORM options for one subgraph's database, for either driver. Pure: the SQLite directory is created by
 * the driver when it connects. Throws on an unsupported `databaseUrl` scheme. */
export function databaseOptions(options: DatabaseOptions): Options<AbstractSqlDriver> {
  const target = resolveTarget(options.databaseUrl, options.dataDir, options.dbName);
  return { ...common(options), ...connection(target, options) } as Options<AbstractSqlDriver>;
}

function common(options: DatabaseOptions): Options<AbstractSqlDriver> {
  return {
    entities: options.entities,
    // Every request must fork; a shared identity map would leak one user's entities into another's request.
    allowGlobalContext: false,
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true, warnWhenNoEntities: false },
    // openDatabase creates a missing PostgreSQL database itself (race-safe); migrations create the tables.
    ensureDatabase: false,
    extensions: [Migrator],
    migrations: {
      migrationsList: options.migrations,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    debug: options.debug ? DEBUG_NAMESPACES : false,
    colors: false,
    logger: options.logLine ?? (() => undefined),
  };
}

function connection(target: DatabaseTarget, options: DatabaseOptions): Options<AbstractSqlDriver> {
  if (target.kind === 'postgresql') {
    return { driver: PostgreSqlDriver, clientUrl: target.url, dbName: target.dbName, pool: options.pool };
  }
  return {
    driver: LibSqlDriver,
    dbName: target.file,
    // Pragmas are per connection and knex recycles SQLite connections (libsql dialect: every 10 s), so they are
    // set on each new connection rather than once after connecting.
    pool: { min: 1, max: 1, afterCreate: configureSqliteConnection },
  };
}

interface SqliteConnection {
  exec(sql: string): unknown;
}

function configureSqliteConnection(connection: SqliteConnection, done: (error: Error | null) => void): void {
  try {
    // WAL lets readers and one writer of another process share the file; busy_timeout makes a writer wait for
    // the other process's lock instead of failing at once.
    connection.exec(`PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    connection.exec('PRAGMA journal_mode = WAL');
    connection.exec('PRAGMA foreign_keys = ON');
    done(null);
  } catch (error) {
    done(error as Error);
  }
}
