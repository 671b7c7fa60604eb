import { errors } from '@atrium/platform/errors';
import type { AuditService } from '../audit/audit.service';
import { MfaChallengePayload, type AuthPayload } from '../auth/auth.types';
import type { AuthPayloads } from '../auth/payload';
import { accountKey, type CredentialThrottle } from '../auth/throttle';
import type { Clock } from '../clock';
import { randomToken, sha256Hex } from '../crypto/secrets';
import type { IdentityRequest } from '../request';
import { User } from '../user/user.entity';
import { MfaChallenge } from './mfa-challenge.entity';
import type { SecondFactors } from './second-factor';

const CHALLENGE_TTL_MS = 5 * 60_000;
const MAX_ATTEMPTS = 5;
const INVALID_CHALLENGE = 'Invalid or expired MFA challenge';

export interface MfaChallengeServiceDeps {
  clock: Clock;
  throttle: CredentialThrottle;
  factors: SecondFactors;
  payloads: AuthPayloads;
  audit: AuditService;
}

/** The second step of signing in to an account with MFA on. */
export class MfaChallengeService {
  constructor(private readonly deps: MfaChallengeServiceDeps) {}

  /** Opens a challenge after a correct password; the token is returned once and stored as a hash. */
  open(req: IdentityRequest, user: User): MfaChallengePayload {
    const token = `mfa_${randomToken(32)}`;
    const now = this.deps.clock.now();
    const expiresAt = new Date(now + CHALLENGE_TTL_MS);
    req.em.create(MfaChallenge, {
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
  async complete(req: IdentityRequest, challengeToken: string, code: string): Promise<AuthPayload> {
    const { em } = req;
    const { throttle, factors, audit } = this.deps;
    await throttle.check([throttle.ip(req, 'mfa')]);
    const now = new Date(this.deps.clock.now());
    const challenge = await em.findOne(MfaChallenge, { tokenHash: sha256Hex(challengeToken) });
    if (
      !challenge ||
      challenge.consumedAt ||
      challenge.expiresAt <= now ||
      challenge.attempts >= MAX_ATTEMPTS
    )
      throw errors.UNAUTHENTICATED(INVALID_CHALLENGE);
    const account = accountKey('mfa', challenge.userId);
    await throttle.check([account]);
    const user = await em.findOne(User, { id: challenge.userId });
    if (!user || !user.mfaEnabled) throw errors.UNAUTHENTICATED(INVALID_CHALLENGE);
    const method = await factors.accept(em, user, code);
    if (!method) {
      challenge.attempts += 1;
      audit.record(req, {
        type: 'signin.failed',
        actorId: null,
        targetUserId: user.id,
        metadata: { reason: 'invalid_mfa_code', attemptsLeft: MAX_ATTEMPTS - challenge.attempts },
      });
      await em.flush();
      throw errors.UNAUTHENTICATED('Invalid code');
    }
    const consumed = await em.nativeUpdate(
      MfaChallenge,
      { id: challenge.id, consumedAt: null },
      { consumedAt: now },
    );
    if (consumed !== 1) throw errors.UNAUTHENTICATED(INVALID_CHALLENGE);
    if (user.disabled) throw errors.FORBIDDEN('This account is disabled');
    await throttle.clear(account);
    if (method === 'recovery_code') {
      audit.record(req, {
        type: 'mfa.recovery_code_used',
        actorId: user.id,
        targetUserId: user.id,
        metadata: { remaining: await factors.remainingRecoveryCodes(em, user.id) },
      });
    }
    return this.deps.payloads.completeSignIn(req, user, method);
  }
}
