import type { IdentityContext } from '../context';
import type { Session } from '../session/session.entity';
import type { User } from '../user/user.entity';
import { issueAccessToken } from './access-token';
import { AuthPayload } from './auth.types';

/** The AuthPayload of a session; marks the user as authenticated for the rest of this request. */
export async function authPayload(
  ctx: IdentityContext,
  user: User,
  session: Session,
  refreshToken: string,
): Promise<AuthPayload> {
  const { token, expiresAt } = await issueAccessToken(ctx.app, {
    userId: user.id,
    sessionId: session.id,
    roles: user.roles,
  });
  ctx.authenticatedUserId = user.id;
  return Object.assign(new AuthPayload(), {
    accessToken: token,
    refreshToken,
    accessTokenExpiresAt: expiresAt,
    user,
  });
}
