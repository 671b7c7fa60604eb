import type { Logger } from '@atrium/platform/logging';
import {
  buildOn,
  createSubgraphServer,
  openSubgraphResources,
  packageVersion,
  type SubgraphServer,
} from '@atrium/platform/server';
import { createIntegrationsApp, type IntegrationsApp } from './app';
import type { IntegrationsConfig } from './config';
import { buildContext } from './context';
import { entities, migrations } from './database';
import { permissions } from './permissions';
import { buildIntegrationsSchema } from './schema';

export const SUBGRAPH_NAME = 'integrations';

export type IntegrationsServer = SubgraphServer<IntegrationsApp>;

/** The integrations app served as a subgraph on the platform shell. No env, no listen of its own. */
export function serveIntegrations(app: IntegrationsApp, log: Logger): Promise<IntegrationsServer> {
  return createSubgraphServer({
    name: SUBGRAPH_NAME,
    version: packageVersion(__dirname),
    schema: buildIntegrationsSchema(),
    permissions,
    internalSecret: app.config.internalSecret,
    log,
    timeouts: app.config.timeouts,
    maxRepresentations: app.config.maxRepresentations,
    resources: app.resources,
    app,
    context: (base) => buildContext(base, app),
  });
}

/** Opens the resources, builds the app and serves it: what main.ts and the tests run. */
export async function createIntegrationsServer(deps: {
  config: IntegrationsConfig;
  log: Logger;
}): Promise<IntegrationsServer> {
  const { config, log } = deps;
  const resources = await openSubgraphResources(SUBGRAPH_NAME, config, log, { entities, migrations });
  return buildOn(resources, async () => serveIntegrations(createIntegrationsApp(resources, config), log));
}
