import type { ProviderDefinition } from '../provider/provider-definition';
import type { ProviderCalls } from '../provider/provider-calls';
import type { ProviderRegistry } from '../provider/provider-registry';
import { errors } from '../errors';
import { oauth } from './oauth4webapi';
import { normaliseTokenResponse } from './token-response';

/** What a token endpoint gave, validated; secrets only in memory. */
export interface TokenSet {
  accessToken: string;
  refreshToken: string | null;
  /** Seconds from now, or null when the token does not expire. */
  expiresIn: number | null;
  /** The scopes the provider reports granting, or null when it does not say. */
  scopes: string[] | null;
  /** The full answer without the tokens, for account details (Slack's team, Notion's workspace). */
  details: Record<string, unknown>;
}

/** A refusal by the provider (an OAuth error answer), as opposed to the provider being unreachable. */
export class ProviderRefusal extends Error {
  constructor(
    readonly providerError: string,
    readonly description: string | undefined,
  ) {
    super(description ? `${providerError}: ${description}` : providerError);
    this.name = 'ProviderRefusal';
  }
}

const isLoopback = (url: string) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);

/**
 * The client side of OAuth 2.0 through oauth4webapi: code exchange (with the S256 PKCE verifier), refresh and
 * revocation, each through the provider's resilience policy. oauth4webapi insists on HTTPS; plain HTTP is
 * allowed only for loopback endpoints (a local provider in development and tests).
 */
export class TokenClient {
  constructor(private readonly deps: { providers: ProviderRegistry; calls: ProviderCalls }) {}

  async exchangeCode(
    provider: ProviderDefinition,
    input: { code: string; state: string; redirectUri: string; codeVerifier: string | null },
  ): Promise<TokenSet> {
    const { as, client, auth, options } = this.parts(provider);
    const params = oauth.validateAuthResponse(
      as,
      client,
      new URLSearchParams({ code: input.code, state: input.state }),
      input.state,
    );
    const response = await this.deps.calls.run(provider.id, (signal) =>
      oauth.authorizationCodeGrantRequest(
        as,
        client,
        auth,
        params,
        input.redirectUri,
        input.codeVerifier ?? oauth.nopkce,
        { ...options, signal },
      ),
    );
    return this.process(provider, response, (normalised) =>
      oauth.processAuthorizationCodeResponse(as, client, normalised),
    );
  }

  async refresh(provider: ProviderDefinition, refreshToken: string): Promise<TokenSet> {
    const { as, client, auth, options } = this.parts(provider);
    const response = await this.deps.calls.run(provider.id, (signal) =>
      oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, { ...options, signal }),
    );
    return this.process(provider, response, (normalised) =>
      oauth.processRefreshTokenResponse(as, client, normalised),
    );
  }

  /** GET `url` with the access token (the provider's user-info call); null when it does not answer 2xx JSON. */
  async userInfo(provider: ProviderDefinition, url: string, accessToken: string): Promise<unknown> {
    const response = await this.deps.calls.run(provider.id, (signal) =>
      fetch(url, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' }, signal }),
    );
    if (!response.ok) {
      await response.body?.cancel();
      return null;
    }
    return response.json().catch(() => null);
  }

  /** RFC 7009 revocation of one token; resolves when the provider confirmed it. */
  async revoke(provider: ProviderDefinition, token: string, hint: 'access_token' | 'refresh_token') {
    const { as, client, auth, options } = this.parts(provider);
    const response = await this.deps.calls.run(provider.id, (signal) =>
      oauth.revocationRequest(as, client, auth, token, {
        ...options,
        signal,
        additionalParameters: { token_type_hint: hint },
      }),
    );
    await oauth.processRevocationResponse(response).catch((error: unknown) => {
      throw refusal(error);
    });
  }

  private async process(
    provider: ProviderDefinition,
    response: Response,
    validate: (response: Response) => Promise<Record<string, unknown>>,
  ): Promise<TokenSet> {
    const normalised = await normaliseTokenResponse(response, provider.oauth2?.quirks);
    let result: Record<string, unknown>;
    try {
      result = await validate(normalised);
    } catch (error) {
      throw refusal(error);
    }
    const { access_token, refresh_token, expires_in, scope, id_token: _idToken, ...details } = result;
    return {
      accessToken: access_token as string,
      refreshToken: typeof refresh_token === 'string' ? refresh_token : null,
      expiresIn: typeof expires_in === 'number' ? expires_in : null,
      scopes: typeof scope === 'string' ? scope.split(/[ ,]+/).filter(Boolean) : null,
      details: details as Record<string, unknown>,
    };
  }

  private parts(provider: ProviderDefinition) {
    const settings = provider.oauth2;
    if (!settings) throw errors.BAD_USER_INPUT(`${provider.name} is connected with an API key, not OAuth`);
    const credentials = this.deps.providers.oauthClient(provider);
    const as = {
      issuer: settings.issuer ?? new URL(settings.authorizationEndpoint).origin,
      authorization_endpoint: settings.authorizationEndpoint,
      token_endpoint: settings.tokenEndpoint,
      revocation_endpoint: settings.revocationEndpoint,
    };
    const client = { client_id: credentials.clientId };
    const auth =
      settings.clientAuth === 'client_secret_basic'
        ? oauth.ClientSecretBasic(credentials.clientSecret)
        : oauth.ClientSecretPost(credentials.clientSecret);
    const insecure = isLoopback(settings.tokenEndpoint);
    return { as, client, auth, options: { [oauth.allowInsecureRequests]: insecure } };
  }
}

/** An OAuth error answer becomes a ProviderRefusal; anything else (a malformed answer) one too, described safely. */
function refusal(error: unknown): ProviderRefusal {
  if (error instanceof oauth.ResponseBodyError)
    return new ProviderRefusal(error.error, error.error_description);
  if (error instanceof oauth.WWWAuthenticateChallengeError)
    return new ProviderRefusal('invalid_client', undefined);
  return new ProviderRefusal('invalid_response', 'the provider answered in an unexpected shape');
}
