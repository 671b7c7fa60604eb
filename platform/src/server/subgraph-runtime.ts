import type { EntityManager } from '@mikro-orm/core';
import { openDatabase, type Database, type DatabaseOptions } from '../database';
import { createInfrastructure, type Infrastructure } from '../infrastructure';
import type { Logger } from '../logging';
import type { SubgraphRuntimeConfig } from './service-config';
import {
  createSubgraphServer,
  type BaseContext,
  type SubgraphServer,
  type SubgraphServerOptions,
} from './subgraph-server';

/** What a subgraph's context builder gets besides the caller: its own request-scoped entity manager. */
export interface RuntimeContextInput extends BaseContext {
  em: EntityManager;
  infra: Infrastructure;
}

export interface SubgraphRuntimeOptions<Ctx extends object> extends Omit<
  SubgraphServerOptions<Ctx>,
  'context' | 'internalSecret' | 'checks' | 'onStop' | 'log'
> {
  config: SubgraphRuntimeConfig;
  log: Logger;
  entities: DatabaseOptions['entities'];
  migrations: DatabaseOptions['migrations'];
  context: (input: RuntimeContextInput) => Promise<Ctx> | Ctx;
  /** Resources the subgraph opened itself (workers, circuits), released after the server drained. */
  onStop?: () => Promise<void>;
}

export interface SubgraphRuntime extends SubgraphServer {
  db: Database;
  infra: Infrastructure;
}

/**
 * Opens a subgraph's database (running its migrations) and its Redis or in-process infrastructure, then serves
 * it: the same code in the embedded default and in production, chosen only by configuration.
 */
export async function createSubgraphRuntime<Ctx extends object>(
  options: SubgraphRuntimeOptions<Ctx>,
): Promise<SubgraphRuntime> {
  const { config, log, name } = options;
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    dbName: name,
    entities: options.entities,
    migrations: options.migrations,
    log,
  });
  const infra = createInfrastructure({
    redisUrl: config.redisUrl,
    keyPrefix: `${config.redisKeyPrefix}${name}:`,
    log,
  });
  try {
    const server = await createSubgraphServer<Ctx>({
      ...options,
      internalSecret: config.internalSecret,
      checks: [{ name: 'database', kind: 'database', check: () => db.check() }, ...infra.healthChecks],
      context: (base) => options.context({ ...base, em: db.fork(), infra }),
      onStop: async () => {
        await options.onStop?.();
        await infra.close();
        await db.close();
      },
    });
    return Object.assign(server, { db, infra });
  } catch (error) {
    await infra.close();
    await db.close();
    throw error;
  }
}
