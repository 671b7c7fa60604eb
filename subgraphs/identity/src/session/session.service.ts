import type { EntityManager } from '@mikro-orm/core';
import { errors } from '@atrium/platform/errors';
import type { AuditService } from '../audit/audit.service';
import type { Clock } from '../clock';
import type { IdentityConfig } from '../config';
import { randomToken, sha256Hex } from '../crypto/secrets';
import { callerIsAdmin, type IdentityRequest } from '../request';
import { requireActiveUser } from '../user/active-user';
import { User } from '../user/user.entity';
import { RefreshToken } from './refresh-token.entity';
import { Session } from './session.entity';

const DAY_MS = 86_400_000;
const INVALID_REFRESH = 'Invalid or expired refresh token';

/** How long after its exchange a refresh token is answered with CONFLICT instead of being treated as stolen. */
export const CONCURRENT_USE_GRACE_MS = 5_000;

export type RevokeReason =
  'sign_out' | 'revoked' | 'revoked_all' | 'password_changed' | 'user_disabled' | 'token_reuse';

export interface SessionServiceDeps {
  clock: Clock;
  config: Pick<IdentityConfig, 'refreshTokenTtlDays'>;
  audit: AuditService;
}

/** Sessions and their rotating refresh tokens: start, rotate, list, revoke, sign out. */
export class SessionService {
  constructor(private readonly deps: SessionServiceDeps) {}

  /** Starts a session for a user who just proved who they are; returns it with its first refresh token. */
  start(req: IdentityRequest, user: User): { session: Session; refreshToken: string } {
    const now = new Date(this.deps.clock.now());
    const session = req.em.create(Session, {
      userId: user.id,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.deps.config.refreshTokenTtlDays * DAY_MS),
      ip: req.clientIp?.slice(0, 64) ?? null,
      userAgent: req.userAgent?.slice(0, 256) ?? null,
    });
    return { session, refreshToken: issueRefreshToken(req.em, session, now) };
  }

  /**
   * Exchanges a refresh token for a new one of the same session. The old one is marked used by a
   * compare-and-set (`… WHERE used_at IS NULL`, one row affected), so of two concurrent exchanges exactly one
   * wins. The loser — or anyone presenting the token within CONCURRENT_USE_GRACE_MS of its exchange — gets
   * CONFLICT and nothing: two tabs refreshing at once must not sign their user out, and a thief racing the client
   * gains no token. Presenting it later is reuse: the whole session dies and the event is audited, because either
   * the client or a thief holds a copy.
   */
  async rotate(
    req: IdentityRequest,
    presented: string,
  ): Promise<{ session: Session; user: User; refreshToken: string }> {
    const { em } = req;
    const now = new Date(this.deps.clock.now());
    const token = await em.findOne(RefreshToken, { tokenHash: sha256Hex(presented) });
    if (!token) throw errors.UNAUTHENTICATED(INVALID_REFRESH);
    const session = await em.findOne(Session, { id: token.sessionId });
    if (!session) throw errors.UNAUTHENTICATED(INVALID_REFRESH);
    if (token.usedAt) {
      const justExchanged = now.getTime() - token.usedAt.getTime() < CONCURRENT_USE_GRACE_MS;
      if (justExchanged && !session.revokedAt) throw concurrentUse();
      return this.reuseDetected(req, session);
    }
    if (session.revokedAt || session.expiresAt <= now || token.expiresAt <= now)
      throw errors.UNAUTHENTICATED(INVALID_REFRESH);
    const user = await em.findOne(User, { id: session.userId });
    if (!user || user.disabled) throw errors.UNAUTHENTICATED(INVALID_REFRESH);
    const won = await em.nativeUpdate(RefreshToken, { id: token.id, usedAt: null }, { usedAt: now });
    if (won !== 1) throw concurrentUse();
    session.lastUsedAt = now;
    const refreshToken = issueRefreshToken(em, session, now);
    await em.flush();
    return { session, user, refreshToken };
  }

  private async reuseDetected(req: IdentityRequest, session: Session): Promise<never> {
    const revoked = await this.revokeWhere(req.em, { id: session.id }, 'token_reuse');
    this.deps.audit.record(req, {
      type: 'refresh_token.reused',
      actorId: null,
      targetUserId: session.userId,
      metadata: { sessionId: session.id, sessionWasActive: revoked > 0 },
    });
    await req.em.flush();
    throw errors.UNAUTHENTICATED(INVALID_REFRESH);
  }

  /** Revokes the matching live sessions in one statement; returns how many were live. */
  revokeWhere(
    em: EntityManager,
    where: { id?: string; userId?: string },
    reason: RevokeReason,
  ): Promise<number> {
    return em.nativeUpdate(
      Session,
      { ...where, revokedAt: null },
      { revokedAt: new Date(this.deps.clock.now()), revokedReason: reason },
    );
  }

  /** Ends the session a refresh token belongs to. Unknown or dead tokens answer false, never an error. */
  async signOut(req: IdentityRequest, presented: string): Promise<boolean> {
    const token = await req.em.findOne(RefreshToken, { tokenHash: sha256Hex(presented) });
    if (!token) return false;
    const session = await req.em.findOne(Session, { id: token.sessionId });
    if (!session) return false;
    const revoked = await this.revokeWhere(req.em, { id: session.id }, 'sign_out');
    if (revoked === 0) return false;
    this.deps.audit.record(req, {
      type: 'session.signed_out',
      actorId: session.userId,
      targetUserId: session.userId,
      metadata: { sessionId: session.id },
    });
    await req.em.flush();
    return true;
  }

  /** The caller's live sessions, newest first. */
  async listMine(req: IdentityRequest): Promise<Session[]> {
    const user = await requireActiveUser(req);
    return req.em.find(
      Session,
      { userId: user.id, revokedAt: null, expiresAt: { $gt: new Date(this.deps.clock.now()) } },
      { orderBy: { createdAt: 'desc', id: 'desc' } },
    );
  }

  /** Revokes one of the caller's sessions (an ADMIN may revoke anyone's); NOT_FOUND for any other id. */
  async revoke(req: IdentityRequest, id: string): Promise<boolean> {
    const session = await req.em.findOne(Session, { id });
    if (!session || (session.userId !== req.principal.userId && !callerIsAdmin(req.principal)))
      throw errors.NOT_FOUND('Session not found');
    const revoked = await this.revokeWhere(req.em, { id }, 'revoked');
    if (revoked > 0) {
      this.deps.audit.record(req, {
        type: 'session.revoked',
        targetUserId: session.userId,
        metadata: { sessionId: id },
      });
      await req.em.flush();
    }
    return true;
  }

  /** Revokes every live session of the caller, the current one included; returns how many there were. */
  async revokeAllMine(req: IdentityRequest): Promise<number> {
    const user = await requireActiveUser(req);
    const count = await this.revokeWhere(req.em, { userId: user.id }, 'revoked_all');
    this.deps.audit.record(req, { type: 'sessions.revoked_all', targetUserId: user.id, metadata: { count } });
    await req.em.flush();
    return count;
  }
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

function concurrentUse() {
  return errors.CONFLICT(
    'This refresh token was just exchanged by another request; use the tokens that request returned',
  );
}
