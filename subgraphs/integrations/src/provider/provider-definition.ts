import type { AuthScheme, IntegrationCategory } from './integration-provider.type';

/** How a provider signs its webhook deliveries; each scheme is verified in constant time on the raw body. */
export type WebhookScheme =
  /** `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`, delivery id in `X-GitHub-Delivery`. */
  | 'github'
  /** `X-Slack-Signature: v0=<hex HMAC-SHA256(secret, "v0:<ts>:<body>")>` with `X-Slack-Request-Timestamp`. */
  | 'slack'
  /** `X-Atrium-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, id in `X-Atrium-Delivery`. */
  | 'hmac-sha256';

/** Differences of a provider's token endpoint from RFC 6749, undone before the answer is validated. */
export interface TokenResponseQuirks {
  /** The tokens sit in a nested object (Slack's `authed_user`) when the top level carries none. */
  nestedTokenKey?: string;
  /** Errors come as HTTP 200 with `ok: false` and `error` (Slack). */
  okFlag?: boolean;
  /** `token_type` is missing or non-standard (`bot`, `user`); treat it as a bearer token. */
  assumeBearer?: boolean;
  /** The endpoint answers form-encoded unless asked for JSON (GitHub): we always send `Accept: application/json`. */
  formEncodedUnlessAskedForJson?: boolean;
}

export interface OAuth2Settings {
  /** The issuer its ID tokens name (OpenID providers); default: the authorization endpoint's origin. */
  issuer?: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  /** RFC 7009 endpoint; absent when the provider has none (then disconnect only deletes our copy). */
  revocationEndpoint?: string;
  /** Joins scopes in the authorization URL: a space for most, a comma for Slack. */
  scopeSeparator: string;
  /** Whether the provider accepts S256 PKCE (sent whenever it does; `plain` is never used). */
  pkce: boolean;
  /** Whether access tokens expire and come with refresh tokens. */
  refresh: boolean;
  /** How the client authenticates at the token endpoint. */
  clientAuth: 'client_secret_basic' | 'client_secret_post';
  /** Extra fixed authorization parameters (e.g. Google's `access_type=offline`). */
  authorizationParams?: Readonly<Record<string, string>>;
  quirks?: TokenResponseQuirks;
  /**
   * Where the account id and name are found (dotted paths): in the token answer, or in the answer of
   * `userInfoUrl` (GET with the new access token) when given. Webhook deliveries are linked by this id.
   */
  account?: { userInfoUrl?: string; idPath?: string; namePath?: string };
}

export interface ApiKeySettings {
  /** The key's format; a key that does not match is refused before anything is stored or sent. */
  format: RegExp;
  /** What the format looks like, for the error message (never the key itself). */
  formatHint: string;
  /** A cheap authenticated call that proves the key works; relative to `baseUrl`. */
  check?: { path: string; header: 'bearer' | 'x-api-key'; extraHeaders?: Readonly<Record<string, string>> };
  /** Default API origin; a deployment may point it elsewhere (a proxy, a compatible server). */
  baseUrl?: string;
}

export interface WebhookSettings {
  scheme: WebhookScheme;
  /** Dotted path of the external account id in the payload, matched against `Connection.externalAccountId`. */
  accountIdPath?: string;
  /** Header naming the event type, else the dotted path in the payload. */
  eventTypeHeader?: string;
  eventTypePath?: string;
}

/** One provider, described entirely as data: adding a provider is adding an entry, not code. */
export interface ProviderDefinition {
  id: string;
  name: string;
  category: IntegrationCategory;
  authScheme: AuthScheme;
  defaultScopes: readonly string[];
  oauth2?: OAuth2Settings;
  apiKey?: ApiKeySettings;
  webhook?: WebhookSettings;
}
