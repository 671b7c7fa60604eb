import { errors } from '@atrium/platform/errors';
import { clampFirst, decodeCursor, encodeCursor } from '@atrium/platform/pagination';
import { callerId, callerIsAdmin, type IdentityContext } from '../context';
import { AuditEvent } from './audit-event.entity';
import type { AuditEventConnection } from './audit.types';

const isIdCursor = (value: unknown): value is { id: number } =>
  Number.isSafeInteger((value as { id?: unknown })?.id);

/**
 * `auditEvents`, newest first. An ADMIN sees everything (or one user's events with `userId`); anyone else sees
 * the events they caused or that concern them, and asking for another user's is FORBIDDEN.
 */
export async function listAuditEvents(
  ctx: IdentityContext,
  args: { first?: number | null; after?: string | null; userId?: string | null },
): Promise<AuditEventConnection> {
  const self = callerId(ctx);
  if (!self) throw errors.UNAUTHENTICATED('You must be signed in');
  const admin = callerIsAdmin(ctx);
  if (!admin && args.userId && args.userId !== self)
    throw errors.FORBIDDEN('You may only read your own audit events');
  const subject = admin ? (args.userId ?? null) : self;
  const first = clampFirst(args.first, 50);
  const cursor = args.after ? decodeCursor(args.after, isIdCursor) : undefined;
  const rows = await ctx.em.find(
    AuditEvent,
    {
      $and: [
        subject ? { $or: [{ actorId: subject }, { targetUserId: subject }] } : {},
        cursor ? { id: { $lt: cursor.id } } : {},
      ],
    },
    { orderBy: { id: 'desc' }, limit: first + 1 },
  );
  const edges = rows.slice(0, first).map((node) => ({ cursor: encodeCursor({ id: node.id }), node }));
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}
