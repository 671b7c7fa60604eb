import type { Logger } from '@atrium/platform/logging';
import { createSubgraphRuntime, packageVersion, type SubgraphRuntime } from '@atrium/platform/server';
import type { MonitoringConfig } from './config';
import { buildContext } from './context';
import { entities, migrations } from './database';
import { permissions } from './permissions';
import { buildMonitoringSchema } from './schema';

export const SUBGRAPH_NAME = 'monitoring';

/** The monitoring subgraph, ready to listen. No env, no listen of its own: main.ts and tests do that. */
export function createMonitoringServer(deps: {
  config: MonitoringConfig;
  log: Logger;
}): Promise<SubgraphRuntime> {
  const probe = { targets: deps.config.targets, timeoutMs: deps.config.probeTimeoutMs };
  return createSubgraphRuntime({
    name: SUBGRAPH_NAME,
    version: packageVersion(__dirname),
    config: deps.config,
    log: deps.log,
    schema: buildMonitoringSchema(),
    permissions,
    entities,
    migrations,
    context: (input) => buildContext(input, probe),
  });
}
