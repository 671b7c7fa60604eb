import type { EntityManager } from '@mikro-orm/core';
import type { BaseContext } from '@atrium/platform/server';
import { createAlertLoader } from './alert/alert.loader';
import type { MonitoringApp } from './app';

export interface MonitoringContext extends BaseContext {
  em: EntityManager;
  app: MonitoringApp;
  loaders: { alert: ReturnType<typeof createAlertLoader> };
}

export function buildContext(base: BaseContext, app: MonitoringApp): MonitoringContext {
  const em = app.fork();
  return { ...base, em, app, loaders: { alert: createAlertLoader(em) } };
}
