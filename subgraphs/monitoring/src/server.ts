import type { Logger } from '@atrium/platform/logging';
import {
  packageVersion,
  startSubgraph,
  type SubgraphDefinition,
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

export interface MonitoringOptions {
  /** Poll on the configured interval (default true); tests that poll by hand pass false. */
  startPoller?: boolean;
}

/** The monitoring subgraph: its app, its breakers in `/status`, and polling started once served. */
export const monitoringSubgraph: SubgraphDefinition<MonitoringConfig, MonitoringApp, MonitoringOptions> = {
  name: SUBGRAPH_NAME,
  version: packageVersion(__dirname),
  database: { entities, migrations },
  app: (resources, { config, log }) => createMonitoringApp(resources, config, log),
  graphql: { schema: buildMonitoringSchema, permissions, context: buildContext },
  started: (server, { startPoller }) => {
    server.health.registerBreakers(() => server.app.policies.list());
    server.app.start({ poll: startPoller ?? true });
  },
};

/** Opens the resources, builds the app, serves it and starts polling: what main.ts and the tests run. */
export function createMonitoringServer(
  deps: { config: MonitoringConfig; log: Logger } & MonitoringOptions,
): Promise<MonitoringServer> {
  return startSubgraph(monitoringSubgraph, deps);
}
