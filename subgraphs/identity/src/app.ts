import type { EntityManager } from '@mikro-orm/core';
import type { Lock } from '@atrium/platform/lock';
import type { RateLimiter } from '@atrium/platform/rate-limit';
import type { SubgraphResources } from '@atrium/platform/server';
import { AuditCounts } from './audit/audit-counts';
import type { IdentityConfig } from './config';
import { SecretBox } from './crypto/encryption';
import { PasswordHasher } from './crypto/password';
import { embeddedKeyRing, keyRingFromConfig, type KeyRing } from './crypto/signing-keys';

/** Milliseconds since the epoch; tests of expiry replace `now`. */
export interface Clock {
  now(): number;
}

/**
 * Everything identity's use cases share, built once per process from the opened resources: configuration, key
 * material, the password hasher, the clock and the shared limiter and lock. Resolvers reach it as `ctx.app`.
 */
export interface IdentityApp {
  readonly resources: SubgraphResources;
  readonly config: IdentityConfig;
  readonly keys: KeyRing;
  readonly passwords: PasswordHasher;
  /** Seals TOTP seeds at rest. */
  readonly box: SecretBox;
  readonly clock: Clock;
  readonly rateLimiter: RateLimiter;
  readonly lock: Lock;
  /** Audit events recorded by type, for monitoring and metrics. */
  readonly audits: AuditCounts;
  /** A fresh entity manager (routes outside GraphQL; resolvers use the context's). */
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
  const keys = config.signingKeys
    ? await keyRingFromConfig(config.signingKeys)
    : await embeddedKeyRing(config.dataDir);
  const passwords = new PasswordHasher(config.argon2);
  await passwords.prepare();
  return {
    resources,
    config,
    keys,
    passwords,
    box: new SecretBox(config.encryptionKey),
    clock: options.clock ?? { now: () => Date.now() },
    rateLimiter: resources.infra.rateLimiter,
    lock: resources.infra.lock,
    audits: new AuditCounts(),
    fork: () => resources.db.fork(),
  };
}
