import { SchemaMigration } from '@atrium/platform/database';

/** Jobs record whose key ran them: the deployment's or the user's own (from integrations). */
export class Migration20261129000000GenerationJobsKeyOwner extends SchemaMigration {
  override up(): void {
    this.addSchema(
      this.schema.alterTable('generation_jobs', (table) => {
        table.string('provider_key_owner', 16).nullable();
      }),
    );
  }

  override down(): void {
    this.addSchema(
      this.schema.alterTable('generation_jobs', (table) => {
        table.dropColumn('provider_key_owner');
      }),
    );
  }
}
