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
