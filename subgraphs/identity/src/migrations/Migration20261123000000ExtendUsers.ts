import type { Knex } from '@mikro-orm/knex';
import { SchemaMigration } from '@atrium/platform/database';

/**
 * Gives the released `users` table (id, created_at) its account columns. Rows that existed before had no email
 * or password: they get a placeholder address under the reserved `.invalid` domain and no password, so they can
 * never sign in until an ADMIN deals with them.
 *
 * SQLite cannot add a NOT NULL column without a default, so there the table is rebuilt (create, copy, drop,
 * rename, as SQLite's own ALTER TABLE guide does); PostgreSQL adds the columns, fills them, then tightens them.
 */
export class Migration20261123000000ExtendUsers extends SchemaMigration {
  override up(): void {
    if (this.isSqlite()) this.rebuildOnSqlite();
    else this.alterOnPostgres();
    this.addSchema(this.schema.alterTable('users', (table) => table.index(['created_at'])));
  }

  override down(): void {
    this.addSchema(
      this.schema.alterTable('users', (table) => {
        table.dropIndex(['created_at']);
        table.dropUnique(['email'], 'users_email_unique');
        for (const column of NEW_COLUMNS) table.dropColumn(column);
      }),
    );
  }

  private isSqlite(): boolean {
    const dialect = (this.getKnex().client as { dialect?: string }).dialect ?? '';
    return dialect.startsWith('sqlite') || dialect === 'libsql';
  }

  private rebuildOnSqlite(): void {
    this.addSchema(this.schema.createTable('users_next', (table) => accountColumns(table, true)));
    this.addSql(
      `insert into users_next (id, created_at, updated_at, email, display_name, password_hash, roles, disabled)
       select id, created_at, created_at, 'legacy-' || id || '@users.invalid', 'User', '', 'MEMBER', 0 from users`,
    );
    this.addSchema(this.schema.dropTable('users'));
    this.addSql('alter table users_next rename to users');
    this.addSchema(
      this.schema.alterTable('users', (table) =>
        table.unique(['email'], { indexName: 'users_email_unique' }),
      ),
    );
  }

  private alterOnPostgres(): void {
    this.addSchema(this.schema.alterTable('users', (table) => accountColumns(table, false)));
    this.addSql(
      `update users set updated_at = created_at, email = 'legacy-' || id || '@users.invalid',
       display_name = 'User', password_hash = '', roles = 'MEMBER' where email is null`,
    );
    for (const column of ['updated_at', 'email', 'display_name', 'password_hash', 'roles'])
      this.addSql(`alter table users alter column ${column} set not null`);
    this.addSchema(
      this.schema.alterTable('users', (table) =>
        table.unique(['email'], { indexName: 'users_email_unique' }),
      ),
    );
  }
}

const NEW_COLUMNS = [
  'updated_at',
  'email',
  'display_name',
  'password_hash',
  'roles',
  'disabled',
  'totp_secret',
  'pending_totp_secret',
  'totp_last_step',
  'mfa_enabled_at',
  'last_sign_in_at',
];

/** The account columns; `full` also declares id and created_at (the SQLite rebuild creates the whole table). */
function accountColumns(table: Knex.CreateTableBuilder, full: boolean): void {
  const required = (column: Knex.ColumnBuilder) => (full ? column.notNullable() : column.nullable());
  if (full) {
    table.string('id', 36).primary().notNullable();
    table.datetime('created_at').notNullable();
  }
  required(table.datetime('updated_at'));
  required(table.string('email', 254));
  required(table.string('display_name', 100));
  required(table.string('password_hash', 255));
  required(table.string('roles', 64));
  table.boolean('disabled').notNullable().defaultTo(false);
  table.text('totp_secret').nullable();
  table.text('pending_totp_secret').nullable();
  table.integer('totp_last_step').nullable();
  table.datetime('mfa_enabled_at').nullable();
  table.datetime('last_sign_in_at').nullable();
}
