import { env, loadConfig } from '@atrium/platform/config';
import {
  subgraphConfigSpec,
  subgraphRuntimeConfig,
  type SubgraphRuntimeConfig,
} from '@atrium/platform/server';
import { CATALOGUE } from './provider/catalogue';
import { AuthScheme } from './provider/integration-provider.type';

const OAUTH_PROVIDERS = CATALOGUE.filter((entry) => entry.authScheme === AuthScheme.OAUTH2).map(
  (entry) => entry.id,
);

export const integrationsConfigSpec = {
  ...subgraphConfigSpec('integrations', 4002),
  // One pair per OAuth provider, e.g. OAUTH_GITHUB_CLIENT_ID / OAUTH_GITHUB_CLIENT_SECRET.
  ...Object.fromEntries(
    OAUTH_PROVIDERS.flatMap((id) => [
      [`OAUTH_${id.toUpperCase()}_CLIENT_ID`, env.optionalString()],
      [`OAUTH_${id.toUpperCase()}_CLIENT_SECRET`, env.optionalString()],
    ]),
  ),
};

export interface IntegrationsConfig extends SubgraphRuntimeConfig {
  /** OAuth client credentials by provider id; a provider is `configured` only with both halves. */
  oauthClients: ReadonlyMap<string, { clientId: string; clientSecret: string }>;
}

export function loadIntegrationsConfig(source: Record<string, string | undefined>): IntegrationsConfig {
  const raw = loadConfig(integrationsConfigSpec, source) as Record<string, unknown>;
  const oauthClients = new Map<string, { clientId: string; clientSecret: string }>();
  for (const id of OAUTH_PROVIDERS) {
    const clientId = raw[`OAUTH_${id.toUpperCase()}_CLIENT_ID`] as string | undefined;
    const clientSecret = raw[`OAUTH_${id.toUpperCase()}_CLIENT_SECRET`] as string | undefined;
    if (clientId && clientSecret) oauthClients.set(id, { clientId, clientSecret });
  }
  return Object.freeze({ ...subgraphRuntimeConfig('integrations', raw), oauthClients });
}
