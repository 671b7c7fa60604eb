import { stdSerializers } from 'pino';

// Properties of a driver error that hold a row's values: pg's DatabaseError `detail` ("Key (email)=(…) already
// exists.", "Failing row contains (…)") and `where`, and the query parameters some drivers attach. The code,
// constraint, table and column stay, so a failed write is still diagnosable.
const VALUE_KEYS = new Set(['detail', 'where', 'parameters', 'params', 'bindings', 'internalQuery']);
const MAX_DEPTH = 8;

// MikroORM inlines a query's parameters into its SQL, and knex prefixes a failed query's error message with that
// SQL: `insert into "user" (…) values ('…', '$argon2id$…') - duplicate key value violates …`. PostgreSQL's
// converter then appends `\n - detail: Failing row contains (…)`.
const SQL_MESSAGE = /^\s*(?:insert|update|delete|select|with|merge|replace|upsert)\b/i;
const STATEMENT_HEAD =
  /^\s*(insert\s+into|update|delete\s+from|select|with|merge|replace|upsert)\s+("[^"]*"|`[^`]*`|\S+)?/i;
const SEPARATOR = ' - ';
const DETAIL = '\n - detail:';

/**
 * pino's `err` serializer, minus every value a database driver error carries from the row it failed to write: the
 * SQL with inlined values in the message and stack becomes the statement's verb and table, and value-bearing
 * properties (`detail`, `parameters`, …) are censored. The driver's own message and code stay.
 */
export function serializeError(error: unknown): unknown {
  const serialized: unknown = error instanceof Error ? stdSerializers.err(error) : error;
  return stripValues(serialized, 0);
}

/** A driver error's message without the SQL values it embeds: `insert into "user" … - duplicate key value …`. */
export function stripSqlValues(message: string): string {
  if (!SQL_MESSAGE.test(message)) return message;
  const withoutDetail = message.includes(DETAIL) ? message.slice(0, message.indexOf(DETAIL)) : message;
  // Values sit in the SQL, before the driver's message, so the last separator is the one knex added.
  const at = withoutDetail.lastIndexOf(SEPARATOR);
  const driverMessage = at === -1 ? '' : withoutDetail.slice(at + SEPARATOR.length);
  const head = STATEMENT_HEAD.exec(message);
  const statement = head ? `${head[1]}${head[2] ? ` ${head[2]}` : ''} …` : 'SQL …';
  return driverMessage ? `${statement}${SEPARATOR}${driverMessage}` : statement;
}

function stripValues(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) {
    copy[key] = VALUE_KEYS.has(key) ? '[REDACTED]' : stripValues(item, depth + 1);
  }
  if (typeof record.message === 'string' && SQL_MESSAGE.test(record.message)) {
    const clean = stripSqlValues(record.message);
    copy.message = clean;
    if (typeof record.stack === 'string') copy.stack = stripStack(record.stack, record.message, clean);
  }
  return copy;
}

// The stack starts with `Name: message`; a wrapped driver error's frames may repeat the message.
function stripStack(stack: string, message: string, clean: string): string {
  const replaced = stack.split(message).join(clean);
  const frames = replaced.indexOf('\n    at ');
  const header = frames === -1 ? replaced : replaced.slice(0, frames);
  // If the header still holds SQL (the message changed after the stack was captured), keep only its first words.
  if (!header.includes(clean) && /\b(?:values|set|where)\b/i.test(header)) {
    return `${header.split(':')[0] ?? 'Error'}: ${clean}${frames === -1 ? '' : replaced.slice(frames)}`;
  }
  return replaced;
}
