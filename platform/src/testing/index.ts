export { Leftovers } from './leftovers';
export {
  testServices,
  describeWithRedis,
  describeWithPostgres,
  describeWithPostgresAndRedis,
  randomRedisPrefix,
  randomName,
} from './services';
export { freshPostgresDatabase, freshSqliteDatabase, type TestDatabase } from './database';
export { baseUrl, postGraphQL, type GraphQLResponse } from './http';
export { waitFor, gate } from './wait';
export { trickleHeaders, type SlowClientResult } from './slow-client';
export { promtool, describeWithPromtool } from './promtool';
export { LogCapture, silentLogger } from './logs';
export { HealthFixture, serveHealthFixture, type HealthFixtureOptions } from './health-fixture';
export {
  subgraphClient,
  TEST_INTERNAL_SECRET,
  type CallerDetails,
  type SubgraphClient,
} from './subgraph-client';
export {
  DATABASE_MODES,
  describeFor,
  describeModes,
  EMBEDDED_MODE,
  openTestDatabase,
  PRODUCTION_MODE,
  startTestSubgraph,
  SUBGRAPH_MODES,
  testDeployment,
  type TestEnv,
  type TestMode,
  type TestSubgraph,
  type TestDeploymentOptions,
  type TestSubgraphOptions,
} from './subgraph';
