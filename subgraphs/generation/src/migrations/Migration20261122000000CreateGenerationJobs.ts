import { SchemaMigration } from '@atrium/platform/database';

export class Migration20261122000000CreateGenerationJobs extends SchemaMigration {
  override up(): void {
    this.addSchema(
      this.schema.createTable('generation_jobs', (table) => {
        table.string('id', 36).primary().notNullable();
        table.string('owner_id', 36).notNullable().index();
        table.string('kind', 32).notNullable();
        table.string('status', 16).notNullable();
        table.datetime('created_at').notNullable();
      }),
    );
  }

  override down(): void {
    this.addSchema(this.schema.dropTable('generation_jobs'));
  }
}
