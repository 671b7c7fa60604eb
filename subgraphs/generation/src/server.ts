import type { Logger } from '@atrium/platform/logging';
import { PolicyRegistry } from '@atrium/platform/resilience';
import { createSubgraphRuntime, type SubgraphRuntime } from '@atrium/platform/server';
import type { GenerationConfig } from './config';
import { buildContext } from './context';
import { entities, migrations } from './database';
import { LOCAL_PROVIDER, registerProviders } from './model-router/provider-registry';
import { permissions } from './permissions';
import { buildGenerationSchema } from './schema';

export const SUBGRAPH_NAME = 'generation';

/** The generation subgraph, ready to listen. No env, no listen of its own: main.ts and tests do that. */
export function createGenerationServer(deps: {
  config: GenerationConfig;
  log: Logger;
}): Promise<SubgraphRuntime> {
  const policies = new PolicyRegistry();
  const providers = registerProviders([LOCAL_PROVIDER], policies);
  return createSubgraphRuntime({
    name: SUBGRAPH_NAME,
    config: deps.config,
    log: deps.log,
    schema: buildGenerationSchema(),
    permissions,
    entities,
    migrations,
    context: (input) => buildContext(input, providers),
    onStop: async () => policies.dispose(),
  });
}
