import type { EntityManager, EntityMetadata } from '@mikro-orm/core';
import { GenerationJob, GenerationStatus } from './generation-job.entity';

/**
 * The job table's hot writes as SQL written here instead of MikroORM's query builder (`nativeUpdate` builds,
 * normalises and compiles its statement anew on every call: a third of a worker's busy time when measured).
 * Column names come from the entity's metadata once per process; values travel through the connection's own
 * formatting (dates as the dialect stores them, strings escaped), exactly as `nativeUpdate`'s do. One SQL for
 * PostgreSQL and SQLite: both have `returning`.
 */
export class JobSql {
  private readonly columns = new Map<string, string>();
  private table: string | undefined;
  private meta: EntityMetadata<GenerationJob> | undefined;
  private hydration:
    Array<{ name: string; field: string; kind: 'date' | 'boolean' | 'number' | 'text' }> | undefined;

  /** `update … set <changes> where <equal> [and <extra>]`; the rows it changed. */
  async update(
    em: EntityManager,
    changes: Record<string, unknown>,
    equal: Record<string, unknown>,
    extra: { sql: string; params: unknown[] } | null = null,
  ): Promise<number> {
    const params: unknown[] = [];
    const set: string[] = [];
    for (const [property, value] of Object.entries(changes)) {
      // As with nativeUpdate, a property left undefined is not written.
      if (value === undefined) continue;
      params.push(value);
      set.push(`${this.column(em, property)} = ?`);
    }
    const where = Object.entries(equal).map(([property, value]) => {
      params.push(value);
      return `${this.column(em, property)} = ?`;
    });
    if (extra) {
      where.push(extra.sql);
      params.push(...extra.params);
    }
    const sql = `update ${this.tableName(em)} set ${set.join(', ')} where ${where.join(' and ')}`;
    const result = (await em.getConnection().execute(sql, params, 'run')) as { affectedRows: number };
    return result.affectedRows;
  }

  /** `<property> in (…)`, for `update`'s extra condition. */
  in(em: EntityManager, property: string, values: readonly unknown[]): { sql: string; params: unknown[] } {
    return {
      sql: `${this.column(em, property)} in (${values.map(() => '?').join(', ')})`,
      params: [...values],
    };
  }

  /** `(<property> is null or <property> < ?)`, for `update`'s extra condition. */
  nullOrBefore(em: EntityManager, property: string, at: Date): { sql: string; params: unknown[] } {
    const column = this.column(em, property);
    return { sql: `(${column} is null or ${column} < ?)`, params: [at] };
  }

  /**
   * Takes a QUEUED job for a run in one statement (no read first): RUNNING under `token` with a lease until
   * `leaseUntil`, one more attempt, one more sequence number. The managed job, or null when it was not QUEUED.
   */
  async claimQueued(em: EntityManager, id: string, token: string, leaseUntil: Date, now: Date) {
    const c = (property: string) => this.column(em, property);
    const sql =
      `update ${this.tableName(em)} set ${c('status')} = ?, ${c('runToken')} = ?, ${c('leaseExpiresAt')} = ?, ` +
      `${c('attempts')} = ${c('attempts')} + 1, ${c('startedAt')} = coalesce(${c('startedAt')}, ?), ` +
      `${c('sequence')} = ${c('sequence')} + 1, ${c('updatedAt')} = ? ` +
      `where ${c('id')} = ? and ${c('status')} = ? returning *`;
    const rows = (await em
      .getConnection()
      .execute(
        sql,
        [GenerationStatus.RUNNING, token, leaseUntil, now, now, id, GenerationStatus.QUEUED],
        'all',
      )) as Array<Record<string, unknown>>;
    const row = rows[0];
    return row ? this.hydrate(em, row) : null;
  }

  /**
   * A job from a row as this dialect returns it (SQLite: dates as epoch ms, booleans as 0/1), not managed by any
   * entity manager: the worker only reads it and writes through `update`, so no fork (and its identity map) is
   * made per claim.
   */
  hydrate(em: EntityManager, row: Record<string, unknown>): GenerationJob {
    const job = new GenerationJob() as unknown as Record<string, unknown>;
    for (const { name, field, kind } of this.conversions(em)) {
      const value = row[field];
      if (value === null || value === undefined) job[name] = null;
      else if (kind === 'date') job[name] = this.date(em, value);
      else if (kind === 'boolean') job[name] = value === true || value === 1 || value === '1';
      else if (kind === 'number') job[name] = Number(value);
      else job[name] = value;
    }
    return job as unknown as GenerationJob;
  }

  /** A stored date as the dialect returns it (PostgreSQL: text, SQLite: epoch ms), parsed as MikroORM does. */
  private date(em: EntityManager, value: unknown): Date {
    if (value instanceof Date) return value;
    if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value)))
      return new Date(Number(value));
    const parsed = em.getPlatform().parseDate(String(value));
    return parsed instanceof Date ? parsed : new Date(String(value));
  }

  private conversions(em: EntityManager) {
    this.hydration ??= this.metadata(em)
      .props.filter((prop) => prop.persist !== false && (prop.fieldNames?.length ?? 0) > 0)
      .map((prop) => {
        const type = String(prop.runtimeType ?? prop.type).toLowerCase();
        const kind =
          type === 'date' || type === 'datetime'
            ? ('date' as const)
            : type === 'boolean'
              ? ('boolean' as const)
              : type === 'number' || type === 'integer'
                ? ('number' as const)
                : ('text' as const);
        return { name: prop.name as string, field: prop.fieldNames[0]!, kind };
      });
    return this.hydration;
  }

  /**
   * Stores a new job only while its owner has fewer than `max` jobs in `statuses`: the count and the insert are one
   * statement. True when stored. Two such statements of one owner must not run at once (the caller holds the
   * owner's lock): under READ COMMITTED each counts what was committed when it started.
   */
  async insertIfFewer(
    em: EntityManager,
    job: GenerationJob,
    statuses: readonly string[],
    max: number,
  ): Promise<boolean> {
    const properties = this.persisted(em);
    const columns = properties.map((property) => this.column(em, property)).join(', ');
    const marks = properties.map(() => '?').join(', ');
    const values = properties.map(
      (property) => (job as unknown as Record<string, unknown>)[property] ?? null,
    );
    const status = this.in(em, 'status', statuses);
    const sql =
      `insert into ${this.tableName(em)} (${columns}) select ${marks} where (select count(*) from ` +
      `${this.tableName(em)} where ${this.column(em, 'ownerId')} = ? and ${status.sql}) < ?`;
    try {
      const result = (await em
        .getConnection()
        .execute(sql, [...values, job.ownerId, ...status.params, max], 'run')) as { affectedRows: number };
      return result.affectedRows === 1;
    } catch (error) {
      throw em.getDriver().convertException(error as Error);
    }
  }

  /** Jobs of `ownerId` in one of `statuses`. */
  async count(em: EntityManager, ownerId: string, statuses: readonly string[]): Promise<number> {
    const status = this.in(em, 'status', statuses);
    const sql = `select count(*) as n from ${this.tableName(em)} where ${this.column(em, 'ownerId')} = ? and ${status.sql}`;
    const rows = (await em.getConnection().execute(sql, [ownerId, ...status.params], 'all')) as Array<{
      n: number | string;
    }>;
    return Number(rows[0]?.n ?? 0);
  }

  /** The stored properties: the same list `hydrate` reads back. */
  private persisted(em: EntityManager): string[] {
    return this.conversions(em).map(({ name }) => name);
  }

  private tableName(em: EntityManager): string {
    this.table ??= em.getPlatform().quoteIdentifier(this.metadata(em).tableName);
    return this.table;
  }

  private metadata(em: EntityManager): EntityMetadata<GenerationJob> {
    this.meta ??= em.getMetadata().get<GenerationJob>(GenerationJob.name);
    return this.meta;
  }

  private column(em: EntityManager, property: string): string {
    let column = this.columns.get(property);
    if (column) return column;
    const field = (this.metadata(em).properties as Record<string, { fieldNames?: string[] }>)[property]
      ?.fieldNames?.[0];
    // Properties are names from our own code, never input; an unknown one is a programming error.
    if (!field) throw new Error(`GenerationJob has no column for property ${property}`);
    column = em.getPlatform().quoteIdentifier(field);
    this.columns.set(property, column);
    return column;
  }
}
