import { Role } from '../user/role';

const EVERYONE = [Role.ADMIN, Role.MEMBER, Role.VIEWER] as const;
const WRITERS = [Role.ADMIN, Role.MEMBER] as const;
const ADMINS = [Role.ADMIN] as const;

/**
 * Every scope an API key can carry, and the roles allowed to grant it. A key never holds a scope its owner's
 * roles could not use; if the owner loses a role later, the key loses the scopes with it at the next
 * verification. Documented in docs/identity.md — keep the two in step.
 */
export const SCOPES: Readonly<Record<string, readonly Role[]>> = Object.freeze({
  'profile:read': EVERYONE,
  'audit:read': EVERYONE,
  'integrations:read': EVERYONE,
  'integrations:write': WRITERS,
  'generation:read': EVERYONE,
  'generation:write': WRITERS,
  'monitoring:read': ADMINS,
  'users:read': ADMINS,
  'users:write': ADMINS,
});

export function isKnownScope(scope: string): boolean {
  return Object.prototype.hasOwnProperty.call(SCOPES, scope);
}

/** The scopes the roles may grant (or use). */
export function scopesAllowedFor(roles: readonly Role[]): string[] {
  return Object.entries(SCOPES)
    .filter(([, allowed]) => allowed.some((role) => roles.includes(role)))
    .map(([scope]) => scope);
}

/** A key's scopes narrowed to what its owner may still use. */
export function effectiveScopes(scopes: readonly string[], roles: readonly Role[]): string[] {
  const allowed = new Set(scopesAllowedFor(roles));
  return scopes.filter((scope) => allowed.has(scope));
}
