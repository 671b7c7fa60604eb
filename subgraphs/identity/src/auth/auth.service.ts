import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { errors } from '@atrium/platform/errors';
import { audit } from '../audit/audit.service';
import { assertNoProblems, badInput } from '../common/input-errors';
import type { IdentityContext } from '../context';
import { createMfaChallenge } from '../mfa/mfa-challenge.service';
import { rotateRefreshToken, startSession } from '../session/session.service';
import { Role, rolesToText } from '../user/role';
import { User } from '../user/user.entity';
import {
  displayNameProblems,
  emailProblems,
  isPlausiblePassword,
  normalizeDisplayName,
  normalizeEmail,
  passwordProblems,
} from '../user/validation';
import type { AuthPayload, MfaChallengePayload, SignInInput, SignUpInput } from './auth.types';
import { authPayload } from './payload';
import { accountKey, clearThrottle, ipKey, throttle } from './throttle';
import { completeSignIn } from './complete-sign-in';

const INVALID_CREDENTIALS = 'Invalid email or password';

/** Creates an account and signs it in. ATRIUM_ADMIN_EMAILS decides ADMIN; everyone else starts as MEMBER. */
export async function signUp(ctx: IdentityContext, input: SignUpInput): Promise<AuthPayload> {
  const email = normalizeEmail(input.email);
  const displayName = normalizeDisplayName(input.displayName);
  assertNoProblems([
    ...emailProblems(email),
    ...passwordProblems(input.password),
    ...displayNameProblems(displayName),
  ]);
  await throttle(ctx.app.rateLimiter, [ipKey(ctx, 'signup')]);
  const now = new Date(ctx.app.clock.now());
  const role = ctx.app.config.adminEmails.includes(email) ? Role.ADMIN : Role.MEMBER;
  const user = ctx.em.create(User, {
    email,
    displayName,
    passwordHash: await ctx.app.passwords.hash(input.password),
    rolesText: rolesToText([role]),
    createdAt: now,
    updatedAt: now,
    lastSignInAt: now,
  });
  const { session, refreshToken } = startSession(ctx, user);
  audit(ctx, {
    type: 'user.signed_up',
    actorId: user.id,
    targetUserId: user.id,
    metadata: { roles: [role] },
  });
  try {
    await ctx.em.flush();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException)
      throw errors.CONFLICT('An account with this email already exists', { field: 'email' });
    throw error;
  }
  return authPayload(ctx, user, session, refreshToken);
}

/**
 * Password sign-in. An unknown email and a wrong password get the same error after the same work (a hash is
 * verified either way), so neither the answer nor its timing reveals who has an account. Attempts are
 * throttled per IP and per account before any hash is computed.
 */
export async function signIn(
  ctx: IdentityContext,
  input: SignInInput,
): Promise<AuthPayload | MfaChallengePayload> {
  if (!isPlausiblePassword(input.password))
    throw badInput(passwordProblems(input.password).filter((problem) => /most/.test(problem.message)));
  const email = normalizeEmail(input.email);
  const account = accountKey('signin', email);
  await throttle(ctx.app.rateLimiter, [ipKey(ctx, 'signin'), account]);
  const user = await ctx.em.findOne(User, { email });
  const check = await ctx.app.passwords.verify(user?.passwordHash, input.password);
  if (!user || !check.ok) {
    audit(ctx, {
      type: 'signin.failed',
      actorId: null,
      targetUserId: user?.id ?? null,
      metadata: { reason: 'invalid_credentials' },
    });
    await ctx.em.flush();
    throw errors.UNAUTHENTICATED(INVALID_CREDENTIALS);
  }
  if (user.disabled) {
    audit(ctx, {
      type: 'signin.failed',
      actorId: null,
      targetUserId: user.id,
      metadata: { reason: 'disabled' },
    });
    await ctx.em.flush();
    throw errors.FORBIDDEN('This account is disabled');
  }
  await clearThrottle(ctx.app.rateLimiter, account);
  if (check.needsRehash) user.passwordHash = await ctx.app.passwords.hash(input.password);
  if (user.mfaEnabled) {
    const challenge = createMfaChallenge(ctx, user);
    audit(ctx, { type: 'signin.mfa_required', actorId: null, targetUserId: user.id });
    await ctx.em.flush();
    return challenge;
  }
  return completeSignIn(ctx, user, 'password');
}

/** Rotates a refresh token and returns fresh tokens with the user's current roles. */
export async function refreshSession(ctx: IdentityContext, refreshToken: string): Promise<AuthPayload> {
  const rotated = await rotateRefreshToken(ctx, refreshToken);
  return authPayload(ctx, rotated.user, rotated.session, rotated.refreshToken);
}
