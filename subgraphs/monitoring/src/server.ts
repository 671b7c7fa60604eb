import type { Logger } from '@atrium/platform/logging';
import {
  buildOn,
  createSubgraphServer,
  openSubgraphResources,
  packageVersion,
  type SubgraphServer,
} from '@atrium/platform/server';
import { createMonitoringApp, type MonitoringApp } from './app';
import type { MonitoringConfig } from './config';
import { buildContext } from './context';
import { entities, migrations } from './database';
import { permissions } from './permissions';
import { buildMonitoringSchema } from './schema';

export const SUBGRAPH_NAME = 'monitoring';

export type MonitoringServer = SubgraphServer<MonitoringApp>;

/** The monitoring app served as a subgraph on the platform shell. No env, no listen of its own. */
export async function serveMonitoring(app: MonitoringApp, log: Logger): Promise<MonitoringServer> {
  const server = await createSubgraphServer({
    name: SUBGRAPH_NAME,
    version: packageVersion(__dirname),
    schema: buildMonitoringSchema(),
    permissions,
    internalSecret: app.config.internalSecret,
    log,
    timeouts: app.config.timeouts,
    maxRepresentations: app.config.maxRepresentations,
    resources: app.resources,
    app,
    context: (base) => buildContext(base, app),
  });
  server.health.registerBreakers(() => app.policies.list());
  return server;
}

/** Opens the resources, builds the app, serves it and starts polling: what main.ts and the tests run. */
export async function createMonitoringServer(deps: {
  config: MonitoringConfig;
  log: Logger;
  /** Poll on the configured interval (default true); tests that poll by hand pass false. */
  startPoller?: boolean;
}): Promise<MonitoringServer> {
  const { config, log } = deps;
  const resources = await openSubgraphResources(SUBGRAPH_NAME, config, log, { entities, migrations });
  return buildOn(resources, async () => {
    const app = createMonitoringApp(resources, config, log);
    const server = await serveMonitoring(app, log);
    app.start({ poll: deps.startPoller ?? true });
    return server;
  });
}
