import type { Logger } from '@atrium/platform/logging';
import {
  packageVersion,
  startSubgraph,
  type SubgraphDefinition,
  type SubgraphServer,
} from '@atrium/platform/server';
import { createGenerationApp, type GenerationApp } from './app';
import type { GenerationConfig } from './config';
import { buildContext } from './context';
import { entities, migrations } from './database';
import { exportRoutes } from './export/export.routes';
import { permissions } from './permissions';
import { buildGenerationSchema } from './schema';

export const SUBGRAPH_NAME = 'generation';

export type GenerationServer = SubgraphServer<GenerationApp>;

/**
 * The generation subgraph: its app with the export download route. It runs a worker itself when
 * `config.generation.inlineWorker` (the embedded default, where the queue is in-process).
 */
export const generationSubgraph: SubgraphDefinition<GenerationConfig, GenerationApp> = {
  name: SUBGRAPH_NAME,
  version: packageVersion(__dirname),
  database: { entities, migrations },
  app: (resources, { config, log }) => createGenerationApp(resources, config, log),
  graphql: {
    schema: buildGenerationSchema,
    permissions,
    context: buildContext,
    routes: (express, app, log) => express.use(exportRoutes({ store: app.store, signer: app.signer, log })),
  },
  started: async (server, { config }) => {
    server.app.describeHealth(server);
    if (config.generation.inlineWorker) await server.app.startWorker();
  },
};

/** Opens the resources, builds the app and serves it: what main.ts and the tests run. */
export function createGenerationServer(deps: {
  config: GenerationConfig;
  log: Logger;
}): Promise<GenerationServer> {
  return startSubgraph(generationSubgraph, deps);
}
