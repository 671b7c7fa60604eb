import type { Logger } from '@atrium/platform/logging';
import {
  buildOn,
  createSubgraphServer,
  openSubgraphResources,
  packageVersion,
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

/** The generation app served as a subgraph on the platform shell. No env, no listen of its own. */
export async function serveGeneration(
  app: GenerationApp,
  config: GenerationConfig,
  log: Logger,
): Promise<GenerationServer> {
  const server = await createSubgraphServer({
    name: SUBGRAPH_NAME,
    version: packageVersion(__dirname),
    schema: buildGenerationSchema(),
    permissions,
    internalSecret: config.internalSecret,
    log,
    timeouts: config.timeouts,
    maxRepresentations: config.maxRepresentations,
    resources: app.resources,
    app,
    routes: (express) => express.use(exportRoutes({ store: app.store, signer: app.signer, log })),
    context: (base) => buildContext(base, app),
  });
  app.describeHealth(server);
  return server;
}

/**
 * Opens the resources, builds the app and serves it: what main.ts and the tests run. It runs a worker itself
 * when `config.generation.inlineWorker` (the embedded default, where the queue is in-process).
 */
export async function createGenerationServer(deps: {
  config: GenerationConfig;
  log: Logger;
}): Promise<GenerationServer> {
  const { config, log } = deps;
  const resources = await openSubgraphResources(SUBGRAPH_NAME, config, log, { entities, migrations });
  return buildOn(resources, async () => {
    const app = createGenerationApp(resources, config, log);
    const server = await serveGeneration(app, config, log);
    try {
      if (config.generation.inlineWorker) await app.startWorker();
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  });
}
