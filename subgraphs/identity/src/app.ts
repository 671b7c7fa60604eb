import type { EntityManager } from '@mikro-orm/core';
import type { SubgraphResources } from '@atrium/platform/server';
import { ApiKeyService } from './api-key/api-key.service';
import { AuditCounts } from './audit/audit-counts';
import { AuditService } from './audit/audit.service';
import { AuthService } from './auth/auth.service';
import { AuthPayloads } from './auth/payload';
import { CredentialThrottle } from './auth/throttle';
import { systemClock, type Clock } from './clock';
import type { IdentityConfig } from './config';
import { SecretBox } from './crypto/encryption';
import { PasswordHasher } from './crypto/password';
import { embeddedKeyRing, keyRingFromConfig, type KeyRing } from './crypto/signing-keys';
import { MfaChallengeService } from './mfa/mfa-challenge.service';
import { SecondFactors } from './mfa/second-factor';
import { TotpService } from './mfa/totp.service';
import { SessionService } from './session/session.service';
import { UserService } from './user/user.service';

export type { Clock } from './clock';

/**
 * Identity's services, built once per process from the opened resources with their dependencies passed
 * explicitly. Resolvers reach it as `ctx.app` and call one method with the request's part (`ctx.request`: its
 * entity manager, principal, client address); the JWKS and API-key routes use the keys and `fork`.
 */
export interface IdentityApp {
  readonly resources: SubgraphResources;
  readonly config: IdentityConfig;
  readonly keys: KeyRing;
  /** Shared by every service: tests of expiry move `now`. */
  readonly clock: Clock;
  /** Audit events recorded by type, for monitoring and metrics. */
  readonly audits: AuditCounts;
  readonly audit: AuditService;
  readonly auth: AuthService;
  readonly challenges: MfaChallengeService;
  readonly sessions: SessionService;
  readonly totp: TotpService;
  readonly users: UserService;
  readonly apiKeys: ApiKeyService;
  /** A fresh entity manager (routes outside GraphQL; resolvers use the request's). */
  fork(): EntityManager;
}

/**
 * Loads the signing keys (configured, or the embedded key file) and prepares the hasher before anything
 * listens, so a bad key fails the start.
 */
export async function createIdentityApp(
  resources: SubgraphResources,
  config: IdentityConfig,
  options: { clock?: Clock } = {},
): Promise<IdentityApp> {
  const { infra } = resources;
  const keys = config.signingKeys
    ? await keyRingFromConfig(config.signingKeys)
    : await embeddedKeyRing(config.dataDir);
  const passwords = new PasswordHasher(config.argon2);
  await passwords.prepare();
  const clock = options.clock ?? { ...systemClock };
  const box = new SecretBox(config.encryptionKey);
  const throttle = new CredentialThrottle(infra.rateLimiter, config.ipAttemptsPerMinute);
  const audits = new AuditCounts();
  const audit = new AuditService({ clock, counts: audits });
  const sessions = new SessionService({ clock, config, audit });
  const payloads = new AuthPayloads({ clock, config, keys, sessions, audit });
  const factors = new SecondFactors({ clock, box });
  const challenges = new MfaChallengeService({ clock, throttle, factors, payloads, audit });
  return {
    resources,
    config,
    keys,
    clock,
    audits,
    audit,
    auth: new AuthService({ clock, config, passwords, throttle, sessions, challenges, payloads, audit }),
    challenges,
    sessions,
    totp: new TotpService({ clock, config, box, throttle, factors, audit }),
    users: new UserService({ clock, passwords, throttle, lock: infra.lock, sessions, audit }),
    apiKeys: new ApiKeyService({ clock, audit }),
    fork: () => resources.db.fork(),
  };
}
