import type { AuditService } from '../audit/audit.service';
import type { Clock } from '../clock';
import type { IdentityConfig } from '../config';
import type { KeyRing } from '../crypto/signing-keys';
import type { IdentityRequest } from '../request';
import type { Session } from '../session/session.entity';
import type { SessionService } from '../session/session.service';
import type { User } from '../user/user.entity';
import { issueAccessToken } from './access-token';
import { AuthPayload } from './auth.types';

export interface AuthPayloadsDeps {
  clock: Clock;
  config: Pick<IdentityConfig, 'accessTokenTtlSeconds' | 'issuer' | 'audience'>;
  keys: KeyRing;
  sessions: SessionService;
  audit: AuditService;
}

/** Turns a proven identity into tokens: the end of signUp, of every successful sign-in and of every refresh. */
export class AuthPayloads {
  constructor(private readonly deps: AuthPayloadsDeps) {}

  /** The AuthPayload of a session: a fresh access token beside its refresh token. */
  async of(user: User, session: Session, refreshToken: string): Promise<AuthPayload> {
    const { token, expiresAt } = await issueAccessToken(this.deps, {
      userId: user.id,
      sessionId: session.id,
      roles: user.roles,
    });
    return Object.assign(new AuthPayload(), {
      accessToken: token,
      refreshToken,
      accessTokenExpiresAt: expiresAt,
      user,
    });
  }

  /** The end of every successful sign-in: a new session, the audit event, the tokens. */
  async completeSignIn(
    req: IdentityRequest,
    user: User,
    method: 'password' | 'totp' | 'recovery_code',
  ): Promise<AuthPayload> {
    user.lastSignInAt = new Date(this.deps.clock.now());
    const { session, refreshToken } = this.deps.sessions.start(req, user);
    this.deps.audit.record(req, {
      type: 'signin.succeeded',
      actorId: user.id,
      targetUserId: user.id,
      metadata: { method, sessionId: session.id },
    });
    await req.em.flush();
    return this.of(user, session, refreshToken);
  }
}
