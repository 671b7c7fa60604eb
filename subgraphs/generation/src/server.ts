import type { Logger } from '@atrium/platform/logging';
import { createSubgraphRuntime, packageVersion, type SubgraphRuntime } from '@atrium/platform/server';
import type { GenerationConfig } from './config';
import { buildContext } from './context';
import { GenerationCore } from './core';
import { entities, migrations } from './database';
import { exportRoutes } from './export/export.routes';
import { permissions } from './permissions';
import { buildGenerationSchema } from './schema';

export const SUBGRAPH_NAME = 'generation';

export interface GenerationServer extends SubgraphRuntime {
  core: GenerationCore;
}

/**
 * The generation subgraph, ready to listen. No env, no listen of its own: main.ts and tests do that. It runs a
 * worker itself when `config.generation.inlineWorker` (the embedded default, where the queue is in-process).
 */
export async function createGenerationServer(deps: {
  config: GenerationConfig;
  log: Logger;
}): Promise<GenerationServer> {
  const { config, log } = deps;
  // Built right after the runtime opened the database and infrastructure; routes and contexts only run once
  // the server listens, by which time it exists.
  const built: { core?: GenerationCore } = {};
  const runtime = await createSubgraphRuntime({
    name: SUBGRAPH_NAME,
    version: packageVersion(__dirname),
    config,
    log,
    schema: buildGenerationSchema(),
    permissions,
    entities,
    migrations,
    routes: (app) =>
      app.use(exportRoutes(() => ({ store: built.core!.store, signer: built.core!.signer, log }))),
    context: (input) => buildContext(input, built.core!),
    onStop: async () => built.core?.stop(),
  });
  const core = (built.core = new GenerationCore({
    settings: config.generation,
    internalSecret: config.internalSecret,
    db: runtime.db,
    infra: runtime.infra,
    log,
  }));
  try {
    if (config.generation.inlineWorker) await core.startWorker();
  } catch (error) {
    await runtime.stop();
    throw error;
  }
  return Object.assign(runtime, { core });
}
