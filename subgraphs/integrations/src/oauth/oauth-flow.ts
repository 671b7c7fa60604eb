import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { Principal } from '@atrium/platform/auth';
import type { EventBus } from '@atrium/platform/events';
import type { Logger } from '@atrium/platform/logging';
import type { Clock } from '../clock';
import { publishConnectionChanged } from '../connection/connection-events';
import { Connection, ConnectionStatus } from '../connection/connection.entity';
import type { CredentialStore } from '../credentials/credential-store';
import type { Keyring } from '../credentials/keyring';
import { errors } from '../errors';
import { textAt } from '../provider/dotted-path';
import type { ProviderDefinition } from '../provider/provider-definition';
import type { ProviderRegistry } from '../provider/provider-registry';
import { OAuthState } from './oauth-state.entity';
import { oauth } from './oauth4webapi';
import { ProviderRefusal, type TokenClient, type TokenSet } from './token-client';

/** A state lives this long: long enough to sign in at the provider, short enough to be useless when leaked. */
export const STATE_TTL_MS = 10 * 60 * 1000;

export interface ConnectionStartResult {
  authorizationUrl: string;
  state: string;
  expiresAt: Date;
}

export interface OAuthFlowDeps {
  em: () => EntityManager;
  providers: ProviderRegistry;
  tokens: TokenClient;
  credentials: CredentialStore;
  keyring: Keyring;
  events: EventBus;
  clock: Clock;
  log: Logger;
  /** The redirect URI registered with every provider, sent exactly as written. */
  redirectUri: string;
}

const hashOf = (state: string) => createHash('sha256').update(state).digest('hex');
const verifierContext = (stateHash: string) => `atrium-integrations:oauth-state:${stateHash}`;

/**
 * The authorization code flow: a single-use state bound to the user (stored hashed, 10 minutes), an S256 PKCE
 * verifier (sealed at rest), the exact registered redirect URI, and the code exchange through oauth4webapi.
 */
export class OAuthFlow {
  constructor(private readonly deps: OAuthFlowDeps) {}

  async start(
    principal: Principal,
    providerId: string,
    scopes?: string[] | null,
  ): Promise<ConnectionStartResult> {
    const provider = this.deps.providers.get(providerId);
    const settings = provider.oauth2;
    if (!settings)
      throw errors.BAD_USER_INPUT(`${provider.name} is connected with connectWithApiKey, not OAuth`);
    const { clientId } = this.deps.providers.oauthClient(provider);
    const requested = normaliseScopes(scopes ?? [...provider.defaultScopes]);
    const state = oauth.generateRandomState();
    const stateHash = hashOf(state);
    const codeVerifier = settings.pkce ? oauth.generateRandomCodeVerifier() : null;
    const now = this.deps.clock.now();
    const expiresAt = new Date(now.getTime() + STATE_TTL_MS);
    const em = this.deps.em();
    await em.insert(OAuthState, {
      stateHash,
      ownerId: principal.userId!,
      providerId,
      scopes: requested,
      codeVerifier: codeVerifier && this.deps.keyring.seal(codeVerifier, verifierContext(stateHash)),
      redirectUri: this.deps.redirectUri,
      expiresAt,
      createdAt: now,
    });
    const url = new URL(settings.authorizationEndpoint);
    const params: Record<string, string> = {
      ...settings.authorizationParams,
      response_type: 'code',
      client_id: clientId,
      redirect_uri: this.deps.redirectUri,
      state,
      ...(requested.length > 0 && { scope: requested.join(settings.scopeSeparator) }),
      ...(codeVerifier && {
        code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
      }),
    };
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return { authorizationUrl: url.toString(), state, expiresAt };
  }

  /**
   * Completes a flow. `principal` is the caller of `completeConnection` (the state must be theirs); the browser
   * callback has none, and the state's possession is then the proof, as OAuth intends. `providerError` is the
   * provider's `error` parameter when the user declined or the request was refused.
   */
  async complete(input: {
    principal: Principal | null;
    state: string | undefined;
    code: string | undefined;
    providerError?: string;
  }): Promise<Connection> {
    const pending = await this.consume(input.principal, input.state);
    const provider = this.deps.providers.get(pending.providerId);
    if (input.providerError) {
      throw errors.OAUTH_PROVIDER_ERROR(
        `${provider.name} refused the authorization: ${input.providerError}`,
        {
          providerError: input.providerError.slice(0, 64),
        },
      );
    }
    if (!input.code) throw errors.BAD_USER_INPUT('The authorization code is missing');
    let tokens: TokenSet;
    try {
      tokens = await this.deps.tokens.exchangeCode(provider, {
        code: input.code,
        state: input.state!,
        redirectUri: pending.redirectUri,
        codeVerifier:
          pending.codeVerifier &&
          this.deps.keyring.open(pending.codeVerifier, verifierContext(pending.stateHash)),
      });
    } catch (error) {
      throw error instanceof ProviderRefusal ? providerRefused(provider, error) : error;
    }
    return this.store(pending, provider, tokens);
  }

  /** Takes the state exactly once: unknown, foreign, reused and expired states are refused with coded errors. */
  private async consume(principal: Principal | null, state: string | undefined): Promise<OAuthState> {
    const invalid = () =>
      errors.OAUTH_STATE_INVALID('This authorization is unknown, already used or not yours; start again');
    if (!state || state.length > 512) throw invalid();
    const em = this.deps.em();
    const stateHash = hashOf(state);
    const pending = await em.findOne(OAuthState, { stateHash });
    // A foreign caller learns nothing and does not use up the owner's state.
    if (!pending || (principal && principal.userId !== pending.ownerId)) throw invalid();
    const taken = await em.nativeDelete(OAuthState, { stateHash });
    if (taken !== 1) throw invalid();
    if (pending.expiresAt.getTime() <= this.deps.clock.now().getTime()) {
      throw errors.OAUTH_STATE_EXPIRED('This authorization expired (10 minutes); start again');
    }
    return pending;
  }

  private async store(
    pending: OAuthState,
    provider: ProviderDefinition,
    tokens: TokenSet,
  ): Promise<Connection> {
    const now = this.deps.clock.now();
    const account = provider.oauth2?.account;
    const accountData = account?.userInfoUrl
      ? await this.deps.tokens
          .userInfo(provider, account.userInfoUrl, tokens.accessToken)
          .catch((error: unknown) => {
            // The connection works without it; only webhook linking and the account's name are missing.
            this.deps.log.warn(
              { providerId: provider.id, reason: (error as Error).message },
              'account lookup failed',
            );
            return null;
          })
      : tokens.details;
    const em = this.deps.em();
    const connection = await em.transactional(async (tx) => {
      const created = tx.create(Connection, {
        ownerId: pending.ownerId,
        providerId: provider.id,
        status: ConnectionStatus.ACTIVE,
        scopes: tokens.scopes ?? pending.scopes,
        externalAccountId: textAt(accountData, account?.idPath),
        externalAccountName: textAt(accountData, account?.namePath),
        expiresAt: tokens.expiresIn === null ? null : new Date(now.getTime() + tokens.expiresIn * 1000),
        lastRefreshedAt: null,
        createdAt: now,
        updatedAt: now,
      });
      await tx.flush();
      await this.deps.credentials.create(
        created.id,
        { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken },
        tx,
      );
      return created;
    });
    await publishConnectionChanged(this.deps.events, this.deps.log, connection);
    return connection;
  }

  /** Forgets states nobody completed; the refresh scheduler calls it on each round. */
  async purgeExpired(): Promise<number> {
    return this.deps.em().nativeDelete(OAuthState, { expiresAt: { $lte: this.deps.clock.now() } });
  }
}

function normaliseScopes(scopes: string[]): string[] {
  const cleaned = [...new Set(scopes.map((scope) => scope.trim()).filter(Boolean))];
  if (cleaned.length > 50 || cleaned.some((scope) => scope.length > 200 || /\s/.test(scope)))
    throw errors.BAD_USER_INPUT('Invalid input: scopes must be at most 50 names without spaces', {
      fields: [{ field: 'scopes', message: 'at most 50 names without spaces' }],
    });
  return cleaned;
}

export function providerRefused(provider: ProviderDefinition, refusal: ProviderRefusal) {
  return errors.OAUTH_PROVIDER_ERROR(`${provider.name} refused the request: ${refusal.providerError}`, {
    providerError: refusal.providerError.slice(0, 64),
  });
}
