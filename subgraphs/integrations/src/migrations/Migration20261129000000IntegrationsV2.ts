import { SchemaMigration } from '@atrium/platform/database';

/**
 * Connections gain what the API shows (scopes, account, expiry, refresh, error); credentials, authorization
 * states and webhook events get their own tables, so a secret never sits in a row the API reads.
 */
export class Migration20261129000000IntegrationsV2 extends SchemaMigration {
  override up(): void {
    this.addSchema(
      this.schema.alterTable('connections', (table) => {
        table.jsonb('scopes').notNullable().defaultTo('[]');
        table.string('external_account_id', 255).nullable();
        table.string('external_account_name', 255).nullable();
        table.datetime('expires_at').nullable().index();
        table.datetime('last_refreshed_at').nullable();
        table.string('last_error', 500).nullable();
        table.index(['provider_id', 'external_account_id']);
      }),
    );
    this.addSchema(
      this.schema.createTable('connection_credentials', (table) => {
        table.string('connection_id', 36).primary().notNullable();
        table.text('access_token').nullable();
        table.text('refresh_token').nullable();
        table.text('api_key').nullable();
        table.string('key_id', 32).notNullable().index();
        table.integer('version').notNullable();
        table.datetime('updated_at').notNullable();
      }),
    );
    this.addSchema(
      this.schema.createTable('oauth_states', (table) => {
        table.string('state_hash', 64).primary().notNullable();
        table.string('owner_id', 36).notNullable();
        table.string('provider_id', 64).notNullable();
        table.jsonb('scopes').notNullable();
        table.text('code_verifier').nullable();
        table.string('redirect_uri', 2048).notNullable();
        table.datetime('expires_at').notNullable().index();
        table.datetime('created_at').notNullable();
      }),
    );
    this.addSchema(
      this.schema.createTable('webhook_events', (table) => {
        table.string('id', 36).primary().notNullable();
        table.string('provider_id', 64).notNullable();
        table.string('connection_id', 36).nullable();
        table.string('event_type', 128).notNullable();
        table.string('delivery_id', 128).nullable();
        table.datetime('received_at').notNullable();
        table.jsonb('payload').notNullable();
        table.unique(['provider_id', 'delivery_id']);
        table.index(['connection_id', 'received_at']);
      }),
    );
  }

  override down(): void {
    this.addSchema(this.schema.dropTable('webhook_events'));
    this.addSchema(this.schema.dropTable('oauth_states'));
    this.addSchema(this.schema.dropTable('connection_credentials'));
    this.addSchema(
      this.schema.alterTable('connections', (table) => {
        table.dropIndex(['provider_id', 'external_account_id']);
        table.dropColumns(
          'scopes',
          'external_account_id',
          'external_account_name',
          'expires_at',
          'last_refreshed_at',
          'last_error',
        );
      }),
    );
  }
}
