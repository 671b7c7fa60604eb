import type { SqlEntityManager } from '@mikro-orm/knex';
import type { Principal } from '@atrium/platform/auth';
import type { Loader } from '@atrium/platform/dataloader';
import { errors } from '@atrium/platform/errors';
import type { Lock } from '@atrium/platform/lock';
import { clampFirst, decodeCursor, pageOf, rowsAfter } from '@atrium/platform/pagination';
import type { AuditService } from '../audit/audit.service';
import { accountKey, type CredentialThrottle } from '../auth/throttle';
import type { Clock } from '../clock';
import { assertNoProblems, badInput } from '../common/input-errors';
import type { PasswordHasher } from '../crypto/password';
import { callerId, callerIsAdmin, type IdentityRequest } from '../request';
import type { SessionService } from '../session/session.service';
import { requireActiveUser } from './active-user';
import { Role, rolesToText } from './role';
import { User } from './user.entity';
import type { UserConnection } from './user.types';
import { passwordProblems } from './validation';

// Role and disable changes are serialised across replicas, so two ADMINs demoting each other at the same
// moment cannot both pass the last-ADMIN check.
const ADMIN_GUARD_LOCK = 'identity:admin-guard';

export interface UserServiceDeps {
  clock: Clock;
  passwords: PasswordHasher;
  throttle: CredentialThrottle;
  lock: Lock;
  sessions: SessionService;
  audit: AuditService;
}

/**
 * Who may read an account — the user themself or an ADMIN; anyone else is refused whether or not the id exists —
 * for `user(id)` and for `_entities`.
 */
export function assertMayReadUser(principal: Principal, id: string): void {
  const self = callerId(principal);
  if (!self) throw errors.UNAUTHENTICATED('You must be signed in');
  if (id !== self && !callerIsAdmin(principal)) throw errors.FORBIDDEN('You may only read your own account');
}

/** Accounts: reading them, ADMIN changes to roles and status, and a user's own password. */
export class UserService {
  constructor(private readonly deps: UserServiceDeps) {}

  /** `user(id)` through the request's loader. */
  async findVisible(principal: Principal, users: Loader<string, User>, id: string): Promise<User | null> {
    assertMayReadUser(principal, id);
    return users.load(id);
  }

  /** `users`: oldest first, optionally filtered by a substring of the email or display name. */
  async list(
    req: IdentityRequest,
    args: { first?: number | null; after?: string | null; search?: string | null },
  ): Promise<UserConnection> {
    const first = clampFirst(args.first, 20);
    const search = (args.search ?? '')
      .replace(/[%_\\]/g, '')
      .trim()
      .slice(0, 100);
    const cursor = args.after ? decodeCursor(args.after) : undefined;
    const query = () => {
      const qb = (req.em as SqlEntityManager).createQueryBuilder(User, 'u');
      // lower() on both sides: PostgreSQL's LIKE is case-sensitive, SQLite's is not (for ASCII); this agrees on both.
      if (search) {
        const pattern = `%${search.toLowerCase()}%`;
        qb.where('(lower(u.email) like ? or lower(u.display_name) like ?)', [pattern, pattern]);
      }
      return qb;
    };
    const pageQuery = query()
      .orderBy({ createdAt: 'asc', id: 'asc' })
      .limit(first + 1);
    if (cursor) pageQuery.andWhere(rowsAfter('createdAt', cursor, 'asc'));
    const [rows, totalCount] = await Promise.all([pageQuery.getResultList(), query().getCount()]);
    return { ...pageOf(rows, first, (user) => ({ at: user.createdAt, id: user.id })), totalCount };
  }

  /** `setUserRoles` (ADMIN): replaces a user's roles; the last active ADMIN keeps theirs. */
  async setRoles(req: IdentityRequest, userId: string, roles: Role[]): Promise<User> {
    const unique = [...new Set(roles)];
    if (unique.length === 0) throw badInput([{ field: 'roles', message: 'must name at least one role' }]);
    return this.withAdminGuard(async () => {
      const user = await targetUser(req, userId);
      const before = user.roles;
      if (before.includes(Role.ADMIN) && !unique.includes(Role.ADMIN) && !user.disabled) {
        if ((await otherActiveAdmins(req, user.id)) === 0)
          throw errors.CONFLICT('The last ADMIN cannot lose the ADMIN role');
      }
      user.rolesText = rolesToText(unique);
      user.updatedAt = new Date(this.deps.clock.now());
      this.deps.audit.record(req, {
        type: 'user.roles_changed',
        targetUserId: user.id,
        metadata: { from: before, to: user.roles },
      });
      await req.em.flush();
      return user;
    });
  }

  /** `setUserDisabled` (ADMIN): disabling revokes every session at once; the last active ADMIN stays enabled. */
  async setDisabled(req: IdentityRequest, userId: string, disabled: boolean): Promise<User> {
    return this.withAdminGuard(async () => {
      const user = await targetUser(req, userId);
      if (disabled && !user.disabled && user.roles.includes(Role.ADMIN)) {
        if ((await otherActiveAdmins(req, user.id)) === 0)
          throw errors.CONFLICT('The last active ADMIN cannot be disabled');
      }
      if (user.disabled === disabled) return user;
      user.disabled = disabled;
      user.updatedAt = new Date(this.deps.clock.now());
      const revoked = disabled
        ? await this.deps.sessions.revokeWhere(req.em, { userId: user.id }, 'user_disabled')
        : 0;
      this.deps.audit.record(req, {
        type: disabled ? 'user.disabled' : 'user.enabled',
        targetUserId: user.id,
        metadata: disabled ? { sessionsRevoked: revoked } : undefined,
      });
      await req.em.flush();
      return user;
    });
  }

  /**
   * Changes the caller's password after checking the current one (throttled like sign-in). Every session of
   * the account is revoked, this one included: whoever else held a refresh token is out at once.
   */
  async changePassword(req: IdentityRequest, currentPassword: string, newPassword: string): Promise<boolean> {
    const { passwords } = this.deps;
    const user = await requireActiveUser(req);
    assertNoProblems(passwordProblems(newPassword, 'newPassword'));
    await this.deps.throttle.check([accountKey('signin', user.email)]);
    const check = await passwords.verify(user.passwordHash, currentPassword);
    if (!check.ok) throw badInput([{ field: 'currentPassword', message: 'is not your current password' }]);
    user.passwordHash = await passwords.hash(newPassword);
    user.updatedAt = new Date(this.deps.clock.now());
    const revoked = await this.deps.sessions.revokeWhere(req.em, { userId: user.id }, 'password_changed');
    this.deps.audit.record(req, {
      type: 'password.changed',
      targetUserId: user.id,
      metadata: { sessionsRevoked: revoked },
    });
    await req.em.flush();
    return true;
  }

  private async withAdminGuard<T>(fn: () => Promise<T>): Promise<T> {
    const result = await this.deps.lock.withLock(ADMIN_GUARD_LOCK, 10_000, async () => ({
      value: await fn(),
    }));
    if (!result) throw errors.CONFLICT('Another role change is in progress; try again');
    return result.value;
  }
}

function otherActiveAdmins(req: IdentityRequest, userId: string): Promise<number> {
  return req.em.count(User, { id: { $ne: userId }, disabled: false, rolesText: { $like: '%ADMIN%' } });
}

async function targetUser(req: IdentityRequest, userId: string): Promise<User> {
  const user = await req.em.findOne(User, { id: userId });
  if (!user) throw errors.NOT_FOUND('User not found');
  return user;
}
