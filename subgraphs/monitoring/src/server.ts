import type { Logger } from '@atrium/platform/logging';
import { createSubgraphRuntime, packageVersion, type SubgraphRuntime } from '@atrium/platform/server';
import { createMonitoringApp, type MonitoringApp } from './app';
import type { MonitoringConfig } from './config';
import { buildContext } from './context';
import { entities, migrations } from './database';
import { permissions } from './permissions';
import { buildMonitoringSchema } from './schema';

export const SUBGRAPH_NAME = 'monitoring';

/** The monitoring subgraph, polling and ready to listen. No env, no listen of its own: main.ts and tests do that. */
export async function createMonitoringServer(deps: {
  config: MonitoringConfig;
  log: Logger;
  /** Poll on the configured interval (default true); tests that poll by hand pass false. */
  startPoller?: boolean;
}): Promise<SubgraphRuntime & { monitoring: MonitoringApp }> {
  // The runtime opens the database and infrastructure the app is built from, so the app comes second.
  const built: { app?: MonitoringApp } = {};
  const runtime = await createSubgraphRuntime({
    name: SUBGRAPH_NAME,
    version: packageVersion(__dirname),
    config: deps.config,
    log: deps.log,
    schema: buildMonitoringSchema(),
    permissions,
    entities,
    migrations,
    context: (input) => buildContext(input, built.app!),
    onStop: async () => built.app?.stop(),
  });
  const app = (built.app = createMonitoringApp({
    config: deps.config,
    fork: () => runtime.db.fork(),
    infra: runtime.infra,
    log: deps.log,
  }));
  runtime.health.registerBreakers(() => app.policies.list());
  app.start({ poll: deps.startPoller ?? true });
  return Object.assign(runtime, { monitoring: app });
}
