import { SchemaMigration } from '@atrium/platform/database';

export class Migration20261122000000CreateUsers extends SchemaMigration {
  override up(): void {
    this.addSchema(
      this.schema.createTable('users', (table) => {
        table.string('id', 36).primary().notNullable();
        table.datetime('created_at').notNullable();
      }),
    );
  }

  override down(): void {
    this.addSchema(this.schema.dropTable('users'));
  }
}
