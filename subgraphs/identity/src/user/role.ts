import { registerEnumType } from 'type-graphql';
import type { Role as PlatformRole } from '@atrium/platform/auth';

/** The contract's roles. ADMIN: everything; MEMBER: own data, generate, connect; VIEWER: read own data. */
export enum Role {
  ADMIN = 'ADMIN',
  MEMBER = 'MEMBER',
  VIEWER = 'VIEWER',
}
registerEnumType(Role, {
  name: 'Role',
  description: 'What an account may do. An API key acts as its owner, narrowed to its scopes.',
  valuesConfig: {
    ADMIN: { description: 'Everything: every account and its data, user management, monitoring.' },
    MEMBER: { description: 'Its own data; may generate and connect integrations.' },
    VIEWER: { description: 'Reads its own data only.' },
  },
});

const ORDER: readonly Role[] = [Role.ADMIN, Role.MEMBER, Role.VIEWER];

/** Roles as stored: a sorted, de-duplicated comma list (`ADMIN,MEMBER`), portable across both databases. */
export function rolesToText(roles: readonly Role[]): string {
  return ORDER.filter((role) => roles.includes(role)).join(',');
}

export function rolesFromText(text: string): Role[] {
  const parts = text.split(',');
  return ORDER.filter((role) => parts.includes(role));
}

/** The same values, typed as the platform's principal roles. */
export function asPrincipalRoles(roles: readonly Role[]): PlatformRole[] {
  return roles.map((role) => role as PlatformRole);
}
