import {
  ConfigProblem,
  developmentSecretSpec,
  env,
  loadConfig,
  type DevelopmentSecret,
  type VarSpec,
} from '@atrium/platform/config';
import {
  subgraphConfigSpec,
  subgraphRuntimeConfig,
  type SubgraphRuntimeConfig,
} from '@atrium/platform/server';
import { signingKeysProblem } from './crypto/signing-keys';
import { MIN_ARGON2 } from './crypto/password';

/**
 * IDENTITY_ENCRYPTION_KEY outside production when unset: generated once per data directory (main.ts fills it with
 * `withDevelopmentSecret`), so TOTP seeds sealed under it stay readable across restarts of that directory. The
 * fixed value it once defaulted to is refused everywhere.
 */
export const IDENTITY_ENCRYPTION_DEVELOPMENT_KEY: DevelopmentSecret = {
  variable: 'IDENTITY_ENCRYPTION_KEY',
  file: 'identity-encryption-key',
  published: ['atrium-dev-identity-encryption-key-change-me'],
};

/** Private signing keys: optional outside production (a key is generated under ATRIUM_DATA_DIR), required in it. */
const signingKeys: VarSpec<string | undefined> = {
  description: {
    allowed:
      'a JSON JWK set of private EC P-256 keys or PKCS#8 PEM blocks, first one signs (required in production)',
    default: '(generated once under ATRIUM_DATA_DIR outside production)',
    secret: true,
  },
  parse(raw, ctx) {
    if (raw === undefined) {
      if (ctx.production) throw new ConfigProblem('is required in production');
      return undefined;
    }
    const problem = signingKeysProblem(raw);
    if (problem) throw new ConfigProblem(`is invalid: ${problem}`);
    return raw;
  },
};

/** Production never issues access tokens shorter-lived than a minute; see accessTokenTtl. */
export const MIN_ACCESS_TOKEN_TTL_SECONDS = 60;
/** Outside production the floor is this low so browser tests can cross an access token's expiry in seconds. */
export const MIN_TEST_ACCESS_TOKEN_TTL_SECONDS = 5;
const MAX_ACCESS_TOKEN_TTL_SECONDS = 3600;

/**
 * Access-token lifetime. In production at least a minute: shorter ones would mostly measure clock skew between
 * identity and the gateways, and make every client refresh (rotate its refresh token) several times a minute.
 * Outside production 5 s is allowed, so an end-to-end test can watch a token expire without waiting a minute.
 */
const accessTokenTtl: VarSpec<number> = {
  description: {
    allowed: `an integer ${MIN_ACCESS_TOKEN_TTL_SECONDS}..${MAX_ACCESS_TOKEN_TTL_SECONDS} (from ${MIN_TEST_ACCESS_TOKEN_TTL_SECONDS} outside production, for tests)`,
    default: '900',
  },
  parse(raw, ctx) {
    const min = ctx.production ? MIN_ACCESS_TOKEN_TTL_SECONDS : MIN_TEST_ACCESS_TOKEN_TTL_SECONDS;
    return env.int({ default: 900, min, max: MAX_ACCESS_TOKEN_TTL_SECONDS }).parse(raw, ctx);
  },
};

export const identityConfigSpec = {
  ...subgraphConfigSpec('identity', 4001),
  ATRIUM_ADMIN_EMAILS: env.list({ default: [] }),
  IDENTITY_ISSUER: env.string({ default: 'atrium-identity' }),
  IDENTITY_AUDIENCE: env.string({ default: 'atrium-api' }),
  IDENTITY_SIGNING_KEYS: signingKeys,
  IDENTITY_ENCRYPTION_KEY: developmentSecretSpec(IDENTITY_ENCRYPTION_DEVELOPMENT_KEY),
  IDENTITY_ACCESS_TOKEN_TTL_SECONDS: accessTokenTtl,
  IDENTITY_REFRESH_TOKEN_TTL_DAYS: env.int({ default: 30, min: 1, max: 365 }),
  IDENTITY_ARGON2_MEMORY_KIB: env.int({
    default: MIN_ARGON2.memoryCost,
    min: MIN_ARGON2.memoryCost,
    max: 4 * 1024 * 1024,
  }),
  IDENTITY_ARGON2_ITERATIONS: env.int({ default: MIN_ARGON2.timeCost, min: MIN_ARGON2.timeCost, max: 20 }),
  IDENTITY_IP_ATTEMPTS_PER_MINUTE: env.int({ default: 30, min: 1, max: 10_000 }),
  IDENTITY_TOTP_ISSUER: env.string({ default: 'Atrium' }),
};

export interface IdentityConfig extends SubgraphRuntimeConfig {
  /** Emails (normalised) that become ADMIN when they sign up. */
  adminEmails: readonly string[];
  /** `iss` and `aud` of access tokens; the gateway must be configured with the same values. */
  issuer: string;
  audience: string;
  /** IDENTITY_SIGNING_KEYS as given, or undefined for the embedded key file. */
  signingKeys: string | undefined;
  encryptionKey: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  argon2: { memoryCost: number; timeCost: number };
  /** Sign-in, sign-up and MFA attempts one IP may make per minute (ten times that per hour). */
  ipAttemptsPerMinute: number;
  totpIssuer: string;
}

export function loadIdentityConfig(source: Record<string, string | undefined>): IdentityConfig {
  const raw = loadConfig(identityConfigSpec, source);
  return Object.freeze({
    ...subgraphRuntimeConfig('identity', raw),
    adminEmails: Object.freeze(raw.ATRIUM_ADMIN_EMAILS.map((email) => email.trim().toLowerCase())),
    issuer: raw.IDENTITY_ISSUER,
    audience: raw.IDENTITY_AUDIENCE,
    signingKeys: raw.IDENTITY_SIGNING_KEYS,
    encryptionKey: raw.IDENTITY_ENCRYPTION_KEY,
    accessTokenTtlSeconds: raw.IDENTITY_ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlDays: raw.IDENTITY_REFRESH_TOKEN_TTL_DAYS,
    argon2: { memoryCost: raw.IDENTITY_ARGON2_MEMORY_KIB, timeCost: raw.IDENTITY_ARGON2_ITERATIONS },
    ipAttemptsPerMinute: raw.IDENTITY_IP_ATTEMPTS_PER_MINUTE,
    totpIssuer: raw.IDENTITY_TOTP_ISSUER,
  });
}
