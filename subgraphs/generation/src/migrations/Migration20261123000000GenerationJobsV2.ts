import { SchemaMigration } from '@atrium/platform/database';

/**
 * Replaces the foundation's placeholder table (it never held jobs) with the full job record: everything a
 * worker, a subscriber and an export need, plus the columns compare-and-set writes rely on.
 */
export class Migration20261123000000GenerationJobsV2 extends SchemaMigration {
  override up(): void {
    this.addSchema(this.schema.dropTableIfExists('generation_jobs'));
    this.addSchema(
      this.schema.createTable('generation_jobs', (table) => {
        table.string('id', 36).primary().notNullable();
        table.string('owner_id', 36).notNullable();
        table.string('kind', 32).notNullable();
        table.string('title', 200).notNullable();
        table.text('prompt').notNullable();
        table.text('inputs').nullable();
        table.string('provider_preference', 32).nullable();
        table.string('idempotency_key', 128).nullable();
        table.string('status', 16).notNullable().defaultTo('QUEUED');
        table.integer('progress_bp').notNullable().defaultTo(0);
        table.text('output').nullable();
        table.string('provider', 32).nullable();
        table.string('model', 128).nullable();
        table.boolean('cached').notNullable().defaultTo(false);
        table.integer('attempts').notNullable().defaultTo(0);
        table.integer('runs').notNullable().defaultTo(1);
        table.string('run_token', 36).nullable();
        table.integer('sequence').notNullable().defaultTo(0);
        table.integer('prompt_tokens').notNullable().defaultTo(0);
        table.integer('completion_tokens').notNullable().defaultTo(0);
        table.integer('cost_micros').notNullable().defaultTo(0);
        table.integer('reserved_micros').notNullable().defaultTo(0);
        table.string('error_code', 64).nullable();
        table.string('error_message', 500).nullable();
        table.boolean('error_retryable').nullable();
        table.datetime('created_at').notNullable();
        table.datetime('started_at').nullable();
        table.datetime('finished_at').nullable();
        table.datetime('updated_at').notNullable();
        table.index(['owner_id', 'created_at']);
        table.index(['owner_id', 'status']);
        table.unique(['owner_id', 'idempotency_key']);
      }),
    );
  }

  override down(): void {
    this.addSchema(this.schema.dropTable('generation_jobs'));
  }
}
