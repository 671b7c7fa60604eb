import type { Request } from 'express';
import { ANONYMOUS, type Principal } from '@atrium/platform/auth';
import type { Logger } from '@atrium/platform/logging';
import { PolicyRegistry, type Policy } from '@atrium/platform/resilience';
import type { GatewayConfig } from '../config';
import { ApiKeyCheckUnavailableError, createApiKeyVerifier, InvalidApiKeyError } from './api-key-verifier';
import { CredentialFormatError, readCredential } from './credentials';
import { identityUnavailable, unauthenticated } from './errors';
import { createJwtVerifier, InvalidTokenError, JwksUnavailableError } from './jwt-verifier';

export { authSpec, authConfig, type AuthConfig, type AuthSettings } from './config';

/** Decides who is calling, once per request (HTTP) or connection (WebSocket). */
export interface Authenticator {
  /**
   * The principal for a request's credentials; anonymous without any. Bad credentials throw UNAUTHENTICATED
   * carrying HTTP 401; identity being unreachable throws SUBGRAPH_UNAVAILABLE carrying 503.
   */
  authenticate(headers: Request['headers'], requestId?: string): Promise<Principal>;
  /** A note for the health report when verification runs degraded (e.g. on a stale key set), or undefined. */
  healthNote?(): string | undefined;
  /** Its circuit breakers (API-key verification against identity), for `/status`. */
  breakers?(): Policy[];
  close(): Promise<void>;
}

/**
 * `Authorization: Bearer <access token>` is verified locally against identity's JWKS; `Bearer atr_…` or
 * `x-api-key: atr_…` through identity's verification route (cached briefly). Whatever a client sends as an
 * internal header is never trusted: the data source builds subgraph headers from scratch.
 */
export function createAuthenticator(config: GatewayConfig, log: Logger): Authenticator {
  const { auth } = config;
  const jwt = createJwtVerifier({
    jwksUrl: auth.jwksUrl,
    issuer: auth.issuer,
    audience: auth.audience,
    clockSkewSeconds: auth.clockSkewSeconds,
    cooldownMs: auth.jwksCooldownSeconds * 1000,
    maxAgeMs: auth.jwksMaxAgeSeconds * 1000,
    staleMaxMs: auth.jwksStaleMaxSeconds * 1000,
    onStale: ({ stale, since, error }) => {
      if (stale)
        log.warn(
          { err: error },
          'identity JWKS unreachable: verifying access tokens with the last good key set',
        );
      else log.info({ since: new Date(since).toISOString() }, 'identity JWKS reachable again');
    },
  });
  const policies = new PolicyRegistry();
  const apiKeys = createApiKeyVerifier({
    url: auth.apiKeyVerifyUrl,
    internalSecret: config.internalSecret,
    ttlMs: auth.apiKeyCacheSeconds * 1000,
    policy: policies.get({
      name: 'identity:api-key-verification',
      timeoutMs: 2000,
      breaker: {
        slidingWindowSize: 20,
        minimumNumberOfCalls: 5,
        failureRateThreshold: 50,
        openStateDelayMs: 5000,
        permittedNumberOfCallsInHalfOpenState: 1,
      },
    }),
  });

  return {
    breakers: () => policies.list(),
    async authenticate(headers, requestId) {
      try {
        const credential = readCredential(headers);
        if (credential.kind === 'none') return ANONYMOUS;
        if (credential.kind === 'jwt') return await jwt.verify(credential.token);
        return await apiKeys.verify(credential.key, requestId);
      } catch (error) {
        if (error instanceof JwksUnavailableError || error instanceof ApiKeyCheckUnavailableError) {
          log.warn(
            { err: error.cause ?? error, requestId },
            'credentials could not be checked: identity unavailable',
          );
          throw identityUnavailable();
        }
        if (error instanceof InvalidTokenError) {
          log.debug({ reason: error.reason, requestId }, 'access token refused');
          throw unauthenticated(
            error.reason === 'ERR_JWT_EXPIRED' ? 'Access token expired' : 'Invalid access token',
          );
        }
        if (error instanceof InvalidApiKeyError) throw unauthenticated('Invalid API key');
        if (error instanceof CredentialFormatError) throw unauthenticated(error.message);
        throw error;
      }
    },
    healthNote() {
      const { failingSince, fetchedAt } = jwt.keySetStatus();
      if (failingSince === undefined) return undefined;
      const held =
        fetchedAt === undefined ? 'no key set held' : `key set of ${new Date(fetchedAt).toISOString()}`;
      return `identity JWKS unreachable since ${new Date(failingSince).toISOString()}; ${held}`;
    },
    close: async () => policies.dispose(),
  };
}
