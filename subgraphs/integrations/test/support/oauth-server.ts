import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Leftovers } from '@atrium/platform/testing';
import { Provider } from 'oidc-provider';
import { AuthScheme, IntegrationCategory } from '../../src/provider/integration-provider.type';
import type { ProviderDefinition } from '../../src/provider/provider-definition';

export const CLIENT_ID = 'atrium-test-client';
export const CLIENT_SECRET = 'atrium-test-client-secret-0123456789';
export const REDIRECT_URI = 'http://gateway.test/oauth/callback';
export const ACCOUNT_ID = 'octocat-42';

export interface OAuthServer {
  issuer: string;
  provider: InstanceType<typeof Provider>;
  /** Successful token endpoint grants by type, and revocation requests, as the server saw them. */
  calls: { authorization_code: number; refresh_token: number; revocation: number };
  /** Holds the next token endpoint request until `release()` (a provider that is slow to answer). */
  holdNextRefresh(): { reached: Promise<void>; release: () => void };
  /** A catalogue entry pointing at this server, as a real deployment's would point at GitHub. */
  definition(overrides?: Partial<ProviderDefinition['oauth2']>): ProviderDefinition;
}

/**
 * A real OAuth 2.0 / OpenID server (oidc-provider) on port 0: one confidential client with the exact redirect URI,
 * PKCE S256 required, rotating refresh tokens, RFC 7009 revocation. The user signs in and consents automatically,
 * as a browser session would after a click.
 */
export async function startOAuthServer(
  leftovers: Leftovers,
  options: { accessTokenTtlSeconds?: number } = {},
): Promise<OAuthServer> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    scopes: ['openid', 'offline_access', 'repo', 'read:user'],
    pkce: { methods: ['S256'], required: () => true },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      introspection: { enabled: true },
    },
    ttl: {
      AccessToken: options.accessTokenTtlSeconds ?? 3600,
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 600,
      Grant: 3600,
      RefreshToken: 86_400,
    },
    issueRefreshToken: async () => true,
    rotateRefreshToken: true,
    findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub }) }),
    // The user has consented to whatever this client asks for: the grant is made on the spot.
    loadExistingGrant: async (ctx: any) => {
      const existing = ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
      await grant.save();
      return grant;
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
  } as never);
  const calls = { authorization_code: 0, refresh_token: 0, revocation: 0 };
  let hold: { reached: () => void; gate: Promise<void> } | undefined;
  provider.use(async (ctx: any, next: () => Promise<void>) => {
    if (ctx.path.startsWith('/interaction/')) {
      // The sign-in page: the user signs in as ACCOUNT_ID.
      await provider.interactionFinished(
        ctx.req,
        ctx.res,
        { login: { accountId: ACCOUNT_ID } },
        { mergeWithLastSubmission: false },
      );
      ctx.respond = false;
      return;
    }
    if (ctx.path === '/token' && ctx.method === 'POST' && hold) {
      const current = hold;
      hold = undefined;
      current.reached();
      await current.gate;
    }
    if (ctx.path === '/token/revocation' && ctx.method === 'POST') calls.revocation++;
    await next();
  });
  provider.on('grant.success', (ctx: any) => {
    const grantType = ctx.oidc.params.grant_type as string;
    if (grantType === 'authorization_code' || grantType === 'refresh_token') calls[grantType]++;
  });
  server.on('request', provider.callback());
  leftovers.add(server, (s) => new Promise((resolve) => s.close(resolve)));
  return {
    issuer,
    provider,
    calls,
    holdNextRefresh() {
      let reached!: () => void;
      let release!: () => void;
      const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
      const gate = new Promise<void>((resolve) => (release = resolve));
      hold = { reached, gate };
      return { reached: reachedPromise, release };
    },
    definition: (overrides = {}) => ({
      id: 'github',
      name: 'GitHub (test server)',
      category: IntegrationCategory.DEVELOPMENT,
      authScheme: AuthScheme.OAUTH2,
      defaultScopes: ['openid', 'offline_access', 'repo'],
      oauth2: {
        issuer,
        authorizationEndpoint: `${issuer}/auth`,
        tokenEndpoint: `${issuer}/token`,
        revocationEndpoint: `${issuer}/token/revocation`,
        scopeSeparator: ' ',
        pkce: true,
        refresh: true,
        clientAuth: 'client_secret_post',
        account: { userInfoUrl: `${issuer}/me`, idPath: 'sub' },
        ...overrides,
      },
      webhook: { scheme: 'github', accountIdPath: 'sender.id', eventTypeHeader: 'x-github-event' },
    }),
  };
}

/**
 * The user's browser: follows the authorization URL through the provider's sign-in, keeping its cookies, until
 * the provider redirects to our redirect URI. Returns that final URL (with `code` and `state`, or `error`).
 */
export async function authorizeInBrowser(authorizationUrl: string): Promise<URL> {
  const cookies = new Map<string, string>();
  let url = authorizationUrl;
  for (let hop = 0; hop < 10; hop++) {
    if (url.startsWith(REDIRECT_URI)) return new URL(url);
    const response = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    const location = response.headers.get('location');
    if (!location)
      throw new Error(
        `the provider answered ${response.status} without a redirect: ${await response.text()}`,
      );
    url = new URL(location, url).toString();
  }
  throw new Error('too many redirects');
}
