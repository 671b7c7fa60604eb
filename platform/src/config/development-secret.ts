import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { env } from './env';
import type { VarSpec } from './problems';

/** The file, inside the data directory, that holds the development INTERNAL_TOKEN_SECRET. */
export const DEVELOPMENT_SECRET_FILE = 'internal-token-secret';

/**
 * Values INTERNAL_TOKEN_SECRET once defaulted to in this repository. Anyone can read them, so an assertion signed
 * with one is forgeable: they are refused in every environment, not only in production.
 */
export const PUBLISHED_INTERNAL_SECRETS: readonly string[] = [
  'atrium-dev-internal-secret-change-me-in-production',
];

const MIN_STORED_LENGTH = 32;

/**
 * The INTERNAL_TOKEN_SECRET variable of every service (gateway and subgraphs): required everywhere, at least 32
 * characters in production, never a published value. Outside production the services and `npm start` fill it in
 * with `withDevelopmentSecret` before loading, so an unconfigured development stack still starts.
 */
export function internalTokenSecretSpec(): VarSpec<string> {
  return env.secret({
    refused: PUBLISHED_INTERNAL_SECRETS,
    missing: `generated once per data directory outside production: ATRIUM_DATA_DIR/${DEVELOPMENT_SECRET_FILE}, mode 0600`,
  });
}

/**
 * `source` with INTERNAL_TOKEN_SECRET filled in from the data directory when it is unset outside production: the
 * secret is read from `<ATRIUM_DATA_DIR or .data>/internal-token-secret`, generated there (32 random bytes, mode
 * 0600) at first use. So every service of one checkout agrees on it, two checkouts never share it, and nothing
 * in the repository is a valid secret. A set value, and production, are left alone (production then refuses to
 * start without a real secret). Called by each service's main.ts and by scripts/start.js, before `loadConfig`.
 *
 * @throws Error when the file exists but is readable by other users or holds no usable secret.
 */
export function withDevelopmentSecret(
  source: Record<string, string | undefined>,
): Record<string, string | undefined> {
  if (source.NODE_ENV === 'production' || source.INTERNAL_TOKEN_SECRET?.trim()) return source;
  const dataDir = source.ATRIUM_DATA_DIR?.trim() || '.data';
  return { ...source, INTERNAL_TOKEN_SECRET: developmentSecret(dataDir) };
}

/** The data directory's development secret, created on first call. Safe when several processes race to create it. */
export function developmentSecret(dataDir: string): string {
  const file = join(dataDir, DEVELOPMENT_SECRET_FILE);
  const existing = readSecretFile(file);
  if (existing !== undefined) return existing;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Written whole under a private name, then linked into place: a process starting at the same moment sees
  // either no file or the complete one, and the first link wins (link fails with EEXIST instead of replacing).
  const draft = join(dataDir, `.${DEVELOPMENT_SECRET_FILE}.${process.pid}.${randomBytes(6).toString('hex')}`);
  writeFileSync(draft, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(draft);
  }
  const created = readSecretFile(file);
  if (created === undefined) throw new Error(`${file} vanished while it was being created`);
  return created;
}

function readSecretFile(file: string): string | undefined {
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
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < MIN_STORED_LENGTH || PUBLISHED_INTERNAL_SECRETS.includes(secret))
    throw new Error(`${file} holds no usable secret; delete it to generate a new one`);
  return secret;
}
