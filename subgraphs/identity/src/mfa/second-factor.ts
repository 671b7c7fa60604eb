import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { Clock } from '../clock';
import type { SecretBox } from '../crypto/encryption';
import { sha256Hex } from '../crypto/secrets';
import { base32Encode, matchTotp } from '../crypto/totp';
import { User } from '../user/user.entity';
import { RecoveryCode } from './recovery-code.entity';

export const RECOVERY_CODE_COUNT = 10;

/** `XXXX-XXXX-XXXX`: 12 base32 characters (60 random bits), grouped for reading aloud or typing. */
export function generateRecoveryCode(): string {
  const raw = base32Encode(randomBytes(8)).slice(0, 12);
  return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8, 12)}`;
}

/** Dashes, spaces and case do not matter when a recovery code is typed back. */
export function normalizeRecoveryCode(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase();
}

export interface SecondFactorsDeps {
  clock: Clock;
  /** Opens the TOTP seeds sealed at rest. */
  box: SecretBox;
}

/** A user's second factors: their TOTP seed and their recovery codes, each code accepted once. */
export class SecondFactors {
  constructor(private readonly deps: SecondFactorsDeps) {}

  /** Replaces the user's recovery codes with ten new ones; returns them in clear, once. */
  async replaceRecoveryCodes(em: EntityManager, userId: string): Promise<string[]> {
    await em.nativeDelete(RecoveryCode, { userId });
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
    const now = new Date(this.deps.clock.now());
    for (const code of codes)
      em.create(RecoveryCode, { userId, codeHash: sha256Hex(normalizeRecoveryCode(code)), createdAt: now });
    return codes;
  }

  /**
   * A TOTP code against a sealed seed: matched within ±1 step and newer than the last step used, and that step
   * recorded by compare-and-set, so the same code — even sent twice at once — is accepted only once.
   */
  async acceptTotp(em: EntityManager, user: User, sealedSecret: string, code: string): Promise<boolean> {
    const secret = this.deps.box.open(sealedSecret);
    const step = matchTotp(secret, code, {
      nowMs: this.deps.clock.now(),
      lastUsedStep: user.totpLastStep ?? null,
    });
    if (step === null) return false;
    const updated = await em.nativeUpdate(
      User,
      { id: user.id, $or: [{ totpLastStep: null }, { totpLastStep: { $lt: step } }] },
      { totpLastStep: step },
    );
    return updated === 1;
  }

  /** Marks an unused recovery code used (compare-and-set); true when it was one of the user's unused codes. */
  async acceptRecoveryCode(em: EntityManager, userId: string, code: string): Promise<boolean> {
    const normalized = normalizeRecoveryCode(code);
    if (!/^[A-Z2-7]{12}$/.test(normalized)) return false;
    const row = await em.findOne(RecoveryCode, { userId, codeHash: sha256Hex(normalized), usedAt: null });
    if (!row) return false;
    const used = await em.nativeUpdate(
      RecoveryCode,
      { id: row.id, usedAt: null },
      { usedAt: new Date(this.deps.clock.now()) },
    );
    return used === 1;
  }

  /** The second factor of an enrolled user: a 6-digit TOTP code or one of their recovery codes. */
  async accept(em: EntityManager, user: User, code: string): Promise<'totp' | 'recovery_code' | null> {
    const trimmed = code.trim();
    if (/^\d{6}$/.test(trimmed)) {
      if (!user.totpSecret) return null;
      return (await this.acceptTotp(em, user, user.totpSecret, trimmed)) ? 'totp' : null;
    }
    return (await this.acceptRecoveryCode(em, user.id, trimmed)) ? 'recovery_code' : null;
  }

  remainingRecoveryCodes(em: EntityManager, userId: string): Promise<number> {
    return em.count(RecoveryCode, { userId, usedAt: null });
  }
}
