import type { Logger } from '@atrium/platform/logging';
import { createSubgraphRuntime, type SubgraphRuntime } from '@atrium/platform/server';
import type { IdentityConfig } from './config';
import { buildContext } from './context';
import { entities, migrations } from './database';
import { permissions } from './permissions';
import { buildIdentitySchema } from './schema';

export const SUBGRAPH_NAME = 'identity';

/** The identity subgraph, ready to listen. No env, no listen of its own: main.ts and tests do that. */
export function createIdentityServer(deps: {
  config: IdentityConfig;
  log: Logger;
}): Promise<SubgraphRuntime> {
  return createSubgraphRuntime({
    name: SUBGRAPH_NAME,
    config: deps.config,
    log: deps.log,
    schema: buildIdentitySchema(),
    permissions,
    entities,
    migrations,
    context: buildContext,
  });
}
