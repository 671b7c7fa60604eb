import { AuthScheme, IntegrationCategory } from './integration-provider.type';
import type { ProviderDefinition } from './provider-definition';

const { DEVELOPMENT, COMMUNICATION, PRODUCTIVITY, STORAGE, AI } = IntegrationCategory;
const { OAUTH2, API_KEY } = AuthScheme;

/**
 * Every provider Atrium knows, as data. Endpoints are the providers' documented ones; a deployment registers
 * one OAuth app per provider (docs/integrations.md) and gives its client id and secret in the environment.
 */
const DEFINITIONS: ProviderDefinition[] = [
  {
    id: 'github',
    name: 'GitHub',
    category: DEVELOPMENT,
    authScheme: OAUTH2,
    defaultScopes: ['read:user', 'repo'],
    oauth2: {
      authorizationEndpoint: 'https://github.com/login/oauth/authorize',
      tokenEndpoint: 'https://github.com/login/oauth/access_token',
      // GitHub revokes through DELETE /applications/{client_id}/grant, not RFC 7009: disconnect deletes our copy.
      scopeSeparator: ' ',
      pkce: true,
      // GitHub App user tokens expire after 8 h and refresh; classic OAuth App tokens never expire.
      refresh: true,
      clientAuth: 'client_secret_post',
      quirks: { formEncodedUnlessAskedForJson: true },
      account: { userInfoUrl: 'https://api.github.com/user', idPath: 'id', namePath: 'login' },
    },
    webhook: { scheme: 'github', accountIdPath: 'sender.id', eventTypeHeader: 'x-github-event' },
  },
  {
    id: 'google',
    name: 'Google',
    category: PRODUCTIVITY,
    authScheme: OAUTH2,
    defaultScopes: ['openid', 'email', 'profile'],
    oauth2: {
      issuer: 'https://accounts.google.com',
      authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenEndpoint: 'https://oauth2.googleapis.com/token',
      revocationEndpoint: 'https://oauth2.googleapis.com/revoke',
      scopeSeparator: ' ',
      pkce: true,
      refresh: true,
      clientAuth: 'client_secret_post',
      // Without these Google issues no refresh token (or only on the very first consent).
      authorizationParams: { access_type: 'offline', prompt: 'consent' },
      account: {
        userInfoUrl: 'https://openidconnect.googleapis.com/v1/userinfo',
        idPath: 'sub',
        namePath: 'email',
      },
    },
  },
  {
    id: 'slack',
    name: 'Slack',
    category: COMMUNICATION,
    authScheme: OAUTH2,
    defaultScopes: ['chat:write', 'channels:read'],
    oauth2: {
      authorizationEndpoint: 'https://slack.com/oauth/v2/authorize',
      tokenEndpoint: 'https://slack.com/api/oauth.v2.access',
      revocationEndpoint: 'https://slack.com/api/auth.revoke',
      scopeSeparator: ',',
      pkce: false,
      refresh: true,
      clientAuth: 'client_secret_post',
      quirks: { nestedTokenKey: 'authed_user', okFlag: true, assumeBearer: true },
      account: { idPath: 'team.id', namePath: 'team.name' },
    },
    webhook: { scheme: 'slack', accountIdPath: 'team_id', eventTypePath: 'event.type' },
  },
  {
    id: 'dropbox',
    name: 'Dropbox',
    category: STORAGE,
    authScheme: OAUTH2,
    defaultScopes: ['files.metadata.read', 'files.content.read'],
    oauth2: {
      authorizationEndpoint: 'https://www.dropbox.com/oauth2/authorize',
      tokenEndpoint: 'https://api.dropboxapi.com/oauth2/token',
      scopeSeparator: ' ',
      pkce: true,
      refresh: true,
      clientAuth: 'client_secret_basic',
      authorizationParams: { token_access_type: 'offline' },
      account: { idPath: 'account_id' },
    },
    webhook: { scheme: 'hmac-sha256', accountIdPath: 'account_id', eventTypePath: 'type' },
  },
  {
    id: 'trello',
    name: 'Trello',
    category: PRODUCTIVITY,
    authScheme: OAUTH2,
    defaultScopes: ['read:trello', 'write:trello', 'offline_access'],
    // Trello's OAuth 2.0 is Atlassian's (3LO); its own legacy flow is OAuth 1.0a, which Atrium does not speak.
    oauth2: {
      authorizationEndpoint: 'https://auth.atlassian.com/authorize',
      tokenEndpoint: 'https://auth.atlassian.com/oauth/token',
      scopeSeparator: ' ',
      pkce: false,
      refresh: true,
      clientAuth: 'client_secret_post',
      authorizationParams: { audience: 'api.atlassian.com', prompt: 'consent' },
      account: { userInfoUrl: 'https://api.atlassian.com/me', idPath: 'account_id', namePath: 'name' },
    },
    webhook: {
      scheme: 'hmac-sha256',
      accountIdPath: 'action.memberCreator.id',
      eventTypePath: 'action.type',
    },
  },
  {
    id: 'notion',
    name: 'Notion',
    category: PRODUCTIVITY,
    authScheme: OAUTH2,
    defaultScopes: [],
    oauth2: {
      authorizationEndpoint: 'https://api.notion.com/v1/oauth/authorize',
      tokenEndpoint: 'https://api.notion.com/v1/oauth/token',
      scopeSeparator: ' ',
      pkce: false,
      // Notion's tokens do not expire.
      refresh: false,
      clientAuth: 'client_secret_basic',
      authorizationParams: { owner: 'user' },
      quirks: { assumeBearer: true },
      account: { idPath: 'workspace_id', namePath: 'workspace_name' },
    },
    webhook: { scheme: 'hmac-sha256', accountIdPath: 'workspace_id', eventTypePath: 'type' },
  },
  {
    id: 'openai',
    name: 'OpenAI',
    category: AI,
    authScheme: API_KEY,
    defaultScopes: [],
    apiKey: {
      format: /^sk-[A-Za-z0-9_-]{20,200}$/,
      formatHint: 'sk- followed by 20–200 letters, digits, - or _',
      check: { path: '/models', header: 'bearer' },
      baseUrl: 'https://api.openai.com/v1',
    },
  },
  {
    id: 'anthropic',
    name: 'Anthropic',
    category: AI,
    authScheme: API_KEY,
    defaultScopes: [],
    apiKey: {
      format: /^sk-ant-[A-Za-z0-9_-]{20,200}$/,
      formatHint: 'sk-ant- followed by 20–200 letters, digits, - or _',
      check: { path: '/models', header: 'x-api-key', extraHeaders: { 'anthropic-version': '2023-06-01' } },
      baseUrl: 'https://api.anthropic.com/v1',
    },
  },
  {
    id: 'genspark',
    name: 'Genspark',
    category: AI,
    authScheme: API_KEY,
    defaultScopes: [],
    apiKey: { format: /^gsk_[A-Za-z0-9]{32,128}$/, formatHint: 'gsk_ followed by 32–128 letters or digits' },
  },
  {
    id: 'paperpal',
    name: 'Paperpal',
    category: AI,
    authScheme: API_KEY,
    defaultScopes: [],
    apiKey: { format: /^pp_[A-Za-z0-9]{32,128}$/, formatHint: 'pp_ followed by 32–128 letters or digits' },
  },
  {
    id: 'manus',
    name: 'Manus',
    category: AI,
    authScheme: API_KEY,
    defaultScopes: [],
    apiKey: {
      format: /^manus-[A-Za-z0-9_-]{32,128}$/,
      formatHint: 'manus- followed by 32–128 letters, digits, - or _',
    },
  },
];

export const CATALOGUE: readonly ProviderDefinition[] = Object.freeze(DEFINITIONS);

export const CATALOGUE_IDS = CATALOGUE.map((entry) => entry.id);
