import type { ColumnDifference, SchemaDifference, TableDifference } from '@mikro-orm/knex';

/** One line per difference between the database and the entities, readable without knowing MikroORM. */
export function describeDifference(diff: SchemaDifference, defaultSchema: string | undefined): string[] {
  const local = (name: string) =>
    defaultSchema && name.startsWith(`${defaultSchema}.`) ? name.slice(defaultSchema.length + 1) : name;
  const lines = [
    ...[...diff.newNamespaces].map((name) => `create schema ${name}`),
    ...diff.newNativeEnums.map((item) => `create enum ${item.name}`),
    ...Object.keys(diff.newTables).map((name) => `create table ${local(name)}`),
    ...Object.keys(diff.removedTables).map((name) => `drop table ${local(name)}`),
    ...[...diff.removedNamespaces].map((name) => `drop schema ${name}`),
    ...diff.removedNativeEnums.map((item) => `drop enum ${item.name}`),
    ...diff.orphanedForeignKeys.map((key) => `drop foreign key ${key.constraintName}`),
  ];
  for (const table of Object.values(diff.changedTables))
    lines.push(...describeTable(table, local(table.name)));
  return lines;
}

function describeTable(table: TableDifference, tableName: string): string[] {
  const at = (name: string) => `${tableName}.${name}`;
  const lines: string[] = [];
  const each = (entries: Record<string, unknown>, action: string) =>
    Object.keys(entries).forEach((name) => lines.push(`${action} ${at(name)}`));
  each(table.addedColumns, 'add column');
  each(table.removedColumns, 'drop column');
  each(table.renamedColumns, 'rename column');
  for (const change of Object.values(table.changedColumns))
    lines.push(describeColumn(at(change.column.name), change));
  each(table.addedIndexes, 'add index');
  each(table.changedIndexes, 'change index');
  each(table.removedIndexes, 'drop index');
  each(table.renamedIndexes, 'rename index');
  each(table.addedChecks, 'add check');
  each(table.changedChecks, 'change check');
  each(table.removedChecks, 'drop check');
  each(table.addedForeignKeys, 'add foreign key');
  each(table.changedForeignKeys, 'change foreign key');
  each(table.removedForeignKeys, 'drop foreign key');
  if (table.changedComment !== undefined) lines.push(`change comment of ${tableName}`);
  return lines;
}

function describeColumn(name: string, change: ColumnDifference): string {
  const parts = [...change.changedProperties].map((property) => {
    const key = property as keyof typeof change.column;
    return `${property} ${show(change.fromColumn[key])} → ${show(change.column[key])}`;
  });
  return `alter column ${name}: ${parts.join(', ')}`;
}

function show(value: unknown): string {
  return value === undefined ? 'unset' : JSON.stringify(value);
}

/**
 * Removes what only looks like a difference on SQLite: knex writes defaults as quoted literals (`default '0'`,
 * also for booleans), which MikroORM compares with its unquoted `0`/`false`; SQLite's type affinity makes them
 * the same value. Every other change is kept.
 */
export function dropSqliteNoise(diff: SchemaDifference): void {
  for (const [name, table] of Object.entries(diff.changedTables)) {
    for (const [column, change] of Object.entries(table.changedColumns)) {
      if (isQuotingOnly(change)) delete table.changedColumns[column];
    }
    if (isEmpty(table)) delete diff.changedTables[name];
  }
}

function isQuotingOnly(change: ColumnDifference): boolean {
  if (change.changedProperties.size !== 1 || !change.changedProperties.has('default')) return false;
  return sqliteLiteral(change.fromColumn.default) === sqliteLiteral(change.column.default);
}

function sqliteLiteral(value: unknown): string | null {
  if (value == null) return null;
  const text = String(value)
    .replace(/^'(.*)'$/s, '$1')
    .toLowerCase();
  if (text === 'false') return '0';
  if (text === 'true') return '1';
  return text;
}

function isEmpty(table: TableDifference): boolean {
  const { name, fromTable, toTable, changedComment, ...changes } = table;
  return (
    changedComment === undefined &&
    Object.values(changes).every((entries) => Object.keys(entries).length === 0)
  );
}
