import { audit } from '../audit/audit.service';
import type { IdentityContext } from '../context';
import { startSession } from '../session/session.service';
import type { User } from '../user/user.entity';
import type { AuthPayload } from './auth.types';
import { authPayload } from './payload';

/** The end of every successful sign-in: a new session, the audit event, the tokens. */
export async function completeSignIn(
  ctx: IdentityContext,
  user: User,
  method: 'password' | 'totp' | 'recovery_code',
): Promise<AuthPayload> {
  user.lastSignInAt = new Date(ctx.app.clock.now());
  const { session, refreshToken } = startSession(ctx, user);
  audit(ctx, {
    type: 'signin.succeeded',
    actorId: user.id,
    targetUserId: user.id,
    metadata: { method, sessionId: session.id },
  });
  await ctx.em.flush();
  return authPayload(ctx, user, session, refreshToken);
}
