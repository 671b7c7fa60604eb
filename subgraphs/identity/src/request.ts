import type { EntityManager } from '@mikro-orm/core';
import type { Principal } from '@atrium/platform/auth';

/**
 * What a use case needs of one request, passed explicitly (services never see the GraphQL context): the
 * request's entity manager — its unit of work, so the audit events a mutation adds are written by that
 * mutation's one flush —, the caller, and the client's address and agent as the gateway forwarded them.
 */
export interface IdentityRequest {
  readonly em: EntityManager;
  readonly principal: Principal;
  readonly clientIp: string | null;
  readonly userAgent: string | null;
}

/** The caller's user id when the request carries a signed-in user or an API key; null when anonymous. */
export function callerId(principal: Principal): string | null {
  return principal.kind === 'anonymous' ? null : principal.userId;
}

export function callerIsAdmin(principal: Principal): boolean {
  return principal.kind !== 'anonymous' && principal.roles.includes('ADMIN');
}
