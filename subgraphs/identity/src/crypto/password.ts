import { hash, parseOptions, verify, type Algorithm } from '@node-rs/argon2';

/** Argon2id parameters: OWASP's minimum (19 MiB, 2 passes, 1 lane) unless configured higher. */
export interface Argon2Params {
  /** Memory in KiB; at least 19456 (19 MiB). */
  memoryCost: number;
  /** Passes over memory; at least 2. */
  timeCost: number;
}

export const MIN_ARGON2: Argon2Params = { memoryCost: 19_456, timeCost: 2 };
const ARGON2ID = 2 as Algorithm;
const PARALLELISM = 1;
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export interface PasswordCheck {
  ok: boolean;
  /** The stored hash uses other parameters than the current ones: store a fresh hash now that we know the password. */
  needsRehash: boolean;
}

/**
 * Argon2id password hashing in PHC strings (`$argon2id$v=19$m=…,t=…,p=1$salt$hash`). Work runs on libuv's
 * thread pool, so the event loop stays free while a hash is computed.
 */
export class PasswordHasher {
  private dummy: Promise<string> | undefined;

  constructor(private readonly params: Argon2Params = MIN_ARGON2) {
    if (params.memoryCost < MIN_ARGON2.memoryCost || params.timeCost < MIN_ARGON2.timeCost)
      throw new RangeError('Argon2id parameters below m=19456 KiB, t=2 are not allowed');
  }

  /** Computes the dummy hash now, so the first unknown-email sign-in is not slower than the others. */
  async prepare(): Promise<void> {
    await this.dummyHash();
  }

  hash(password: string): Promise<string> {
    return hash(password, {
      algorithm: ARGON2ID,
      memoryCost: this.params.memoryCost,
      timeCost: this.params.timeCost,
      parallelism: PARALLELISM,
    });
  }

  /**
   * Checks a password against a stored hash. Without a stored hash (unknown email, account without password)
   * the password is checked against a dummy hash of the current parameters, so the answer takes as long as a
   * real check and timing does not reveal which emails have accounts.
   */
  async verify(stored: string | null | undefined, password: string): Promise<PasswordCheck> {
    const target = stored || (await this.dummyHash());
    let ok = false;
    try {
      ok = await verify(target, password);
    } catch {
      ok = false;
    }
    if (!stored) return { ok: false, needsRehash: false };
    return { ok, needsRehash: ok && this.needsRehash(stored) };
  }

  needsRehash(stored: string): boolean {
    try {
      const parsed = parseOptions(stored);
      return (
        parsed.algorithm !== ARGON2ID ||
        parsed.memoryCost !== this.params.memoryCost ||
        parsed.timeCost !== this.params.timeCost ||
        parsed.parallelism !== PARALLELISM
      );
    } catch {
      return true;
    }
  }

  private dummyHash(): Promise<string> {
    return (this.dummy ??= this.hash(`dummy-${Math.random()}`));
  }
}
