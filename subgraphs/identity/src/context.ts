import type { EntityManager } from '@mikro-orm/core';
import type { BaseContext } from '@atrium/platform/server';
import type { IdentityApp } from './app';
import type { IdentityRequest } from './request';
import { createUserLoader } from './user/user.loader';

export interface IdentityContext extends BaseContext {
  em: EntityManager;
  app: IdentityApp;
  /** What the app's services are given of this request (never the context itself). */
  request: IdentityRequest;
  loaders: { user: ReturnType<typeof createUserLoader> };
  /**
   * The user a mutation of this request has just authenticated (signUp, signIn, refresh…). The caller is still
   * anonymous in `principal`, yet reads this user's own fields (email) in the AuthPayload it receives.
   */
  authenticatedUserId: string | null;
}

export function buildContext(base: BaseContext, app: IdentityApp): IdentityContext {
  const em = app.fork();
  const request: IdentityRequest = {
    em,
    principal: base.principal,
    clientIp: base.clientIp ?? null,
    userAgent: base.userAgent ?? null,
  };
  return { ...base, em, app, request, loaders: { user: createUserLoader(em) }, authenticatedUserId: null };
}
