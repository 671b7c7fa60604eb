import { errors } from '@atrium/platform/errors';
import { audit } from '../audit/audit.service';
import { accountKey, clearThrottle, throttle } from '../auth/throttle';
import { badInput } from '../common/input-errors';
import type { IdentityContext } from '../context';
import { generateTotpSecret, otpauthUri } from '../crypto/totp';
import type { User } from '../user/user.entity';
import { requireActiveUser } from '../user/user.service';
import { RecoveryCode } from './recovery-code.entity';
import { acceptSecondFactor, acceptTotp, replaceRecoveryCodes } from './second-factor';
import { TotpEnrollment } from './totp.types';

const INVALID_CODE = 'is not a valid code';

/** Starts (or restarts) TOTP enrollment: a new seed, sealed at rest, and the URI for an authenticator app. */
export async function startTotpEnrollment(ctx: IdentityContext): Promise<TotpEnrollment> {
  const user = await requireActiveUser(ctx);
  if (user.mfaEnabled) throw errors.CONFLICT('Two-factor authentication is already enabled');
  const secret = generateTotpSecret();
  user.pendingTotpSecret = ctx.app.box.seal(secret);
  user.updatedAt = new Date(ctx.app.clock.now());
  audit(ctx, { type: 'mfa.enrollment_started', targetUserId: user.id });
  await ctx.em.flush();
  return Object.assign(new TotpEnrollment(), {
    secret,
    otpauthUri: otpauthUri({ issuer: ctx.app.config.totpIssuer, account: user.email, secret }),
  });
}

/** Confirms enrollment with a first code; returns the ten recovery codes, shown this once. */
export async function confirmTotpEnrollment(ctx: IdentityContext, code: string): Promise<string[]> {
  const user = await requireActiveUser(ctx);
  const account = accountKey('mfa', user.id);
  await throttle(ctx.app.rateLimiter, [account]);
  if (user.mfaEnabled) throw errors.CONFLICT('Two-factor authentication is already enabled');
  if (!user.pendingTotpSecret) throw errors.CONFLICT('No enrollment in progress: call startTotpEnrollment');
  if (!(await acceptTotp(ctx, user, user.pendingTotpSecret, code.trim())))
    throw badInput([{ field: 'code', message: INVALID_CODE }]);
  const now = new Date(ctx.app.clock.now());
  user.totpSecret = user.pendingTotpSecret;
  user.pendingTotpSecret = null;
  user.mfaEnabledAt = now;
  user.updatedAt = now;
  const codes = await replaceRecoveryCodes(ctx, user.id);
  audit(ctx, { type: 'mfa.enabled', targetUserId: user.id });
  await ctx.em.flush();
  await clearThrottle(ctx.app.rateLimiter, account);
  return codes;
}

/** Turns TOTP off after proving possession of the factor (a TOTP code or a recovery code). */
export async function disableTotp(ctx: IdentityContext, code: string): Promise<boolean> {
  const user: User = await requireActiveUser(ctx);
  await throttle(ctx.app.rateLimiter, [accountKey('mfa', user.id)]);
  if (!user.mfaEnabled) throw errors.CONFLICT('Two-factor authentication is not enabled');
  const method = await acceptSecondFactor(ctx, user, code);
  if (!method) throw badInput([{ field: 'code', message: INVALID_CODE }]);
  user.totpSecret = null;
  user.pendingTotpSecret = null;
  user.mfaEnabledAt = null;
  user.totpLastStep = null;
  user.updatedAt = new Date(ctx.app.clock.now());
  await ctx.em.nativeDelete(RecoveryCode, { userId: user.id });
  audit(ctx, { type: 'mfa.disabled', targetUserId: user.id, metadata: { method } });
  await ctx.em.flush();
  return true;
}
