import type { Logger } from '@atrium/platform/logging';
import type { Secrets } from '../credentials/credential-store';
import type { ProviderDefinition } from '../provider/provider-definition';
import type { TokenClient } from './token-client';

/**
 * Revokes a connection's tokens where the provider supports RFC 7009 — the refresh token first (which ends the
 * grant at most providers), then the access token. Best effort: a failure is logged (without the token) and the
 * caller deletes the credentials anyway.
 */
export class Revoker {
  constructor(private readonly deps: { tokens: TokenClient; log: Logger }) {}

  async revoke(provider: ProviderDefinition, secrets: Secrets, connectionId: string): Promise<void> {
    if (!provider.oauth2?.revocationEndpoint) return;
    const tokens = [
      [secrets.refreshToken, 'refresh_token'],
      [secrets.accessToken, 'access_token'],
    ] as const;
    for (const [token, hint] of tokens) {
      if (!token) continue;
      try {
        await this.deps.tokens.revoke(provider, token, hint);
      } catch (error) {
        this.deps.log.warn(
          { connectionId, providerId: provider.id, reason: (error as Error).message },
          'token revocation failed; credentials are deleted anyway',
        );
      }
    }
  }
}
