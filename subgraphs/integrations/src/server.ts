import type { Logger } from '@atrium/platform/logging';
import {
  buildOn,
  createSubgraphServer,
  openSubgraphResources,
  packageVersion,
  type SubgraphServer,
} from '@atrium/platform/server';
import { createIntegrationsApp, type IntegrationsApp, type IntegrationsOptions } from './app';
import type { IntegrationsConfig } from './config';
import { buildContext } from './context';
import { internalRoutes } from './credentials/internal.routes';
import { entities, migrations } from './database';
import { callbackRoutes } from './oauth/callback.routes';
import { permissions } from './permissions';
import { buildIntegrationsSchema } from './schema';
import { webhookRoutes } from './webhook/webhook.routes';

export const SUBGRAPH_NAME = 'integrations';

export type IntegrationsServer = SubgraphServer<IntegrationsApp>;

/**
 * The integrations app served as a subgraph on the platform shell, with its open routes: the OAuth callback, the
 * webhooks (both reached through the gateway) and the internal credentials route. No env, no listen of its own.
 */
export async function serveIntegrations(app: IntegrationsApp, log: Logger): Promise<IntegrationsServer> {
  const { settings } = app;
  const server = await createSubgraphServer({
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
    routes: (express) => {
      express.use(callbackRoutes({ flow: () => app.flow, frontendUrl: settings.frontendUrl, log }));
      express.use(
        webhookRoutes({ webhooks: () => app.webhooks, limitBytes: settings.webhookBodyLimitBytes, log }),
      );
      express.use(
        internalRoutes({ aiCredentials: () => app.aiCredentials, internalSecret: app.config.internalSecret }),
      );
    },
  });
  server.health.registerBreakers(() => app.policies.list());
  return server;
}

/** Opens the resources, builds the app, serves it and starts the refresh scheduler: what main.ts and tests run. */
export async function createIntegrationsServer(
  deps: { config: IntegrationsConfig; log: Logger } & Pick<IntegrationsOptions, 'clock' | 'catalogue'>,
): Promise<IntegrationsServer> {
  const { config, log } = deps;
  const resources = await openSubgraphResources(SUBGRAPH_NAME, config, log, { entities, migrations });
  return buildOn(resources, async () => {
    const app = createIntegrationsApp(resources, config, {
      log,
      clock: deps.clock,
      catalogue: deps.catalogue,
    });
    const server = await serveIntegrations(app, log);
    app.start();
    return server;
  });
}
