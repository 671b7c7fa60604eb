import type { IntegrationsSettings } from '../config';
import { errors } from '../errors';
import { AuthScheme, type IntegrationProvider } from './integration-provider.type';
import type { ProviderDefinition } from './provider-definition';

export interface OAuthClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** The catalogue as this deployment sees it: which providers it can connect, with which client and secrets. */
export class ProviderRegistry {
  private readonly byId: ReadonlyMap<string, ProviderDefinition>;

  constructor(
    private readonly catalogue: readonly ProviderDefinition[],
    private readonly settings: Pick<IntegrationsSettings, 'oauthClients' | 'webhookSecrets' | 'apiBaseUrls'>,
  ) {
    this.byId = new Map(catalogue.map((entry) => [entry.id, entry]));
  }

  list(): IntegrationProvider[] {
    return this.catalogue.map((entry) => this.describe(entry));
  }

  find(id: string): ProviderDefinition | undefined {
    return this.byId.get(id);
  }

  /** The provider, or NOT_FOUND naming the id (ids are public catalogue data). */
  get(id: string): ProviderDefinition {
    const entry = this.byId.get(id);
    if (!entry)
      throw errors.NOT_FOUND(`Unknown provider "${id.slice(0, 64)}"`, { providerId: id.slice(0, 64) });
    return entry;
  }

  describe(entry: ProviderDefinition): IntegrationProvider {
    return {
      id: entry.id,
      name: entry.name,
      category: entry.category,
      authScheme: entry.authScheme,
      defaultScopes: [...entry.defaultScopes],
      configured: this.configured(entry),
      supportsWebhooks: entry.webhook !== undefined,
    };
  }

  /** API-key providers need nothing from the deployment (users bring the key); OAuth ones need a client. */
  configured(entry: ProviderDefinition): boolean {
    return entry.authScheme === AuthScheme.API_KEY || this.settings.oauthClients.has(entry.id);
  }

  oauthClient(entry: ProviderDefinition): OAuthClientCredentials {
    const client = this.settings.oauthClients.get(entry.id);
    if (!entry.oauth2 || !client)
      throw errors.PROVIDER_NOT_CONFIGURED(`${entry.name} is not configured in this deployment`, {
        providerId: entry.id,
      });
    return client;
  }

  webhookSecret(entry: ProviderDefinition): string | undefined {
    return this.settings.webhookSecrets.get(entry.id);
  }

  apiBaseUrl(entry: ProviderDefinition): string | undefined {
    return (this.settings.apiBaseUrls.get(entry.id) ?? entry.apiKey?.baseUrl)?.replace(/\/+$/, '');
  }
}
