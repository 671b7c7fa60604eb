import { SchemaMigration } from '@atrium/platform/database';

export class Migration20261122000000CreateAlerts extends SchemaMigration {
  override up(): void {
    this.addSchema(
      this.schema.createTable('alerts', (table) => {
        table.string('id', 36).primary().notNullable();
        table.string('rule', 128).notNullable();
        table.string('severity', 16).notNullable();
        table.string('state', 16).notNullable().defaultTo('FIRING');
        table.datetime('started_at').notNullable();
      }),
    );
  }

  override down(): void {
    this.addSchema(this.schema.dropTable('alerts'));
  }
}
