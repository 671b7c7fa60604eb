import type { Logger } from '@atrium/platform/logging';
import {
  packageVersion,
  startSubgraph,
  type SubgraphDefinition,
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

/** Start options of its own: tests may set the clock and the provider catalogue. */
export type IntegrationsStartOptions = Pick<IntegrationsOptions, 'clock' | 'catalogue'>;

/**
 * The integrations subgraph: its app with its open routes (the OAuth callback and the webhooks, both reached
 * through the gateway, and the internal credentials route); the refresh scheduler starts once served.
 */
export const integrationsSubgraph: SubgraphDefinition<
  IntegrationsConfig,
  IntegrationsApp,
  IntegrationsStartOptions
> = {
  name: SUBGRAPH_NAME,
  version: packageVersion(__dirname),
  database: { entities, migrations },
  app: (resources, { config, log, clock, catalogue }) =>
    createIntegrationsApp(resources, config, { log, clock, catalogue }),
  graphql: {
    schema: buildIntegrationsSchema,
    permissions,
    context: buildContext,
    routes: (express, app, log) => {
      const { settings, config } = app;
      express.use(callbackRoutes({ flow: () => app.flow, frontendUrl: settings.frontendUrl, log }));
      express.use(
        webhookRoutes({ webhooks: () => app.webhooks, limitBytes: settings.webhookBodyLimitBytes, log }),
      );
      express.use(
        internalRoutes({ aiCredentials: () => app.aiCredentials, internalSecret: config.internalSecret }),
      );
    },
  },
  started: (server) => {
    server.health.registerBreakers(() => server.app.policies.list());
    server.app.start();
  },
};

/** Opens the resources, builds the app, serves it and starts the refresh scheduler: what main.ts and tests run. */
export function createIntegrationsServer(
  deps: { config: IntegrationsConfig; log: Logger } & IntegrationsStartOptions,
): Promise<IntegrationsServer> {
  return startSubgraph(integrationsSubgraph, deps);
}
