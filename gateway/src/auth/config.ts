import { env } from '@atrium/platform/config';

/**
 * How the gateway verifies credentials. Issuer and audience must equal identity's (same variable names, same
 * defaults, so one environment configures both). Documented in docs/identity.md.
 */
export const authSpec = {
  IDENTITY_ISSUER: env.string({ default: 'atrium-identity' }),
  IDENTITY_AUDIENCE: env.string({ default: 'atrium-api' }),
  /** Default: `/.well-known/jwks.json` on IDENTITY_URL's origin. */
  IDENTITY_JWKS_URL: env.optionalUrl({ protocols: ['http:', 'https:'] }),
  /** Default: `/internal/api-keys/verify` on IDENTITY_URL's origin. */
  IDENTITY_API_KEY_VERIFY_URL: env.optionalUrl({ protocols: ['http:', 'https:'] }),
  AUTH_CLOCK_SKEW_SECONDS: env.int({ default: 5, min: 0, max: 120 }),
  AUTH_JWKS_COOLDOWN_SECONDS: env.int({ default: 30, min: 1, max: 3600 }),
  AUTH_JWKS_MAX_AGE_SECONDS: env.int({ default: 600, min: 10, max: 86_400 }),
  AUTH_JWKS_STALE_MAX_SECONDS: env.int({ default: 86_400, min: 0, max: 7 * 86_400 }),
  AUTH_API_KEY_CACHE_SECONDS: env.int({ default: 30, min: 0, max: 300 }),
} as const;

export interface AuthSettings {
  issuer: string;
  audience: string;
  jwksUrl: string;
  apiKeyVerifyUrl: string;
  /** Leeway on `exp` and `nbf`, for clocks a little apart. Default 5 s. */
  clockSkewSeconds: number;
  /** An unknown `kid` refetches the JWKS at most once per this many seconds. Default 30. */
  jwksCooldownSeconds: number;
  /** Keys are refetched after this many seconds even when every `kid` is known. Default 600. */
  jwksMaxAgeSeconds: number;
  /**
   * While identity's JWKS cannot be fetched, the last good key set keeps verifying this much longer (beyond
   * its max age); then tokens get 503 until identity answers. Default 86400 (24 h).
   */
  jwksStaleMaxSeconds: number;
  /** How long a verified API key is trusted without asking identity again (revocation delay). Default 30. */
  apiKeyCacheSeconds: number;
}

export interface AuthConfig {
  auth: AuthSettings;
}

export function authConfig(raw: {
  IDENTITY_URL: string;
  IDENTITY_ISSUER: string;
  IDENTITY_AUDIENCE: string;
  IDENTITY_JWKS_URL: string | undefined;
  IDENTITY_API_KEY_VERIFY_URL: string | undefined;
  AUTH_CLOCK_SKEW_SECONDS: number;
  AUTH_JWKS_COOLDOWN_SECONDS: number;
  AUTH_JWKS_MAX_AGE_SECONDS: number;
  AUTH_JWKS_STALE_MAX_SECONDS: number;
  AUTH_API_KEY_CACHE_SECONDS: number;
}): AuthConfig {
  const origin = new URL(raw.IDENTITY_URL).origin;
  return {
    auth: {
      issuer: raw.IDENTITY_ISSUER,
      audience: raw.IDENTITY_AUDIENCE,
      jwksUrl: raw.IDENTITY_JWKS_URL ?? `${origin}/.well-known/jwks.json`,
      apiKeyVerifyUrl: raw.IDENTITY_API_KEY_VERIFY_URL ?? `${origin}/internal/api-keys/verify`,
      clockSkewSeconds: raw.AUTH_CLOCK_SKEW_SECONDS,
      jwksCooldownSeconds: raw.AUTH_JWKS_COOLDOWN_SECONDS,
      jwksMaxAgeSeconds: raw.AUTH_JWKS_MAX_AGE_SECONDS,
      jwksStaleMaxSeconds: raw.AUTH_JWKS_STALE_MAX_SECONDS,
      apiKeyCacheSeconds: raw.AUTH_API_KEY_CACHE_SECONDS,
    },
  };
}
