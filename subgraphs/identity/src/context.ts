import type { RuntimeContextInput } from '@atrium/platform/server';
import type { IdentityDeps } from './deps';
import { createUserLoader } from './user/user.loader';

export interface IdentityContext extends RuntimeContextInput {
  deps: IdentityDeps;
  loaders: { user: ReturnType<typeof createUserLoader> };
  /**
   * The user a mutation of this request has just authenticated (signUp, signIn, refresh…). The caller is still
   * anonymous in `principal`, yet reads this user's own fields (email) in the AuthPayload it receives.
   */
  authenticatedUserId: string | null;
}

export function buildContext(input: RuntimeContextInput, deps: IdentityDeps): IdentityContext {
  return { ...input, deps, loaders: { user: createUserLoader(input.em) }, authenticatedUserId: null };
}

/** The caller's user id when the request carries a signed-in user or an API key; null when anonymous. */
export function callerId(ctx: IdentityContext): string | null {
  return ctx.principal.kind === 'anonymous' ? null : ctx.principal.userId;
}

export function callerIsAdmin(ctx: IdentityContext): boolean {
  return ctx.principal.kind !== 'anonymous' && ctx.principal.roles.includes('ADMIN');
}
