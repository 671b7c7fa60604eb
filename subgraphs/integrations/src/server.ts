import type { Logger } from '@atrium/platform/logging';
import { createSubgraphRuntime, packageVersion, type SubgraphRuntime } from '@atrium/platform/server';
import type { IntegrationsConfig } from './config';
import { buildContext } from './context';
import { entities, migrations } from './database';
import { permissions } from './permissions';
import { buildIntegrationsSchema } from './schema';

export const SUBGRAPH_NAME = 'integrations';

/** The integrations subgraph, ready to listen. No env, no listen of its own: main.ts and tests do that. */
export function createIntegrationsServer(deps: {
  config: IntegrationsConfig;
  log: Logger;
}): Promise<SubgraphRuntime> {
  const oauthClients: ReadonlySet<string> = new Set(deps.config.oauthClients.keys());
  return createSubgraphRuntime({
    name: SUBGRAPH_NAME,
    version: packageVersion(__dirname),
    config: deps.config,
    log: deps.log,
    schema: buildIntegrationsSchema(),
    permissions,
    entities,
    migrations,
    context: (input) => buildContext(input, oauthClients),
  });
}
