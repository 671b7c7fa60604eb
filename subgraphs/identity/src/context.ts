import type { EntityManager } from '@mikro-orm/core';
import type { BaseContext } from '@atrium/platform/server';
import type { IdentityApp } from './app';
import { createUserLoader } from './user/user.loader';

export interface IdentityContext extends BaseContext {
  em: EntityManager;
  app: IdentityApp;
  loaders: { user: ReturnType<typeof createUserLoader> };
  /**
   * The user a mutation of this request has just authenticated (signUp, signIn, refresh…). The caller is still
   * anonymous in `principal`, yet reads this user's own fields (email) in the AuthPayload it receives.
   */
  authenticatedUserId: string | null;
}

export function buildContext(base: BaseContext, app: IdentityApp): IdentityContext {
  const em = app.fork();
  return { ...base, em, app, loaders: { user: createUserLoader(em) }, authenticatedUserId: null };
}

/** The caller's user id when the request carries a signed-in user or an API key; null when anonymous. */
export function callerId(ctx: IdentityContext): string | null {
  return ctx.principal.kind === 'anonymous' ? null : ctx.principal.userId;
}

export function callerIsAdmin(ctx: IdentityContext): boolean {
  return ctx.principal.kind !== 'anonymous' && ctx.principal.roles.includes('ADMIN');
}
