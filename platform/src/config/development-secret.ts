import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { env } from './env';
import type { VarSpec } from './problems';

/**
 * A secret that development generates instead of taking a value from the repository: the variable it fills, the
 * file under the data directory that keeps it, and the values it once defaulted to (published, so refused).
 */
export interface DevelopmentSecret {
  /** The environment variable it fills, e.g. INTERNAL_TOKEN_SECRET. */
  readonly variable: string;
  /** The file, inside the data directory, holding the generated value. */
  readonly file: string;
  /** The variable's value made from 32 random bytes (default: their base64url). */
  readonly format?: (bytes: Buffer) => string;
  /** Values this variable once defaulted to in this repository. Anyone can read them: refused everywhere. */
  readonly published: readonly string[];
}

/** The gateway-to-subgraph assertion secret, shared by every service of one data directory. */
export const INTERNAL_TOKEN_DEVELOPMENT_SECRET: DevelopmentSecret = {
  variable: 'INTERNAL_TOKEN_SECRET',
  file: 'internal-token-secret',
  published: ['atrium-dev-internal-secret-change-me-in-production'],
};

/** The file, inside the data directory, that holds the development INTERNAL_TOKEN_SECRET. */
export const DEVELOPMENT_SECRET_FILE = INTERNAL_TOKEN_DEVELOPMENT_SECRET.file;

/** Values INTERNAL_TOKEN_SECRET once defaulted to in this repository; refused in every environment. */
export const PUBLISHED_INTERNAL_SECRETS: readonly string[] = INTERNAL_TOKEN_DEVELOPMENT_SECRET.published;

const MIN_STORED_LENGTH = 32;

/** Where a missing development secret comes from, for the configuration reference and the error. */
export function developmentSecretOrigin(secret: DevelopmentSecret): string {
  return `generated once per data directory outside production: ATRIUM_DATA_DIR/${secret.file}, mode 0600`;
}

/**
 * The INTERNAL_TOKEN_SECRET variable of every service (gateway and subgraphs): required everywhere, at least 32
 * characters in production, never a published value. Outside production the services and `npm start` fill it in
 * with `withDevelopmentSecret` before loading, so an unconfigured development stack still starts.
 */
export function internalTokenSecretSpec(): VarSpec<string> {
  return developmentSecretSpec(INTERNAL_TOKEN_DEVELOPMENT_SECRET);
}

/** A plain secret variable that development fills from the data directory: see `withDevelopmentSecret`. */
export function developmentSecretSpec(secret: DevelopmentSecret): VarSpec<string> {
  return env.secret({ refused: secret.published, missing: developmentSecretOrigin(secret) });
}

/**
 * `source` with INTERNAL_TOKEN_SECRET, and each of `others`, filled in from the data directory when unset outside
 * production: each is read from `<ATRIUM_DATA_DIR or .data>/<its file>`, generated there (32 random bytes, mode
 * 0600) at first use. So every service of one checkout agrees on them, they survive restarts (data encrypted under
 * a development key stays readable), two checkouts never share them, and nothing in the repository is a valid
 * value. A set value, and production, are left alone (production then refuses to start without real ones). Called
 * by each service's main.ts and by scripts/start.js, before `loadConfig`.
 *
 * @throws Error when a file exists but is readable by other users or holds no usable secret.
 */
export function withDevelopmentSecret(
  source: Record<string, string | undefined>,
  ...others: readonly DevelopmentSecret[]
): Record<string, string | undefined> {
  if (source.NODE_ENV === 'production') return source;
  const dataDir = source.ATRIUM_DATA_DIR?.trim() || '.data';
  let filled = source;
  for (const secret of [INTERNAL_TOKEN_DEVELOPMENT_SECRET, ...others]) {
    if (filled[secret.variable]?.trim()) continue;
    filled = { ...filled, [secret.variable]: developmentSecret(dataDir, secret) };
  }
  return filled;
}

/**
 * The data directory's development value of `secret` (INTERNAL_TOKEN_SECRET by default), created on first call.
 * Safe when several processes race to create it.
 */
export function developmentSecret(
  dataDir: string,
  secret: DevelopmentSecret = INTERNAL_TOKEN_DEVELOPMENT_SECRET,
): string {
  const file = join(dataDir, secret.file);
  const existing = readSecretFile(file, secret);
  if (existing !== undefined) return existing;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Written whole under a private name, then linked into place: a process starting at the same moment sees
  // either no file or the complete one, and the first link wins (link fails with EEXIST instead of replacing).
  const draft = join(dataDir, `.${secret.file}.${process.pid}.${randomBytes(6).toString('hex')}`);
  const format = secret.format ?? ((bytes: Buffer) => bytes.toString('base64url'));
  writeFileSync(draft, `${format(randomBytes(32))}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(draft);
  }
  const created = readSecretFile(file, secret);
  if (created === undefined) throw new Error(`${file} vanished while it was being created`);
  return created;
}

function readSecretFile(file: string, secret: DevelopmentSecret): string | undefined {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if ((mode & 0o077) !== 0)
    throw new Error(
      `${file} is readable or writable by other users (mode ${(mode & 0o777).toString(8)}); run chmod 600 on it, or delete it to generate a new one`,
    );
  const value = readFileSync(file, 'utf8').trim();
  if (value.length < MIN_STORED_LENGTH || secret.published.includes(value))
    throw new Error(`${file} holds no usable secret; delete it to generate a new one`);
  return value;
}
