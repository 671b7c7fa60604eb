import type { IdentityConfig } from './config';
import type { KeyRing } from './crypto/signing-keys';
import type { PasswordHasher } from './crypto/password';
import type { SecretBox } from './crypto/encryption';

/** What every request of the identity subgraph shares: configuration and key material, built once at start. */
export interface IdentityDeps {
  config: IdentityConfig;
  keys: KeyRing;
  passwords: PasswordHasher;
  /** Seals TOTP seeds at rest. */
  box: SecretBox;
  /** Milliseconds since the epoch; tests of expiry move it. */
  now: () => number;
}
