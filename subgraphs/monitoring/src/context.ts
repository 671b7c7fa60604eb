import type { RuntimeContextInput } from '@atrium/platform/server';
import { createAlertLoader } from './alert/alert.loader';
import type { MonitoringApp } from './app';

export interface MonitoringContext extends RuntimeContextInput {
  app: MonitoringApp;
  loaders: { alert: ReturnType<typeof createAlertLoader> };
}

export function buildContext(input: RuntimeContextInput, app: MonitoringApp): MonitoringContext {
  return { ...input, app, loaders: { alert: createAlertLoader(input.em) } };
}
