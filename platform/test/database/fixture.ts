import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { SchemaMigration } from '../../src/database';

/** A tiny entity: every column type a subgraph typically needs, each with its type stated explicitly. */
@Entity({ tableName: 'note' })
@Index({ properties: ['createdAt'] })
export class Note {
  // Properties with a default need not be passed to em.create().
  [OptionalProps]?: 'stars' | 'pinned' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'string', length: 200 })
  title!: string;

  @Property({ type: 'text', nullable: true })
  body?: string | null;

  @Property({ type: 'integer', default: 0 })
  stars: number = 0;

  @Property({ type: 'boolean', default: false })
  pinned: boolean = false;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}

/** The pattern every subgraph follows: one knex schema builder, valid SQL on PostgreSQL and SQLite alike. */
export class Migration20250101000000CreateNote extends SchemaMigration {
  override up(): void {
    this.addSchema(
      this.schema.createTable('note', (table) => {
        table.uuid('id').primary().notNullable();
        table.string('title', 200).notNullable();
        table.text('body').nullable();
        table.integer('stars').notNullable().defaultTo(0);
        table.boolean('pinned').notNullable().defaultTo(false);
        table.datetime('created_at').notNullable();
        table.index(['created_at']);
      }),
    );
  }

  override down(): void {
    this.addSchema(this.schema.dropTable('note'));
  }
}

export const migrations = [
  { name: 'Migration20250101000000CreateNote', class: Migration20250101000000CreateNote },
];

/** The same table as an entity that drifted from the migrations: a new column and a changed default. */
@Entity({ tableName: 'note' })
@Index({ properties: ['createdAt'] })
export class DriftedNote {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'string', length: 200 })
  title!: string;

  @Property({ type: 'text', nullable: true })
  body?: string | null;

  @Property({ type: 'integer', default: 1 })
  stars: number = 1;

  @Property({ type: 'boolean', default: false })
  pinned: boolean = false;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'boolean', default: false })
  archived: boolean = false;
}
