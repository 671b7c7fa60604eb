import { freshPostgresDatabase, randomRedisPrefix, testServices } from '@atrium/platform/testing';

export interface ProductionEnv {
  /** Variables that put every subgraph on its own fresh PostgreSQL database and on Redis. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

/**
 * The production mode for a test run: one fresh PostgreSQL database per subgraph (dropped afterwards) and a
 * Redis key prefix no other test file uses, so test files can run in parallel on one server.
 */
export async function productionEnv(): Promise<ProductionEnv> {
  if (!testServices.redisUrl) throw new Error('Redis is not reachable for tests');
  const names = ['identity', 'integrations', 'generation', 'monitoring'];
  const databases = await Promise.all(names.map((name) => freshPostgresDatabase(name)));
  const env: Record<string, string> = {
    REDIS_URL: testServices.redisUrl,
    REDIS_KEY_PREFIX: randomRedisPrefix('e2e'),
  };
  names.forEach(
    (name, index) => (env[`${name.toUpperCase()}_DATABASE_URL`] = databases[index]!.databaseUrl!),
  );
  return { env, drop: async () => void (await Promise.all(databases.map((db) => db.drop()))) };
}
