import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express from 'express';
import { maskError } from '@atrium/platform/errors';
import { HealthRegistry } from '@atrium/platform/health';
import { currentRequestId, requestIdMiddleware, type Logger } from '@atrium/platform/logging';
import { createMetrics, type Metrics } from '@atrium/platform/metrics';
import { applyServerTimeouts, jsonErrorHandler, notFound } from '@atrium/platform/server';
import { createAuthenticator } from './auth';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './context';
import { SubgraphDataSource } from './data-source';

export interface GatewayServer {
  readonly httpServer: Server;
  readonly health: HealthRegistry;
  readonly metrics: Metrics;
  listen(port: number, host?: string): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
}

export interface GatewayDeps {
  config: GatewayConfig;
  supergraphSdl: string;
  log: Logger;
  version?: string;
}

/**
 * The gateway: Apollo Gateway on the committed supergraph behind Apollo Server 5 + express 5. It starts without
 * contacting any subgraph, so it serves (with partial data) even when one is down.
 */
export async function createGatewayServer({
  config,
  supergraphSdl,
  log,
  version,
}: GatewayDeps): Promise<GatewayServer> {
  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  applyServerTimeouts(httpServer);
  const health = new HealthRegistry({ service: 'gateway', version });
  const metrics = createMetrics({ service: 'gateway' });
  const urls = config.subgraphUrls as Record<string, string>;
  const authenticator = createAuthenticator(config, log);

  const gateway = new ApolloGateway({
    supergraphSdl,
    logger: log,
    buildService: ({ name }) => {
      const url = urls[name];
      if (!url) throw new Error(`No URL configured for subgraph "${name}"`);
      return new SubgraphDataSource(name, url, config.internalSecret);
    },
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) => maskError(formatted, error, { log, requestId: currentRequestId() }),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      metrics.apolloPlugin(),
    ],
    logger: log,
  });
  await apollo.start();
  health.register({ name: 'supergraph', kind: 'schema', check: async () => undefined });

  app.use(requestIdMiddleware());
  app.use(metrics.httpMiddleware());
  app.use(health.routes());
  app.get('/metrics', metrics.handler());
  app.use(
    '/graphql',
    cors({ origin: config.corsOrigins, credentials: true, maxAge: 600 }),
    express.json({ limit: '256kb' }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const requestId = res.locals.requestId as string;
        return {
          principal: await authenticator.authenticate(req.headers),
          requestId,
          log: log.child({ requestId }),
        };
      },
    }),
  );
  app.use(notFound);
  app.use(jsonErrorHandler(log));

  let stopping: Promise<void> | undefined;
  return {
    httpServer,
    health,
    metrics,
    listen: (port, host = '0.0.0.0') =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const actual = (httpServer.address() as AddressInfo).port;
          resolve({ url: `http://127.0.0.1:${actual}/graphql`, port: actual });
        });
      }),
    stop: () =>
      (stopping ??= (async () => {
        health.startShutdown();
        await apollo.stop();
        await authenticator.close();
        if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      })()),
  };
}
