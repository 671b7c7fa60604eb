import { SchemaMigration } from '@atrium/platform/database';

/** Alerts get their lifecycle: summary, subject, condition key (unique while firing), resolution, acknowledgement. */
export class Migration20261129000000AlertLifecycle extends SchemaMigration {
  override up(): void {
    this.addSchema(
      this.schema.alterTable('alerts', (table) => {
        table.text('summary').notNullable().defaultTo('');
        table.string('service', 128).nullable();
        table.string('condition', 400).notNullable().defaultTo('');
        table.string('firing_key', 400).nullable();
        table.datetime('resolved_at').nullable();
        table.datetime('acknowledged_at').nullable();
        table.string('acknowledged_by', 64).nullable();
        table.unique(['firing_key'], { indexName: 'alerts_firing_key_unique' });
        table.index(['state', 'started_at'], 'alerts_state_started_at_index');
      }),
    );
  }

  override down(): void {
    this.addSchema(
      this.schema.alterTable('alerts', (table) => {
        table.dropIndex(['state', 'started_at'], 'alerts_state_started_at_index');
        table.dropUnique(['firing_key'], 'alerts_firing_key_unique');
        table.dropColumns(
          'summary',
          'service',
          'condition',
          'firing_key',
          'resolved_at',
          'acknowledged_at',
          'acknowledged_by',
        );
      }),
    );
  }
}
