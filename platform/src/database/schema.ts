import type { MikroORM } from '@mikro-orm/core';
import {
  BaseSqlitePlatform,
  DatabaseSchema,
  SchemaComparator,
  type AbstractSqlDriver,
  type SqlEntityManager,
} from '@mikro-orm/knex';
import { describeDifference, dropSqliteNoise } from './schema-diff';

type Orm = MikroORM<AbstractSqlDriver, SqlEntityManager>;

export interface SchemaDrift {
  /** Each difference between the database and the entities, e.g. `alter column note.stars: default "0" → 1`. */
  changes: string[];
  /**
   * The statements MikroORM's schema generator would run to close the gap. Informative only: on SQLite it can
   * miss changes (a changed default next to an added column), which is why `changes` is the verdict.
   */
  sql: string[];
}

/**
 * Compares the database (after migrations) with what the entities describe. Tables no entity maps count too,
 * except MikroORM's own `mikro_orm_migrations`. On SQLite, differences SQLite itself ignores are left out.
 */
export async function schemaDrift(orm: Orm): Promise<SchemaDrift> {
  const platform = orm.em.getPlatform();
  const toSchema = orm.schema.getTargetSchema();
  const fromSchema = await DatabaseSchema.create(
    orm.em.getConnection(),
    platform,
    orm.config,
    undefined,
    toSchema.getNamespaces(),
    undefined,
    orm.config.get('schemaGenerator').skipTables,
  );
  fromSchema.prune(undefined, []);
  toSchema.prune(undefined, []);
  const diff = new SchemaComparator(platform).compare(fromSchema, toSchema);
  if (platform instanceof BaseSqlitePlatform) dropSqliteNoise(diff);
  const changes = describeDifference(diff, platform.getDefaultSchemaName());
  const sql = await orm.schema.diffToSQL(diff, { wrap: false, safe: false, dropTables: true });
  return { changes, sql: splitStatements(sql) };
}

/** Throws, listing each difference and the SQL, unless the migrations produce exactly the entities' schema. */
export async function assertSchemaUpToDate(orm: Orm): Promise<void> {
  const { changes, sql } = await schemaDrift(orm);
  if (changes.length === 0) return;
  throw new Error(
    `The migrations do not match the entities:\n${changes.map((line) => `  - ${line}`).join('\n')}\n` +
      `SQL the schema generator suggests:\n${sql.join(';\n')};`,
  );
}

function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*\n/)
    .map((statement) => statement.trim().replace(/;$/, ''))
    .filter((statement) => statement.length > 0);
}
