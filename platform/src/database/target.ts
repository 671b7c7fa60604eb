import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where a subgraph's data lives, decided once from `DATABASE_URL`. */
export type DatabaseTarget =
  | { kind: 'postgresql'; url: string; dbName: string; host: string; port: number }
  | { kind: 'sqlite'; file: string };

/**
 * Reads a `DATABASE_URL`: `postgresql://…`/`postgres://…` selects PostgreSQL; unset, empty or `file:` selects the
 * embedded SQLite file (`file:PATH`, or `<dataDir>/<dbName>.sqlite` when no path is given). Anything else throws,
 * because silently falling back to SQLite would hide a typo in production.
 */
export function resolveTarget(
  databaseUrl: string | undefined,
  dataDir: string,
  dbName: string,
): DatabaseTarget {
  const url = databaseUrl?.trim() ?? '';
  if (/^postgres(ql)?:\/\//i.test(url)) return postgresTarget(url);
  if (url === '' || url === 'file:')
    return { kind: 'sqlite', file: resolve(join(dataDir, `${dbName}.sqlite`)) };
  if (url.startsWith('file:')) return { kind: 'sqlite', file: sqlitePath(url) };
  throw new Error(
    `Unsupported DATABASE_URL scheme "${url.split(':')[0]}:" (allowed: postgresql://, postgres://, file:, or unset)`,
  );
}

function postgresTarget(url: string): DatabaseTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The raw URL may hold a password, so the message names only the problem.
    throw new Error('DATABASE_URL is not a valid postgresql:// URL');
  }
  const dbName = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!dbName) throw new Error(`DATABASE_URL names no database (${redactUrl(url)})`);
  return {
    kind: 'postgresql',
    url,
    dbName,
    host: parsed.hostname || 'localhost',
    port: Number(parsed.port || 5432),
  };
}

function sqlitePath(url: string): string {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url.slice('file:'.length);
  return isAbsolute(path) ? path : resolve(path);
}

/** The URL with its password replaced by `*****`, safe for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '*****';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:*****@');
  }
}

/** Removes every occurrence of the URL's password from a text that may embed it (driver error messages). */
export function redactSecret(text: string, url: string | undefined): string {
  if (!url) return text;
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    return text;
  }
  if (!password) return text;
  return text.split(password).join('*****').split(encodeURIComponent(password)).join('*****');
}
