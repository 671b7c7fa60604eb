import { errors } from '@atrium/platform/errors';
import { audit } from '../audit/audit.service';
import { completeSignIn } from '../auth/complete-sign-in';
import { MfaChallengePayload, type AuthPayload } from '../auth/auth.types';
import { accountKey, clearThrottle, ipKey, throttle } from '../auth/throttle';
import type { IdentityContext } from '../context';
import { randomToken, sha256Hex } from '../crypto/secrets';
import { User } from '../user/user.entity';
import { MfaChallenge } from './mfa-challenge.entity';
import { acceptSecondFactor, remainingRecoveryCodes } from './second-factor';

const CHALLENGE_TTL_MS = 5 * 60_000;
const MAX_ATTEMPTS = 5;
const INVALID_CHALLENGE = 'Invalid or expired MFA challenge';

/** Opens a challenge after a correct password; the token is returned once and stored as a hash. */
export function createMfaChallenge(ctx: IdentityContext, user: User): MfaChallengePayload {
  const token = `mfa_${randomToken(32)}`;
  const now = ctx.app.clock.now();
  const expiresAt = new Date(now + CHALLENGE_TTL_MS);
  ctx.em.create(MfaChallenge, {
    userId: user.id,
    tokenHash: sha256Hex(token),
    createdAt: new Date(now),
    expiresAt,
  });
  return Object.assign(new MfaChallengePayload(), { challengeToken: token, expiresAt });
}

/**
 * Finishes an MFA sign-in with a TOTP code or a recovery code. Throttled per IP and per account; a challenge
 * allows 5 wrong codes, then it is dead and the user must sign in with the password again.
 */
export async function completeMfaSignIn(
  ctx: IdentityContext,
  challengeToken: string,
  code: string,
): Promise<AuthPayload> {
  await throttle(ctx.app.rateLimiter, [ipKey(ctx, 'mfa')]);
  const now = new Date(ctx.app.clock.now());
  const challenge = await ctx.em.findOne(MfaChallenge, { tokenHash: sha256Hex(challengeToken) });
  if (!challenge || challenge.consumedAt || challenge.expiresAt <= now || challenge.attempts >= MAX_ATTEMPTS)
    throw errors.UNAUTHENTICATED(INVALID_CHALLENGE);
  const account = accountKey('mfa', challenge.userId);
  await throttle(ctx.app.rateLimiter, [account]);
  const user = await ctx.em.findOne(User, { id: challenge.userId });
  if (!user || !user.mfaEnabled) throw errors.UNAUTHENTICATED(INVALID_CHALLENGE);
  const method = await acceptSecondFactor(ctx, user, code);
  if (!method) {
    challenge.attempts += 1;
    audit(ctx, {
      type: 'signin.failed',
      actorId: null,
      targetUserId: user.id,
      metadata: { reason: 'invalid_mfa_code', attemptsLeft: MAX_ATTEMPTS - challenge.attempts },
    });
    await ctx.em.flush();
    throw errors.UNAUTHENTICATED('Invalid code');
  }
  const consumed = await ctx.em.nativeUpdate(
    MfaChallenge,
    { id: challenge.id, consumedAt: null },
    { consumedAt: now },
  );
  if (consumed !== 1) throw errors.UNAUTHENTICATED(INVALID_CHALLENGE);
  if (user.disabled) throw errors.FORBIDDEN('This account is disabled');
  await clearThrottle(ctx.app.rateLimiter, account);
  if (method === 'recovery_code') {
    audit(ctx, {
      type: 'mfa.recovery_code_used',
      actorId: user.id,
      targetUserId: user.id,
      metadata: { remaining: await remainingRecoveryCodes(ctx, user.id) },
    });
  }
  return completeSignIn(ctx, user, method);
}
