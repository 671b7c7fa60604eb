import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { errors } from '@atrium/platform/errors';
import type { AuditService } from '../audit/audit.service';
import type { Clock } from '../clock';
import { assertNoProblems, badInput } from '../common/input-errors';
import type { IdentityConfig } from '../config';
import type { PasswordHasher } from '../crypto/password';
import type { MfaChallengeService } from '../mfa/mfa-challenge.service';
import type { IdentityRequest } from '../request';
import type { SessionService } from '../session/session.service';
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
import type { AuthPayloads } from './payload';
import { accountKey, type CredentialThrottle } from './throttle';

const INVALID_CREDENTIALS = 'Invalid email or password';

export interface AuthServiceDeps {
  clock: Clock;
  config: Pick<IdentityConfig, 'adminEmails'>;
  passwords: PasswordHasher;
  throttle: CredentialThrottle;
  sessions: SessionService;
  challenges: MfaChallengeService;
  payloads: AuthPayloads;
  audit: AuditService;
}

/** Sign-up, password sign-in and refresh: the ways a caller proves who they are and gets tokens. */
export class AuthService {
  constructor(private readonly deps: AuthServiceDeps) {}

  /** Creates an account and signs it in. ATRIUM_ADMIN_EMAILS decides ADMIN; everyone else starts as MEMBER. */
  async signUp(req: IdentityRequest, input: SignUpInput): Promise<AuthPayload> {
    const { em } = req;
    const email = normalizeEmail(input.email);
    const displayName = normalizeDisplayName(input.displayName);
    assertNoProblems([
      ...emailProblems(email),
      ...passwordProblems(input.password),
      ...displayNameProblems(displayName),
    ]);
    await this.deps.throttle.check([this.deps.throttle.ip(req, 'signup')]);
    const now = new Date(this.deps.clock.now());
    const role = this.deps.config.adminEmails.includes(email) ? Role.ADMIN : Role.MEMBER;
    const user = em.create(User, {
      email,
      displayName,
      passwordHash: await this.deps.passwords.hash(input.password),
      rolesText: rolesToText([role]),
      createdAt: now,
      updatedAt: now,
      lastSignInAt: now,
    });
    const { session, refreshToken } = this.deps.sessions.start(req, user);
    this.deps.audit.record(req, {
      type: 'user.signed_up',
      actorId: user.id,
      targetUserId: user.id,
      metadata: { roles: [role] },
    });
    try {
      await em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException)
        throw errors.CONFLICT('An account with this email already exists', { field: 'email' });
      throw error;
    }
    return this.deps.payloads.of(user, session, refreshToken);
  }

  /**
   * Password sign-in. An unknown email and a wrong password get the same error after the same work (a hash is
   * verified either way), so neither the answer nor its timing reveals who has an account. Attempts are
   * throttled per IP and per account before any hash is computed.
   */
  async signIn(req: IdentityRequest, input: SignInInput): Promise<AuthPayload | MfaChallengePayload> {
    const { em } = req;
    const { throttle, audit, passwords } = this.deps;
    if (!isPlausiblePassword(input.password))
      throw badInput(passwordProblems(input.password).filter((problem) => /most/.test(problem.message)));
    const email = normalizeEmail(input.email);
    const account = accountKey('signin', email);
    await throttle.check([throttle.ip(req, 'signin'), account]);
    const user = await em.findOne(User, { email });
    const check = await passwords.verify(user?.passwordHash, input.password);
    if (!user || !check.ok) {
      audit.record(req, {
        type: 'signin.failed',
        actorId: null,
        targetUserId: user?.id ?? null,
        metadata: { reason: 'invalid_credentials' },
      });
      await em.flush();
      throw errors.UNAUTHENTICATED(INVALID_CREDENTIALS);
    }
    if (user.disabled) {
      audit.record(req, {
        type: 'signin.failed',
        actorId: null,
        targetUserId: user.id,
        metadata: { reason: 'disabled' },
      });
      await em.flush();
      throw errors.FORBIDDEN('This account is disabled');
    }
    await throttle.clear(account);
    if (check.needsRehash) user.passwordHash = await passwords.hash(input.password);
    if (user.mfaEnabled) {
      const challenge = this.deps.challenges.open(req, user);
      audit.record(req, { type: 'signin.mfa_required', actorId: null, targetUserId: user.id });
      await em.flush();
      return challenge;
    }
    return this.deps.payloads.completeSignIn(req, user, 'password');
  }

  /** Rotates a refresh token and returns fresh tokens with the user's current roles. */
  async refreshSession(req: IdentityRequest, refreshToken: string): Promise<AuthPayload> {
    const rotated = await this.deps.sessions.rotate(req, refreshToken);
    return this.deps.payloads.of(rotated.user, rotated.session, rotated.refreshToken);
  }
}
