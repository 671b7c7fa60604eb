import { errors } from '@atrium/platform/errors';
import type { AuditService } from '../audit/audit.service';
import { accountKey, type CredentialThrottle } from '../auth/throttle';
import type { Clock } from '../clock';
import { badInput } from '../common/input-errors';
import type { IdentityConfig } from '../config';
import type { SecretBox } from '../crypto/encryption';
import { generateTotpSecret, otpauthUri } from '../crypto/totp';
import type { IdentityRequest } from '../request';
import { requireActiveUser } from '../user/active-user';
import { RecoveryCode } from './recovery-code.entity';
import type { SecondFactors } from './second-factor';
import { TotpEnrollment } from './totp.types';

const INVALID_CODE = 'is not a valid code';

export interface TotpServiceDeps {
  clock: Clock;
  config: Pick<IdentityConfig, 'totpIssuer'>;
  /** Seals the TOTP seed at rest. */
  box: SecretBox;
  throttle: CredentialThrottle;
  factors: SecondFactors;
  audit: AuditService;
}

/** Turning TOTP on (start, confirm) and off for the signed-in user. */
export class TotpService {
  constructor(private readonly deps: TotpServiceDeps) {}

  /** Starts (or restarts) TOTP enrollment: a new seed, sealed at rest, and the URI for an authenticator app. */
  async startEnrollment(req: IdentityRequest): Promise<TotpEnrollment> {
    const user = await requireActiveUser(req);
    if (user.mfaEnabled) throw errors.CONFLICT('Two-factor authentication is already enabled');
    const secret = generateTotpSecret();
    user.pendingTotpSecret = this.deps.box.seal(secret);
    user.updatedAt = new Date(this.deps.clock.now());
    this.deps.audit.record(req, { type: 'mfa.enrollment_started', targetUserId: user.id });
    await req.em.flush();
    return Object.assign(new TotpEnrollment(), {
      secret,
      otpauthUri: otpauthUri({ issuer: this.deps.config.totpIssuer, account: user.email, secret }),
    });
  }

  /** Confirms enrollment with a first code; returns the ten recovery codes, shown this once. */
  async confirmEnrollment(req: IdentityRequest, code: string): Promise<string[]> {
    const { em } = req;
    const user = await requireActiveUser(req);
    const account = accountKey('mfa', user.id);
    await this.deps.throttle.check([account]);
    if (user.mfaEnabled) throw errors.CONFLICT('Two-factor authentication is already enabled');
    if (!user.pendingTotpSecret) throw errors.CONFLICT('No enrollment in progress: call startTotpEnrollment');
    if (!(await this.deps.factors.acceptTotp(em, user, user.pendingTotpSecret, code.trim())))
      throw badInput([{ field: 'code', message: INVALID_CODE }]);
    const now = new Date(this.deps.clock.now());
    user.totpSecret = user.pendingTotpSecret;
    user.pendingTotpSecret = null;
    user.mfaEnabledAt = now;
    user.updatedAt = now;
    const codes = await this.deps.factors.replaceRecoveryCodes(em, user.id);
    this.deps.audit.record(req, { type: 'mfa.enabled', targetUserId: user.id });
    await em.flush();
    await this.deps.throttle.clear(account);
    return codes;
  }

  /** Turns TOTP off after proving possession of the factor (a TOTP code or a recovery code). */
  async disable(req: IdentityRequest, code: string): Promise<boolean> {
    const { em } = req;
    const user = await requireActiveUser(req);
    await this.deps.throttle.check([accountKey('mfa', user.id)]);
    if (!user.mfaEnabled) throw errors.CONFLICT('Two-factor authentication is not enabled');
    const method = await this.deps.factors.accept(em, user, code);
    if (!method) throw badInput([{ field: 'code', message: INVALID_CODE }]);
    user.totpSecret = null;
    user.pendingTotpSecret = null;
    user.mfaEnabledAt = null;
    user.totpLastStep = null;
    user.updatedAt = new Date(this.deps.clock.now());
    await em.nativeDelete(RecoveryCode, { userId: user.id });
    this.deps.audit.record(req, { type: 'mfa.disabled', targetUserId: user.id, metadata: { method } });
    await em.flush();
    return true;
  }
}
