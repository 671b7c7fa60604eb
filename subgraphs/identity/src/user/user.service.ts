import type { SqlEntityManager } from '@mikro-orm/knex';
import { errors } from '@atrium/platform/errors';
import { audit } from '../audit/audit.service';
import { accountKey, throttle } from '../auth/throttle';
import { assertNoProblems, badInput } from '../common/input-errors';
import { clampFirst, decodeCursor, encodeCursor } from '@atrium/platform/pagination';
import { callerId, callerIsAdmin, type IdentityContext } from '../context';
import { revokeSessions } from '../session/session.service';
import { Role, rolesToText } from './role';
import { User } from './user.entity';
import type { UserConnection } from './user.types';
import { passwordProblems } from './validation';

/** The caller's own account; UNAUTHENTICATED when it is gone or disabled (its access token may still be live). */
export async function requireActiveUser(ctx: IdentityContext): Promise<User> {
  const id = callerId(ctx);
  const user = id ? await ctx.em.findOne(User, { id }) : null;
  if (!user || user.disabled) throw errors.UNAUTHENTICATED('This account is not active');
  return user;
}

/** `user(id)`: the caller themself or an ADMIN; anyone else is refused whether or not the id exists. */
export async function findVisibleUser(ctx: IdentityContext, id: string): Promise<User | null> {
  if (id !== callerId(ctx) && !callerIsAdmin(ctx))
    throw errors.FORBIDDEN('You may only read your own account');
  return ctx.loaders.user.load(id);
}

type UserCursor = { c: string; i: string };
const isUserCursor = (value: unknown): value is UserCursor =>
  typeof (value as UserCursor)?.c === 'string' &&
  typeof (value as UserCursor)?.i === 'string' &&
  !Number.isNaN(Date.parse((value as UserCursor).c));

/** `users`: oldest first, optionally filtered by a substring of the email or display name. */
export async function listUsers(
  ctx: IdentityContext,
  args: { first?: number | null; after?: string | null; search?: string | null },
): Promise<UserConnection> {
  const first = clampFirst(args.first, 20);
  const search = (args.search ?? '')
    .replace(/[%_\\]/g, '')
    .trim()
    .slice(0, 100);
  const cursor = args.after ? decodeCursor(args.after, isUserCursor) : undefined;
  const query = () => {
    const qb = (ctx.em as SqlEntityManager).createQueryBuilder(User, 'u');
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
  if (cursor) {
    pageQuery.andWhere({
      $or: [
        { createdAt: { $gt: new Date(cursor.c) } },
        { createdAt: new Date(cursor.c), id: { $gt: cursor.i } },
      ],
    });
  }
  const [rows, totalCount] = await Promise.all([pageQuery.getResultList(), query().getCount()]);
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({
    cursor: encodeCursor({ c: node.createdAt.toISOString(), i: node.id }),
    node,
  }));
  return {
    edges,
    totalCount,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

// Role and disable changes are serialised across replicas, so two ADMINs demoting each other at the same
// moment cannot both pass the last-ADMIN check.
const ADMIN_GUARD_LOCK = 'identity:admin-guard';

async function withAdminGuard<T>(ctx: IdentityContext, fn: () => Promise<T>): Promise<T> {
  const result = await ctx.app.lock.withLock(ADMIN_GUARD_LOCK, 10_000, async () => ({ value: await fn() }));
  if (!result) throw errors.CONFLICT('Another role change is in progress; try again');
  return result.value;
}

async function otherActiveAdmins(ctx: IdentityContext, userId: string): Promise<number> {
  return ctx.em.count(User, { id: { $ne: userId }, disabled: false, rolesText: { $like: '%ADMIN%' } });
}

async function targetUser(ctx: IdentityContext, userId: string): Promise<User> {
  const user = await ctx.em.findOne(User, { id: userId });
  if (!user) throw errors.NOT_FOUND('User not found');
  return user;
}

/** `setUserRoles` (ADMIN): replaces a user's roles; the last active ADMIN keeps theirs. */
export async function setUserRoles(ctx: IdentityContext, userId: string, roles: Role[]): Promise<User> {
  const unique = [...new Set(roles)];
  if (unique.length === 0) throw badInput([{ field: 'roles', message: 'must name at least one role' }]);
  return withAdminGuard(ctx, async () => {
    const user = await targetUser(ctx, userId);
    const before = user.roles;
    if (before.includes(Role.ADMIN) && !unique.includes(Role.ADMIN) && !user.disabled) {
      if ((await otherActiveAdmins(ctx, user.id)) === 0)
        throw errors.CONFLICT('The last ADMIN cannot lose the ADMIN role');
    }
    user.rolesText = rolesToText(unique);
    user.updatedAt = new Date(ctx.app.clock.now());
    audit(ctx, {
      type: 'user.roles_changed',
      targetUserId: user.id,
      metadata: { from: before, to: user.roles },
    });
    await ctx.em.flush();
    return user;
  });
}

/** `setUserDisabled` (ADMIN): disabling revokes every session at once; the last active ADMIN stays enabled. */
export async function setUserDisabled(
  ctx: IdentityContext,
  userId: string,
  disabled: boolean,
): Promise<User> {
  return withAdminGuard(ctx, async () => {
    const user = await targetUser(ctx, userId);
    if (disabled && !user.disabled && user.roles.includes(Role.ADMIN)) {
      if ((await otherActiveAdmins(ctx, user.id)) === 0)
        throw errors.CONFLICT('The last active ADMIN cannot be disabled');
    }
    if (user.disabled === disabled) return user;
    user.disabled = disabled;
    user.updatedAt = new Date(ctx.app.clock.now());
    const revoked = disabled ? await revokeSessions(ctx, { userId: user.id }, 'user_disabled') : 0;
    audit(ctx, {
      type: disabled ? 'user.disabled' : 'user.enabled',
      targetUserId: user.id,
      metadata: disabled ? { sessionsRevoked: revoked } : undefined,
    });
    await ctx.em.flush();
    return user;
  });
}

/**
 * Changes the caller's password after checking the current one (throttled like sign-in). Every session of
 * the account is revoked, this one included: whoever else held a refresh token is out at once.
 */
export async function changePassword(
  ctx: IdentityContext,
  currentPassword: string,
  newPassword: string,
): Promise<boolean> {
  const user = await requireActiveUser(ctx);
  assertNoProblems(passwordProblems(newPassword, 'newPassword'));
  await throttle(ctx.app.rateLimiter, [accountKey('signin', user.email)]);
  const check = await ctx.app.passwords.verify(user.passwordHash, currentPassword);
  if (!check.ok) throw badInput([{ field: 'currentPassword', message: 'is not your current password' }]);
  user.passwordHash = await ctx.app.passwords.hash(newPassword);
  user.updatedAt = new Date(ctx.app.clock.now());
  const revoked = await revokeSessions(ctx, { userId: user.id }, 'password_changed');
  audit(ctx, { type: 'password.changed', targetUserId: user.id, metadata: { sessionsRevoked: revoked } });
  await ctx.em.flush();
  return true;
}
