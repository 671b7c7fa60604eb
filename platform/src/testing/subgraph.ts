import type { Client } from 'graphql-ws';
import type { Principal } from '../auth';
import { openDatabase, type Database, type DatabaseOptions } from '../database';
import type { Service } from '../server';
import { freshPostgresDatabase, freshSqliteDatabase } from './database';
import type { Leftovers } from './leftovers';
import {
  describeWithPostgres,
  describeWithPostgresAndRedis,
  describeWithRedis,
  randomRedisPrefix,
  testServices,
} from './services';
import { subgraphClient, TEST_INTERNAL_SECRET, type SubgraphClient } from './subgraph-client';

export type TestEnv = Record<string, string | undefined>;

/** Where a test deployment keeps its data: SQLite or PostgreSQL, in-process infrastructure or Redis. */
export interface TestMode {
  name: string;
  database: 'sqlite' | 'postgres';
  redis: boolean;
}

export const EMBEDDED_MODE: TestMode = { name: 'embedded SQLite', database: 'sqlite', redis: false };
export const PRODUCTION_MODE: TestMode = { name: 'PostgreSQL + Redis', database: 'postgres', redis: true };
/** The two modes every subgraph runs in; the same tests and assertions in each. */
export const SUBGRAPH_MODES: readonly TestMode[] = [PRODUCTION_MODE, EMBEDDED_MODE];

/** The two databases alone, for suites about the database (the infrastructure in-process). */
export const DATABASE_MODES: readonly TestMode[] = [
  { name: 'PostgreSQL', database: 'postgres', redis: false },
  { name: 'SQLite', database: 'sqlite', redis: false },
];

/** `describe` for a mode: a skip naming what is unreachable when its services are not (REQUIRE_SERVICES=1 fails). */
export function describeFor(mode: Pick<TestMode, 'database' | 'redis'>): jest.Describe {
  if (mode.database === 'postgres') return mode.redis ? describeWithPostgresAndRedis : describeWithPostgres;
  return mode.redis ? describeWithRedis : describe;
}

/** Declares the suite once per mode, named `<name> (<mode>)`. */
export function describeModes(
  name: string,
  suite: (mode: TestMode) => void,
  modes: readonly TestMode[] = SUBGRAPH_MODES,
): void {
  for (const mode of modes) describeFor(mode)(`${name} (${mode.name})`, () => suite(mode));
}

/** A fresh database of `mode`, migrated to `schema`, opened as subgraph `name` opens it; closed and dropped after. */
export async function openTestDatabase(
  name: string,
  mode: Pick<TestMode, 'database'>,
  leftovers: Leftovers,
  schema: Pick<DatabaseOptions, 'entities' | 'migrations'>,
): Promise<Database> {
  const target = await freshDatabase(name, mode, leftovers);
  return leftovers.add(
    await openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.dataDir, dbName: name, ...schema }),
    (db) => db.close(),
  );
}

async function freshDatabase(name: string, mode: Pick<TestMode, 'database'>, leftovers: Leftovers) {
  return leftovers.add(
    mode.database === 'postgres' ? await freshPostgresDatabase(name) : await freshSqliteDatabase(),
    (it) => it.drop(),
  );
}

/**
 * The environment of a fresh deployment of subgraph `name`: the test secret, a fresh database (dropped with
 * `leftovers`) and a Redis key prefix no other test shares.
 */
export async function testDeployment(
  name: string,
  mode: Pick<TestMode, 'database' | 'redis'>,
  leftovers: Leftovers,
): Promise<TestEnv> {
  if (mode.redis && !testServices.redisUrl) throw new Error('Redis is not reachable for tests');
  const db = await freshDatabase(name, mode, leftovers);
  return {
    INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
    ATRIUM_DATA_DIR: db.dataDir,
    [`${name.toUpperCase()}_DATABASE_URL`]: db.databaseUrl,
    REDIS_URL: mode.redis ? testServices.redisUrl : undefined,
    REDIS_KEY_PREFIX: randomRedisPrefix(name),
  };
}

export interface TestSubgraphOptions<S extends Service> {
  /** The subgraph's name: its `<NAME>_DATABASE_URL`, its Redis prefix label and the assertions' audience. */
  name: string;
  /** Starts the server from the environment built here (load the config, create the server). */
  start(env: TestEnv): Promise<S>;
  leftovers: Leftovers;
  /** Variables over the deployment's. */
  env?: TestEnv;
  /** Where it keeps its data. Default: a fresh embedded (SQLite, in-process) deployment. */
  deployment?: TestDeploymentOptions;
}

/** Where a test subgraph keeps its data; a `TestMode` is one. */
export interface TestDeploymentOptions {
  /** Default `sqlite`. */
  database?: TestMode['database'];
  /** Default false (in-process infrastructure). */
  redis?: boolean;
  /** Joins that deployment (same database and Redis prefix) instead of a fresh one: a second process of it. */
  shareWith?: { env: TestEnv };
}

/** A subgraph started for a test on port 0, and called the way the gateway calls it. */
export interface TestSubgraph<S> extends Omit<SubgraphClient, 'ws'> {
  server: S;
  url: string;
  origin: string;
  /** The environment it was started with (`shareWith` it to start another process of the same deployment). */
  env: TestEnv;
  /** A graphql-ws client as `principal`, disposed with the test's leftovers. */
  ws(principal: Principal): Client;
}

/**
 * The one way tests start a subgraph: a fresh deployment (or a shared one), the server started on port 0 and
 * stopped with `leftovers`, and a client that signs the gateway's assertion for every call.
 */
export async function startTestSubgraph<S extends Service>(
  options: TestSubgraphOptions<S>,
): Promise<TestSubgraph<S>> {
  const { leftovers, deployment = {} } = options;
  const shared =
    deployment.shareWith?.env ??
    (await testDeployment(
      options.name,
      { database: deployment.database ?? 'sqlite', redis: deployment.redis ?? false },
      leftovers,
    ));
  const env = { ...shared, ...options.env };
  const server = leftovers.add(await options.start(env), (s) => s.stop());
  const { url } = await server.listen(0, '127.0.0.1');
  const client = subgraphClient(url, { audience: options.name, secret: env.INTERNAL_TOKEN_SECRET });
  return {
    ...client,
    server,
    url,
    origin: new URL(url).origin,
    env,
    ws: (principal) => client.ws(principal, leftovers),
  };
}
