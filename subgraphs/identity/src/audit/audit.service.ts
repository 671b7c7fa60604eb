import type { IdentityContext } from '../context';
import { AuditEvent } from './audit-event.entity';

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

/** Adds an audit event to the request's unit of work; it is written by the mutation's flush. */
export function audit(ctx: IdentityContext, input: AuditInput): AuditEvent {
  const actorId = input.actorId === undefined ? ctx.principal.userId : input.actorId;
  ctx.app.audits.record(input.type);
  return ctx.em.create(AuditEvent, {
    type: input.type,
    actorId,
    targetUserId: input.targetUserId ?? null,
    ip: ctx.clientIp ?? null,
    at: new Date(ctx.app.clock.now()),
    metadataText: input.metadata ? JSON.stringify(input.metadata) : null,
  });
}
