export const ROLES = ['ADMIN', 'MEMBER', 'VIEWER'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling. Built once by the gateway, carried to subgraphs only inside the internal assertion. */
export interface Principal {
  kind: 'user' | 'apiKey' | 'anonymous';
  userId: string | null;
  roles: Role[];
  /** Scopes an API key was narrowed to; empty for signed-in users, whose roles decide. */
  scopes: string[];
  sessionId: string | null;
  apiKeyId: string | null;
}

export const ANONYMOUS: Principal = Object.freeze({
  kind: 'anonymous',
  userId: null,
  roles: [],
  scopes: [],
  sessionId: null,
  apiKeyId: null,
}) as Principal;

export function isPrincipal(value: unknown): value is Principal {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    ['user', 'apiKey', 'anonymous'].includes(candidate.kind as string) &&
    (candidate.userId === null || typeof candidate.userId === 'string') &&
    Array.isArray(candidate.roles) &&
    candidate.roles.every((role) => (ROLES as readonly unknown[]).includes(role)) &&
    Array.isArray(candidate.scopes) &&
    candidate.scopes.every((scope) => typeof scope === 'string')
  );
}
