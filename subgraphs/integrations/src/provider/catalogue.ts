import { AuthScheme, IntegrationCategory } from './integration-provider.type';

export interface CatalogueEntry {
  id: string;
  name: string;
  category: IntegrationCategory;
  authScheme: AuthScheme;
  defaultScopes: string[];
  supportsWebhooks: boolean;
}

/**
 * Every provider Atrium knows. OAuth endpoints and token handling per provider arrive with the connection
 * flow; the catalogue is what clients list and what `configured` is computed against.
 */
export const CATALOGUE: readonly CatalogueEntry[] = Object.freeze([
  {
    id: 'github',
    name: 'GitHub',
    category: IntegrationCategory.DEVELOPMENT,
    authScheme: AuthScheme.OAUTH2,
    defaultScopes: ['read:user', 'repo'],
    supportsWebhooks: true,
  },
  {
    id: 'google',
    name: 'Google',
    category: IntegrationCategory.PRODUCTIVITY,
    authScheme: AuthScheme.OAUTH2,
    defaultScopes: ['openid', 'email', 'profile'],
    supportsWebhooks: false,
  },
  {
    id: 'slack',
    name: 'Slack',
    category: IntegrationCategory.COMMUNICATION,
    authScheme: AuthScheme.OAUTH2,
    defaultScopes: ['chat:write', 'channels:read'],
    supportsWebhooks: true,
  },
  {
    id: 'dropbox',
    name: 'Dropbox',
    category: IntegrationCategory.STORAGE,
    authScheme: AuthScheme.OAUTH2,
    defaultScopes: ['files.metadata.read', 'files.content.read'],
    supportsWebhooks: true,
  },
  {
    id: 'trello',
    name: 'Trello',
    category: IntegrationCategory.PRODUCTIVITY,
    authScheme: AuthScheme.OAUTH2,
    defaultScopes: ['read'],
    supportsWebhooks: true,
  },
  {
    id: 'openai',
    name: 'OpenAI',
    category: IntegrationCategory.AI,
    authScheme: AuthScheme.API_KEY,
    defaultScopes: [],
    supportsWebhooks: false,
  },
  {
    id: 'anthropic',
    name: 'Anthropic',
    category: IntegrationCategory.AI,
    authScheme: AuthScheme.API_KEY,
    defaultScopes: [],
    supportsWebhooks: false,
  },
]);

export const CATALOGUE_IDS = CATALOGUE.map((entry) => entry.id);
