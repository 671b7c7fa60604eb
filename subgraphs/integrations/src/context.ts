import type { EntityManager } from '@mikro-orm/core';
import type { BaseContext } from '@atrium/platform/server';
import type { IntegrationsApp } from './app';
import { createConnectionLoader } from './connection/connection.loader';

export interface IntegrationsContext extends BaseContext {
  em: EntityManager;
  app: IntegrationsApp;
  loaders: { connection: ReturnType<typeof createConnectionLoader> };
}

export function buildContext(base: BaseContext, app: IntegrationsApp): IntegrationsContext {
  const em = app.fork();
  return { ...base, em, app, loaders: { connection: createConnectionLoader(em) } };
}
