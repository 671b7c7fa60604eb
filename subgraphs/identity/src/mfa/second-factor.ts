import { randomBytes } from 'node:crypto';
import type { IdentityContext } from '../context';
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

/** Replaces the user's recovery codes with ten new ones; returns them in clear, once. */
export async function replaceRecoveryCodes(ctx: IdentityContext, userId: string): Promise<string[]> {
  await ctx.em.nativeDelete(RecoveryCode, { userId });
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
  const now = new Date(ctx.app.clock.now());
  for (const code of codes)
    ctx.em.create(RecoveryCode, { userId, codeHash: sha256Hex(normalizeRecoveryCode(code)), createdAt: now });
  return codes;
}

/**
 * A TOTP code against a sealed seed: matched within ±1 step and newer than the last step used, and that step
 * recorded by compare-and-set, so the same code — even sent twice at once — is accepted only once.
 */
export async function acceptTotp(
  ctx: IdentityContext,
  user: User,
  sealedSecret: string,
  code: string,
): Promise<boolean> {
  const secret = ctx.app.box.open(sealedSecret);
  const step = matchTotp(secret, code, {
    nowMs: ctx.app.clock.now(),
    lastUsedStep: user.totpLastStep ?? null,
  });
  if (step === null) return false;
  const updated = await ctx.em.nativeUpdate(
    User,
    { id: user.id, $or: [{ totpLastStep: null }, { totpLastStep: { $lt: step } }] },
    { totpLastStep: step },
  );
  return updated === 1;
}

/** Marks an unused recovery code used (compare-and-set); true when it was one of the user's unused codes. */
export async function acceptRecoveryCode(
  ctx: IdentityContext,
  userId: string,
  code: string,
): Promise<boolean> {
  const normalized = normalizeRecoveryCode(code);
  if (!/^[A-Z2-7]{12}$/.test(normalized)) return false;
  const row = await ctx.em.findOne(RecoveryCode, { userId, codeHash: sha256Hex(normalized), usedAt: null });
  if (!row) return false;
  const used = await ctx.em.nativeUpdate(
    RecoveryCode,
    { id: row.id, usedAt: null },
    { usedAt: new Date(ctx.app.clock.now()) },
  );
  return used === 1;
}

/** The second factor of an enrolled user: a 6-digit TOTP code or one of their recovery codes. */
export async function acceptSecondFactor(
  ctx: IdentityContext,
  user: User,
  code: string,
): Promise<'totp' | 'recovery_code' | null> {
  const trimmed = code.trim();
  if (/^\d{6}$/.test(trimmed)) {
    if (!user.totpSecret) return null;
    return (await acceptTotp(ctx, user, user.totpSecret, trimmed)) ? 'totp' : null;
  }
  return (await acceptRecoveryCode(ctx, user.id, trimmed)) ? 'recovery_code' : null;
}

export async function remainingRecoveryCodes(ctx: IdentityContext, userId: string): Promise<number> {
  return ctx.em.count(RecoveryCode, { userId, usedAt: null });
}
