import {
  ConfigProblem,
  developmentSecretOrigin,
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
import { parseEncryptionKeys, type EncryptionKey } from './credentials/keyring';
import { CATALOGUE } from './provider/catalogue';

/**
 * INTEGRATIONS_ENCRYPTION_KEYS outside production when unset: one key `dev:<base64 of 32 random bytes>`, generated
 * once per data directory (main.ts fills it with `withDevelopmentSecret`), so credentials sealed under it stay
 * readable across restarts of that directory. The fixed key it once defaulted to is refused everywhere, alone or
 * in a list.
 */
export const INTEGRATIONS_ENCRYPTION_DEVELOPMENT_KEYS: DevelopmentSecret = {
  variable: 'INTEGRATIONS_ENCRYPTION_KEYS',
  file: 'integrations-encryption-keys',
  format: (bytes) => `dev:${bytes.toString('base64')}`,
  published: [`dev:${Buffer.alloc(32, 'atrium-dev-integrations-key!').toString('base64')}`],
};
const PUBLISHED_KEY_MATERIAL = INTEGRATIONS_ENCRYPTION_DEVELOPMENT_KEYS.published.map((value) =>
  value.slice(value.indexOf(':') + 1),
);

const upper = (id: string) => id.toUpperCase();
const OAUTH_PROVIDERS = CATALOGUE.filter((entry) => entry.oauth2).map((entry) => entry.id);
const WEBHOOK_PROVIDERS = CATALOGUE.filter((entry) => entry.webhook).map((entry) => entry.id);
const API_BASE_PROVIDERS = CATALOGUE.filter((entry) => entry.apiKey?.baseUrl).map((entry) => entry.id);

const encryptionKeys: VarSpec<EncryptionKey[]> = {
  description: {
    allowed:
      'comma-separated `<key id>:<base64 of 32 random bytes>`; the first encrypts, all decrypt (required in production)',
    default: `(${developmentSecretOrigin(INTEGRATIONS_ENCRYPTION_DEVELOPMENT_KEYS)})`,
    secret: true,
  },
  parse(raw, ctx) {
    if (raw === undefined)
      throw new ConfigProblem(
        ctx.production
          ? 'is required in production'
          : `is required (${developmentSecretOrigin(INTEGRATIONS_ENCRYPTION_DEVELOPMENT_KEYS)})`,
      );
    let keys: EncryptionKey[];
    try {
      keys = parseEncryptionKeys(raw);
    } catch (error) {
      throw new ConfigProblem(`is invalid: ${(error as Error).message}`);
    }
    const published = keys.find((key) => PUBLISHED_KEY_MATERIAL.includes(key.key.toString('base64')));
    if (published)
      throw new ConfigProblem(`key "${published.id}" is a published development value; generate a new one`);
    return keys;
  },
};

const optionalSecret: VarSpec<string | undefined> = {
  description: { allowed: 'any text (optional)', default: undefined, secret: true },
  parse: (raw) => raw,
};

export const integrationsConfigSpec = {
  ...subgraphConfigSpec('integrations', 4002),
  INTEGRATIONS_ENCRYPTION_KEYS: encryptionKeys,
  INTEGRATIONS_OAUTH_REDIRECT_URL: env.url({
    default: 'http://localhost:4000/oauth/callback',
    protocols: ['http', 'https'],
  }),
  INTEGRATIONS_FRONTEND_URL: env.url({
    default: 'http://localhost:4000/console',
    protocols: ['http', 'https'],
  }),
  INTEGRATIONS_REFRESH_MARGIN_SECONDS: env.int({ default: 300, min: 0, max: 86_400 }),
  INTEGRATIONS_REFRESH_INTERVAL_SECONDS: env.int({ default: 60, min: 0, max: 86_400 }),
  INTEGRATIONS_PROVIDER_TIMEOUT_MS: env.int({ default: 10_000, min: 100, max: 120_000 }),
  INTEGRATIONS_API_KEY_CHECK: env.bool({ default: true }),
  INTEGRATIONS_WEBHOOK_BODY_LIMIT_BYTES: env.int({ default: 1_048_576, min: 1024, max: 26_214_400 }),
  // One pair per OAuth provider, e.g. OAUTH_GITHUB_CLIENT_ID / OAUTH_GITHUB_CLIENT_SECRET.
  ...Object.fromEntries(
    OAUTH_PROVIDERS.flatMap((id) => [
      [`OAUTH_${upper(id)}_CLIENT_ID`, env.optionalString()],
      [`OAUTH_${upper(id)}_CLIENT_SECRET`, optionalSecret],
    ]),
  ),
  // The signing secret of each provider's webhooks; without it every delivery of that provider is refused.
  ...Object.fromEntries(WEBHOOK_PROVIDERS.map((id) => [`WEBHOOK_${upper(id)}_SECRET`, optionalSecret])),
  // Where API-key providers are called (key checks, and generation's own-key runs read the same key).
  ...Object.fromEntries(
    API_BASE_PROVIDERS.map((id) => [`INTEGRATIONS_${upper(id)}_BASE_URL`, env.optionalUrl()]),
  ),
};

export interface IntegrationsSettings {
  /** The first encrypts; every one decrypts (so a rotation can run while the service serves). */
  encryptionKeys: readonly EncryptionKey[];
  /** Registered with every provider exactly as written; the gateway serves it (`GET /oauth/callback`). */
  redirectUrl: string;
  /** Where `GET /oauth/callback` sends the browser, with `connection`/`status` or `error` parameters. */
  frontendUrl: string;
  /** Tokens expiring within this margin are refreshed by the scheduler. */
  refreshMarginSeconds: number;
  /** How often the scheduler looks for tokens to refresh; 0 turns it off (tests, or a dedicated process). */
  refreshIntervalSeconds: number;
  providerTimeoutMs: number;
  /** Whether connectWithApiKey tries a key against the provider (where it has a cheap call). */
  apiKeyCheck: boolean;
  webhookBodyLimitBytes: number;
  /** OAuth client credentials by provider id; a provider is `configured` only with both halves. */
  oauthClients: ReadonlyMap<string, { clientId: string; clientSecret: string }>;
  webhookSecrets: ReadonlyMap<string, string>;
  apiBaseUrls: ReadonlyMap<string, string>;
}

export interface IntegrationsConfig extends SubgraphRuntimeConfig {
  integrations: IntegrationsSettings;
}

export function loadIntegrationsConfig(source: Record<string, string | undefined>): IntegrationsConfig {
  const raw = loadConfig(integrationsConfigSpec, source) as Record<string, unknown>;
  const text = (name: string) => raw[name] as string | undefined;
  const oauthClients = new Map<string, { clientId: string; clientSecret: string }>();
  for (const id of OAUTH_PROVIDERS) {
    const clientId = text(`OAUTH_${upper(id)}_CLIENT_ID`);
    const clientSecret = text(`OAUTH_${upper(id)}_CLIENT_SECRET`);
    if (clientId && clientSecret) oauthClients.set(id, { clientId, clientSecret });
  }
  const present = (ids: string[], name: (id: string) => string) =>
    new Map(ids.flatMap((id) => (text(name(id)) ? [[id, text(name(id))!] as const] : [])));
  return Object.freeze({
    ...subgraphRuntimeConfig('integrations', raw),
    integrations: Object.freeze({
      encryptionKeys: raw.INTEGRATIONS_ENCRYPTION_KEYS as EncryptionKey[],
      redirectUrl: raw.INTEGRATIONS_OAUTH_REDIRECT_URL as string,
      frontendUrl: raw.INTEGRATIONS_FRONTEND_URL as string,
      refreshMarginSeconds: raw.INTEGRATIONS_REFRESH_MARGIN_SECONDS as number,
      refreshIntervalSeconds: raw.INTEGRATIONS_REFRESH_INTERVAL_SECONDS as number,
      providerTimeoutMs: raw.INTEGRATIONS_PROVIDER_TIMEOUT_MS as number,
      apiKeyCheck: raw.INTEGRATIONS_API_KEY_CHECK as boolean,
      webhookBodyLimitBytes: raw.INTEGRATIONS_WEBHOOK_BODY_LIMIT_BYTES as number,
      oauthClients,
      webhookSecrets: present(WEBHOOK_PROVIDERS, (id) => `WEBHOOK_${upper(id)}_SECRET`),
      apiBaseUrls: present(API_BASE_PROVIDERS, (id) => `INTEGRATIONS_${upper(id)}_BASE_URL`),
    }),
  });
}
