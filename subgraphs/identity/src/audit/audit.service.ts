import { errors } from '@atrium/platform/errors';
import { clampFirst, decodeCursor, pageOf } from '@atrium/platform/pagination';
import type { Clock } from '../clock';
import { callerId, callerIsAdmin, type IdentityRequest } from '../request';
import type { AuditCounts } from './audit-counts';
import { AuditEvent } from './audit-event.entity';
import type { AuditEventConnection } from './audit.types';

/** The event types written, documented in docs/identity.md. */
export type AuditType =
  | 'user.signed_up'
  | 'signin.succeeded'
  | 'signin.failed'
  | 'signin.mfa_required'
  | 'mfa.enrollment_started'
  | 'mfa.enabled'
  | 'mfa.disabled'
  | 'mfa.recovery_code_used'
  | 'session.signed_out'
  | 'session.revoked'
  | 'sessions.revoked_all'
  | 'refresh_token.reused'
  | 'password.changed'
  | 'api_key.created'
  | 'api_key.revoked'
  | 'user.roles_changed'
  | 'user.disabled'
  | 'user.enabled';

export interface AuditInput {
  type: AuditType;
  /** Who acted; defaults to the caller. */
  actorId?: string | null;
  targetUserId?: string | null;
  /** Ids, reasons, names and roles only: callers never pass a password, token, code or key here. */
  metadata?: Record<string, string | number | boolean | null | string[]>;
}

export interface AuditServiceDeps {
  clock: Clock;
  /** Counts every recorded type for `/status` and `/metrics`. */
  counts: AuditCounts;
}

/** The audit log: every use case records its security-relevant facts here, `auditEvents` reads them. */
export class AuditService {
  constructor(private readonly deps: AuditServiceDeps) {}

  /** Adds an event to the request's unit of work; the mutation's flush writes it. */
  record(req: IdentityRequest, input: AuditInput): AuditEvent {
    const actorId = input.actorId === undefined ? req.principal.userId : input.actorId;
    this.deps.counts.record(input.type);
    return req.em.create(AuditEvent, {
      type: input.type,
      actorId,
      targetUserId: input.targetUserId ?? null,
      ip: req.clientIp,
      at: new Date(this.deps.clock.now()),
      metadataText: input.metadata ? JSON.stringify(input.metadata) : null,
    });
  }

  /**
   * `auditEvents`, newest first. An ADMIN sees everything (or one user's events with `userId`); anyone else sees
   * the events they caused or that concern them, and asking for another user's is FORBIDDEN.
   */
  async list(
    req: IdentityRequest,
    args: { first?: number | null; after?: string | null; userId?: string | null },
  ): Promise<AuditEventConnection> {
    const self = callerId(req.principal);
    if (!self) throw errors.UNAUTHENTICATED('You must be signed in');
    const admin = callerIsAdmin(req.principal);
    if (!admin && args.userId && args.userId !== self)
      throw errors.FORBIDDEN('You may only read your own audit events');
    const subject = admin ? (args.userId ?? null) : self;
    const first = clampFirst(args.first, 50);
    // Ids increase with time, so the id alone orders the log; the cursor carries the time as every cursor does.
    const cursor = args.after ? decodeCursor(args.after, 'integer') : undefined;
    const rows = await req.em.find(
      AuditEvent,
      {
        $and: [
          subject ? { $or: [{ actorId: subject }, { targetUserId: subject }] } : {},
          cursor ? { id: { $lt: cursor.id as number } } : {},
        ],
      },
      { orderBy: { id: 'desc' }, limit: first + 1 },
    );
    return pageOf(rows, first, (event) => ({ at: event.at, id: event.id }));
  }
}
