import type { Knex } from '@mikro-orm/knex';
import { Migration } from '@mikro-orm/migrations';

/**
 * A migration written once for both PostgreSQL and SQLite through knex's schema builder: build with
 * `this.schema`, add with `this.addSchema(builder)`. MikroORM runs each added query as one statement, and a
 * schema builder often compiles to several (a table and its indexes), which `addSql(builder)` would not run.
 * SQLite lets a non-integer primary key hold NULL, so write `.primary().notNullable()` for uuid/text keys.
 */
export abstract class SchemaMigration extends Migration {
  protected get schema(): Knex.SchemaBuilder {
    return this.getKnex().schema;
  }

  protected addSchema(builder: Knex.SchemaBuilder): void {
    const statements = builder.toSQL() as unknown as Array<{ sql: string; bindings?: readonly Knex.Value[] }>;
    for (const { sql, bindings } of statements) {
      this.addSql(bindings && bindings.length > 0 ? this.getKnex().raw(sql, bindings) : sql);
    }
  }
}
