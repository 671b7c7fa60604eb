import type { EntityManager } from '@mikro-orm/core';
import { errors } from '@atrium/platform/errors';
import { audit } from '../audit/audit.service';
import type { IdentityContext } from '../context';
import { randomToken, sha256Hex } from '../crypto/secrets';
import { User } from '../user/user.entity';
import { RefreshToken } from './refresh-token.entity';
import { Session } from './session.entity';

const DAY_MS = 86_400_000;
const INVALID_REFRESH = 'Invalid or expired refresh token';

export type RevokeReason =
  'sign_out' | 'revoked' | 'revoked_all' | 'password_changed' | 'user_disabled' | 'token_reuse';

/** Starts a session for a user who just proved who they are; returns it with its first refresh token. */
export function startSession(ctx: IdentityContext, user: User): { session: Session; refreshToken: string } {
  const now = new Date(ctx.app.clock.now());
  const session = ctx.em.create(Session, {
    userId: user.id,
    createdAt: now,
    expiresAt: new Date(now.getTime() + ctx.app.config.refreshTokenTtlDays * DAY_MS),
    ip: ctx.clientIp?.slice(0, 64) ?? null,
    userAgent: ctx.userAgent?.slice(0, 256) ?? null,
  });
  return { session, refreshToken: issueRefreshToken(ctx.em, session, now) };
}

function issueRefreshToken(em: EntityManager, session: Session, now: Date): string {
  const token = randomToken(32);
  em.create(RefreshToken, {
    sessionId: session.id,
    tokenHash: sha256Hex(token),
    createdAt: now,
    expiresAt: session.expiresAt,
  });
  return token;
}

/**
 * Exchanges a refresh token for a new one of the same session. The old one is marked used by a
 * compare-and-set (`… WHERE used_at IS NULL`, one row affected), so of two concurrent exchanges exactly one
 * wins. The loser — or anyone presenting the token within CONCURRENT_USE_GRACE_MS of its exchange — gets CONFLICT
 * and nothing: two tabs refreshing at once must not sign their user out, and a thief racing the client gains no
 * token. Presenting it later is reuse: the whole session dies and the event is audited, because either the client
 * or a thief holds a copy.
 */
export async function rotateRefreshToken(
  ctx: IdentityContext,
  presented: string,
): Promise<{ session: Session; user: User; refreshToken: string }> {
  const now = new Date(ctx.app.clock.now());
  const token = await ctx.em.findOne(RefreshToken, { tokenHash: sha256Hex(presented) });
  if (!token) throw errors.UNAUTHENTICATED(INVALID_REFRESH);
  const session = await ctx.em.findOne(Session, { id: token.sessionId });
  if (!session) throw errors.UNAUTHENTICATED(INVALID_REFRESH);
  if (token.usedAt) {
    const justExchanged = now.getTime() - token.usedAt.getTime() < CONCURRENT_USE_GRACE_MS;
    if (justExchanged && !session.revokedAt) throw concurrentUse();
    return reuseDetected(ctx, session);
  }
  if (session.revokedAt || session.expiresAt <= now || token.expiresAt <= now)
    throw errors.UNAUTHENTICATED(INVALID_REFRESH);
  const user = await ctx.em.findOne(User, { id: session.userId });
  if (!user || user.disabled) throw errors.UNAUTHENTICATED(INVALID_REFRESH);
  const won = await ctx.em.nativeUpdate(RefreshToken, { id: token.id, usedAt: null }, { usedAt: now });
  if (won !== 1) throw concurrentUse();
  session.lastUsedAt = now;
  const refreshToken = issueRefreshToken(ctx.em, session, now);
  await ctx.em.flush();
  return { session, user, refreshToken };
}

/** How long after its exchange a refresh token is answered with CONFLICT instead of being treated as stolen. */
export const CONCURRENT_USE_GRACE_MS = 5_000;

function concurrentUse() {
  return errors.CONFLICT(
    'This refresh token was just exchanged by another request; use the tokens that request returned',
  );
}

async function reuseDetected(ctx: IdentityContext, session: Session): Promise<never> {
  const revoked = await revokeSessions(ctx, { id: session.id }, 'token_reuse');
  audit(ctx, {
    type: 'refresh_token.reused',
    actorId: null,
    targetUserId: session.userId,
    metadata: { sessionId: session.id, sessionWasActive: revoked > 0 },
  });
  await ctx.em.flush();
  throw errors.UNAUTHENTICATED(INVALID_REFRESH);
}

/** Revokes the matching live sessions in one statement; returns how many were live. */
export async function revokeSessions(
  ctx: IdentityContext,
  where: { id?: string; userId?: string },
  reason: RevokeReason,
): Promise<number> {
  return ctx.em.nativeUpdate(
    Session,
    { ...where, revokedAt: null },
    { revokedAt: new Date(ctx.app.clock.now()), revokedReason: reason },
  );
}

/** Ends the session a refresh token belongs to. Unknown or dead tokens answer false, never an error. */
export async function signOut(ctx: IdentityContext, presented: string): Promise<boolean> {
  const token = await ctx.em.findOne(RefreshToken, { tokenHash: sha256Hex(presented) });
  if (!token) return false;
  const session = await ctx.em.findOne(Session, { id: token.sessionId });
  if (!session) return false;
  const revoked = await revokeSessions(ctx, { id: session.id }, 'sign_out');
  if (revoked === 0) return false;
  audit(ctx, {
    type: 'session.signed_out',
    actorId: session.userId,
    targetUserId: session.userId,
    metadata: { sessionId: session.id },
  });
  await ctx.em.flush();
  return true;
}

/** The caller's live sessions, newest first. */
export function listSessions(ctx: IdentityContext, userId: string): Promise<Session[]> {
  return ctx.em.find(
    Session,
    { userId, revokedAt: null, expiresAt: { $gt: new Date(ctx.app.clock.now()) } },
    { orderBy: { createdAt: 'desc', id: 'desc' } },
  );
}

/** Revokes one of the caller's sessions (an ADMIN may revoke anyone's); NOT_FOUND for any other id. */
export async function revokeSession(ctx: IdentityContext, id: string): Promise<boolean> {
  const session = await ctx.em.findOne(Session, { id });
  const isAdmin = ctx.principal.roles.includes('ADMIN');
  if (!session || (session.userId !== ctx.principal.userId && !isAdmin))
    throw errors.NOT_FOUND('Session not found');
  const revoked = await revokeSessions(ctx, { id }, 'revoked');
  if (revoked > 0) {
    audit(ctx, { type: 'session.revoked', targetUserId: session.userId, metadata: { sessionId: id } });
    await ctx.em.flush();
  }
  return true;
}

/** Revokes every live session of the caller, the current one included; returns how many there were. */
export async function revokeAllSessions(ctx: IdentityContext, userId: string): Promise<number> {
  const count = await revokeSessions(ctx, { userId }, 'revoked_all');
  audit(ctx, { type: 'sessions.revoked_all', targetUserId: userId, metadata: { count } });
  await ctx.em.flush();
  return count;
}
