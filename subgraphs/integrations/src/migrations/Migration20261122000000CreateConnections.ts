import { SchemaMigration } from '@atrium/platform/database';

export class Migration20261122000000CreateConnections extends SchemaMigration {
  override up(): void {
    this.addSchema(
      this.schema.createTable('connections', (table) => {
        table.string('id', 36).primary().notNullable();
        table.string('owner_id', 36).notNullable().index();
        table.string('provider_id', 64).notNullable();
        table.string('status', 32).notNullable().defaultTo('PENDING');
        table.datetime('created_at').notNullable();
        table.datetime('updated_at').notNullable();
      }),
    );
  }

  override down(): void {
    this.addSchema(this.schema.dropTable('connections'));
  }
}
