export { Leftovers } from './leftovers';
export {
  testServices,
  describeWithRedis,
  describeWithPostgres,
  randomRedisPrefix,
  randomName,
} from './services';
export { freshPostgresDatabase, freshSqliteDatabase, type TestDatabase } from './database';
export { baseUrl, postGraphQL, type GraphQLResponse } from './http';
