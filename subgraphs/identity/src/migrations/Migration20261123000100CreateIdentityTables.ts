import { SchemaMigration } from '@atrium/platform/database';

/** Sessions and their refresh tokens, API keys, MFA recovery codes and challenges, and the audit log. */
export class Migration20261123000100CreateIdentityTables extends SchemaMigration {
  override up(): void {
    this.addSchema(
      this.schema.createTable('sessions', (table) => {
        table.string('id', 36).primary().notNullable();
        table.string('user_id', 36).notNullable();
        table.datetime('created_at').notNullable();
        table.datetime('last_used_at').nullable();
        table.datetime('expires_at').notNullable();
        table.datetime('revoked_at').nullable();
        table.string('revoked_reason', 32).nullable();
        table.string('ip', 64).nullable();
        table.string('user_agent', 256).nullable();
        table.index(['user_id', 'revoked_at']);
      }),
    );
    this.addSchema(
      this.schema.createTable('refresh_tokens', (table) => {
        table.string('id', 36).primary().notNullable();
        table.string('session_id', 36).notNullable().index();
        table.string('token_hash', 64).notNullable().unique();
        table.datetime('created_at').notNullable();
        table.datetime('expires_at').notNullable();
        table.datetime('used_at').nullable();
      }),
    );
    this.addSchema(
      this.schema.createTable('api_keys', (table) => {
        table.string('id', 36).primary().notNullable();
        table.string('user_id', 36).notNullable().index();
        table.string('name', 100).notNullable();
        table.string('prefix', 16).notNullable();
        table.string('secret_hash', 64).notNullable().unique();
        table.string('scopes_text', 512).notNullable();
        table.datetime('created_at').notNullable();
        table.datetime('last_used_at').nullable();
        table.datetime('expires_at').nullable();
        table.datetime('revoked_at').nullable();
      }),
    );
    this.addSchema(
      this.schema.createTable('recovery_codes', (table) => {
        table.string('id', 36).primary().notNullable();
        table.string('user_id', 36).notNullable().index();
        table.string('code_hash', 64).notNullable();
        table.datetime('created_at').notNullable();
        table.datetime('used_at').nullable();
      }),
    );
    this.addSchema(
      this.schema.createTable('mfa_challenges', (table) => {
        table.string('id', 36).primary().notNullable();
        table.string('user_id', 36).notNullable().index();
        table.string('token_hash', 64).notNullable().unique();
        table.datetime('created_at').notNullable();
        table.datetime('expires_at').notNullable();
        table.integer('attempts').notNullable().defaultTo(0);
        table.datetime('consumed_at').nullable();
      }),
    );
    this.addSchema(
      this.schema.createTable('audit_events', (table) => {
        table.increments('id');
        table.string('type', 64).notNullable();
        table.string('actor_id', 36).nullable().index();
        table.string('target_user_id', 36).nullable().index();
        table.string('ip', 64).nullable();
        table.datetime('at').notNullable();
        table.text('metadata_text').nullable();
      }),
    );
  }

  override down(): void {
    for (const table of [
      'audit_events',
      'mfa_challenges',
      'recovery_codes',
      'api_keys',
      'refresh_tokens',
      'sessions',
    ])
      this.addSchema(this.schema.dropTable(table));
  }
}
