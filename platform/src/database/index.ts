export { databaseOptions, type DatabaseOptions } from './options';
export { openDatabase, type Database, type OpenDatabaseOptions } from './open';
export { schemaDrift, assertSchemaUpToDate, type SchemaDrift } from './schema';
export { SchemaMigration } from './migration';
export { DatabaseUnavailableError } from './errors';
export { redactUrl } from './target';
export { findByIds, findWhereEqual, type EqualityQuery, type Order } from './direct-read';
