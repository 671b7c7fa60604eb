import { errors } from '@atrium/platform/errors';
import { QueryOrder, type EntityManager, type FilterQuery } from '@mikro-orm/core';
import type { Principal } from '@atrium/platform/auth';
import { clampFirst, rowsAfter } from '@atrium/platform/pagination';
import type { AuditService } from '../audit/audit.service';
import type { Clock } from '../clock';
import { assertNoProblems, type FieldProblem } from '../common/input-errors';
import { displayPrefix, generateApiKeySecret, isWellFormedApiKey } from '../crypto/api-key-format';
import { sha256Hex } from '../crypto/secrets';
import { asPrincipalRoles } from '../user/role';
import { callerIsAdmin, type IdentityRequest } from '../request';
import { requireActiveUser } from '../user/active-user';
import { User } from '../user/user.entity';
import { ApiKey } from './api-key.entity';
import { CreatedApiKey, type CreateApiKeyInput } from './api-key.types';
import { effectiveScopes, isKnownScope, scopesAllowedFor } from './scopes';

/** Keys that still work (neither revoked nor expired) per user: revoking or expiry frees a slot. */
export const MAX_ACTIVE_KEYS = 25;
/**
 * Revoked and expired keys kept per user (the most recently revoked first, then expired ones), so the owner still
 * sees them; creating or revoking a key deletes the others (the audit log keeps their events). With the active cap this bounds a user's rows, however often
 * they create and revoke.
 */
export const MAX_INACTIVE_KEYS_KEPT = 50;
/** Keys in one `apiKeys` answer when `first` is not given; `first` is clamped to 100. */
export const API_KEYS_PAGE = 50;
/** `lastUsedAt` is written at most this often per key, so a busy integration costs no write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

function inputProblems(input: CreateApiKeyInput, name: string, now: number): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (name.length === 0 || name.length > 100)
    problems.push({ field: 'name', message: 'must be 1 to 100 characters' });
  if (input.scopes.length === 0) problems.push({ field: 'scopes', message: 'must name at least one scope' });
  const unknown = input.scopes.filter((scope) => !isKnownScope(scope));
  if (unknown.length > 0)
    problems.push({ field: 'scopes', message: `has unknown scopes: ${unknown.join(', ')}` });
  if (input.expiresAt && input.expiresAt.getTime() <= now)
    problems.push({ field: 'expiresAt', message: 'must be in the future' });
  return problems;
}

export interface ApiKeyServiceDeps {
  clock: Clock;
  audit: AuditService;
}

/** A signed-in user's API keys: create (the secret shown once), list, revoke. The gateway's check is `verifyApiKey`. */
export class ApiKeyService {
  constructor(private readonly deps: ApiKeyServiceDeps) {}

  /** Creates a key for the caller with scopes their roles allow; returns the secret once. */
  async create(req: IdentityRequest, input: CreateApiKeyInput): Promise<CreatedApiKey> {
    const { em } = req;
    const user = await requireActiveUser(req);
    const name = input.name.trim();
    const now = this.deps.clock.now();
    assertNoProblems(inputProblems(input, name, now));
    const allowed = new Set(scopesAllowedFor(user.roles));
    const beyond = input.scopes.filter((scope) => !allowed.has(scope));
    if (beyond.length > 0)
      throw errors.FORBIDDEN(`Your roles do not allow these scopes: ${beyond.join(', ')}`, {
        scopes: beyond,
      });
    const secret = generateApiKeySecret();
    // The count and the insert are one transaction holding the user's row lock, so concurrent creates by one
    // user take turns: without it, two creates at 24 keys both count 24 and both insert.
    const apiKey = await em.transactional(async (tx) => {
      await lockUserRow(tx, user.id);
      const active = await tx.count(ApiKey, { userId: user.id, ...working(new Date(now)) });
      if (active >= MAX_ACTIVE_KEYS)
        throw errors.CONFLICT(
          `At most ${MAX_ACTIVE_KEYS} active API keys per user; revoke one (revoked and expired keys do not count)`,
        );
      await this.pruneInactive(tx, user.id, new Date(now));
      const created = tx.create(ApiKey, {
        userId: user.id,
        name,
        prefix: displayPrefix(secret),
        secretHash: sha256Hex(secret),
        scopesText: [...new Set(input.scopes)].join(' '),
        createdAt: new Date(now),
        expiresAt: input.expiresAt ?? null,
      });
      this.deps.audit.record(
        { ...req, em: tx },
        {
          type: 'api_key.created',
          targetUserId: user.id,
          metadata: { apiKeyId: created.id, name, prefix: created.prefix, scopes: created.scopes },
        },
      );
      return created;
    });
    return Object.assign(new CreatedApiKey(), { apiKey, secret });
  }

  /**
   * One page of the caller's keys, revoked and expired ones included, newest first: `first` (default 50, at most
   * 100) keys after the key whose id is `after`. BAD_USER_INPUT when `after` is not one of the caller's keys.
   */
  async listMine(
    req: IdentityRequest,
    page: { first?: number | null; after?: string | null },
  ): Promise<ApiKey[]> {
    const user = await requireActiveUser(req);
    const first = clampFirst(page.first, API_KEYS_PAGE);
    let where: FilterQuery<ApiKey> = { userId: user.id };
    if (page.after) {
      const last = await req.em.findOne(ApiKey, { id: page.after, userId: user.id });
      if (!last)
        throw errors.BAD_USER_INPUT('Invalid input: after is not the id of one of your API keys', {
          fields: [{ field: 'after', message: 'is not the id of one of your API keys' }],
        });
      where = { userId: user.id, ...rowsAfter('createdAt', { at: last.createdAt, id: last.id }, 'desc') };
    }
    return req.em.find(ApiKey, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: first });
  }

  /** Deletes a user's revoked and expired keys beyond the newest MAX_INACTIVE_KEYS_KEPT. */
  private async pruneInactive(em: EntityManager, userId: string, now: Date): Promise<void> {
    const beyond = await em.find(
      ApiKey,
      { userId, $or: [{ revokedAt: { $ne: null } }, { expiresAt: { $lte: now } }] },
      {
        // The most recently revoked first (a key revoked now is kept however old it is), then expired ones.
        orderBy: { revokedAt: QueryOrder.DESC_NULLS_LAST, createdAt: 'desc', id: 'desc' },
        offset: MAX_INACTIVE_KEYS_KEPT,
        fields: ['id'],
      },
    );
    if (beyond.length > 0) await em.nativeDelete(ApiKey, { id: { $in: beyond.map((key) => key.id) } });
  }

  /** Revokes one of the caller's keys (an ADMIN may revoke anyone's); NOT_FOUND for any other id. */
  async revoke(req: IdentityRequest, id: string): Promise<ApiKey> {
    const apiKey = await req.em.findOne(ApiKey, { id });
    if (!apiKey || (apiKey.userId !== req.principal.userId && !callerIsAdmin(req.principal)))
      throw errors.NOT_FOUND('API key not found');
    if (!apiKey.revokedAt) {
      const now = new Date(this.deps.clock.now());
      apiKey.revokedAt = now;
      this.deps.audit.record(req, {
        type: 'api_key.revoked',
        targetUserId: apiKey.userId,
        metadata: { apiKeyId: apiKey.id, prefix: apiKey.prefix },
      });
      await req.em.flush();
      await this.pruneInactive(req.em, apiKey.userId, now);
    }
    return apiKey;
  }
}

/** The filter of keys that still work at `now`: not revoked, not expired. */
function working(now: Date) {
  return { revokedAt: null, $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }] };
}

export interface VerifiedApiKey {
  principal: Principal;
  /** When the key expires, so the gateway never caches it past that. */
  expiresAt: string | null;
}

/**
 * The principal of a key for the gateway: the owner's id and current roles, the key's scopes narrowed to those
 * roles. Null for a malformed, unknown, revoked or expired key, or one whose owner is disabled.
 */
export async function verifyApiKey(
  em: EntityManager,
  secret: string,
  nowMs: number,
): Promise<VerifiedApiKey | null> {
  if (!isWellFormedApiKey(secret)) return null;
  const apiKey = await em.findOne(ApiKey, { secretHash: sha256Hex(secret) });
  const now = new Date(nowMs);
  if (!apiKey || apiKey.revokedAt || (apiKey.expiresAt && apiKey.expiresAt <= now)) return null;
  const owner = await em.findOne(User, { id: apiKey.userId });
  if (!owner || owner.disabled) return null;
  if (!apiKey.lastUsedAt || nowMs - apiKey.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS)
    await em.nativeUpdate(ApiKey, { id: apiKey.id }, { lastUsedAt: now });
  return {
    principal: {
      kind: 'apiKey',
      userId: owner.id,
      roles: asPrincipalRoles(owner.roles),
      scopes: effectiveScopes(apiKey.scopes, owner.roles),
      sessionId: null,
      apiKeyId: apiKey.id,
    },
    expiresAt: apiKey.expiresAt?.toISOString() ?? null,
  };
}

/**
 * Takes the write lock on a user's row for the rest of the transaction: a no-op update, because it is the one
 * statement that locks on both databases. On PostgreSQL it is the row lock (like SELECT … FOR UPDATE) a second
 * transaction of the same user waits on; on SQLite, as the transaction's first statement, it takes the database's
 * write lock before anything is read (the effect of BEGIN IMMEDIATE), so another connection or process waits
 * (busy_timeout) instead of counting the same keys.
 */
async function lockUserRow(tx: EntityManager, userId: string): Promise<void> {
  await tx
    .getConnection()
    .execute('update users set id = id where id = ?', [userId], 'run', tx.getTransactionContext());
}
