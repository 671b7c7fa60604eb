import { openDatabase, type Database, type DatabaseOptions } from '../database';
import type { DependencyCheck } from '../health';
import { createInfrastructure, type Infrastructure } from '../infrastructure';
import type { Logger } from '../logging';
import type { SubgraphRuntimeConfig } from './service-config';

/** What a process opened before building its app: its dependencies, their readiness checks, one close. */
export interface Resources {
  infra: Infrastructure;
  /** Readiness checks of everything opened (database, Redis). */
  checks: DependencyCheck[];
  /** Closes everything opened, infrastructure first. Idempotent. */
  close(): Promise<void>;
}

export interface SubgraphResources extends Resources {
  db: Database;
}

/** The infrastructure alone (the gateway has no database): Redis or in-process, chosen by `redisUrl`. */
export function openInfrastructure(options: {
  redisUrl: string | undefined;
  keyPrefix: string;
  log: Logger;
}): Resources {
  const infra = createInfrastructure(options);
  let closing: Promise<void> | undefined;
  return { infra, checks: [...infra.healthChecks], close: () => (closing ??= infra.close()) };
}

/**
 * Opens a subgraph's database (running its migrations) and its infrastructure: the same code in the embedded
 * default and in production, chosen only by configuration. Nothing stays open when a step fails.
 */
export async function openSubgraphResources(
  name: string,
  config: Pick<SubgraphRuntimeConfig, 'databaseUrl' | 'dataDir' | 'redisUrl' | 'redisKeyPrefix'>,
  log: Logger,
  schema: Pick<DatabaseOptions, 'entities' | 'migrations'>,
): Promise<SubgraphResources> {
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    dbName: name,
    entities: schema.entities,
    migrations: schema.migrations,
    log,
  });
  let infra: Resources;
  try {
    infra = openInfrastructure({
      redisUrl: config.redisUrl,
      keyPrefix: `${config.redisKeyPrefix}${name}:`,
      log,
    });
  } catch (error) {
    await db.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    db,
    infra: infra.infra,
    checks: [{ name: 'database', kind: 'database', check: () => db.check() }, ...infra.checks],
    close: () =>
      (closing ??= (async () => {
        try {
          await infra.close();
        } finally {
          await db.close();
        }
      })()),
  };
}

/**
 * Runs the steps that build on opened resources (build the app, serve it) and closes the resources when one of
 * them fails, so a failed start leaves nothing open.
 */
export async function buildOn<R extends { close(): Promise<void> }, T>(
  resources: R,
  build: (resources: R) => Promise<T>,
): Promise<T> {
  try {
    return await build(resources);
  } catch (error) {
    await resources.close();
    throw error;
  }
}
