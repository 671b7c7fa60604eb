import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express } from 'express';
import type { GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { requireGatewayAssertion, type GatewayCaller, type Principal } from '../auth';
import { maskError } from '../errors';
import { HealthRegistry, type DependencyCheck } from '../health';
import { currentRequestId, requestIdMiddleware, type Logger } from '../logging';
import { createMetrics, type Metrics } from '../metrics';
import { jsonErrorHandler, notFound } from './http-errors';
import { startSubscriptionServer, type SubscriptionServer } from './subscriptions';
import { applyServerTimeouts } from './timeouts';

/** What a subgraph's context function receives for every operation (HTTP or WebSocket). */
export interface BaseContext {
  principal: Principal;
  /** Always true: the guard refused every request without a gateway assertion before GraphQL ran. */
  fromGateway: true;
  requestId: string;
  /** The client's IP address as the gateway saw it (from the assertion); undefined when not forwarded. */
  clientIp: string | undefined;
  /** The client's User-Agent as the gateway saw it; undefined when not forwarded. */
  userAgent: string | undefined;
  log: Logger;
}

export interface SubgraphServerOptions<Ctx extends object> {
  /** The subgraph's name: the audience its gateway assertions must carry and the label of its metrics. */
  name: string;
  version?: string;
  /** The federated schema without permissions; `permissions` (graphql-shield) is applied here. */
  schema: GraphQLSchema;
  permissions: Parameters<typeof applyMiddleware>[1];
  context: (base: BaseContext) => Promise<Ctx> | Ctx;
  /** INTERNAL_TOKEN_SECRET shared with the gateway. */
  internalSecret: string;
  log: Logger;
  checks?: DependencyCheck[];
  /** Largest accepted JSON body. Default 256 KB; larger bodies get 413 before parsing. */
  bodyLimit?: string;
  /** Extra open routes (e.g. `/.well-known/jwks.json`), mounted before the assertion guard. */
  routes?: (app: Express) => void;
  /** Called last on stop(), after HTTP and WebSockets drained: close the database, queues, buses. */
  onStop?: () => Promise<void>;
}

export interface SubgraphServer {
  readonly app: Express;
  readonly httpServer: Server;
  readonly health: HealthRegistry;
  readonly metrics: Metrics;
  /** Listens (port 0 picks a free port) and resolves with the GraphQL URL. */
  listen(port: number, host?: string): Promise<{ url: string; port: number }>;
  /** Readiness false, drain in-flight requests, close sockets, then `onStop`. Idempotent. */
  stop(): Promise<void>;
}

export const GRAPHQL_PATH = '/graphql';

/**
 * Apollo Server 5 on express 5, shared by every subgraph: request ids, metrics, health routes, the gateway
 * assertion guard, a body limit, masked errors, introspection and traces off, graphql-ws when the schema has
 * subscriptions, and a drain on stop.
 */
export async function createSubgraphServer<Ctx extends object>(
  options: SubgraphServerOptions<Ctx>,
): Promise<SubgraphServer> {
  const { name, log } = options;
  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  applyServerTimeouts(httpServer);
  const health = new HealthRegistry({ service: name, version: options.version });
  for (const check of options.checks ?? []) health.register(check);
  const metrics = createMetrics({ service: name });
  const schema = applyMiddleware(options.schema, options.permissions);
  const secret = options.internalSecret;

  const buildContext = (caller: GatewayCaller, requestId: string): Promise<Ctx> | Ctx =>
    options.context({
      principal: caller.principal,
      fromGateway: true,
      requestId,
      clientIp: caller.clientIp,
      userAgent: caller.userAgent,
      log: log.child({ requestId }),
    });

  let subscriptions: SubscriptionServer | undefined;
  if (schema.getSubscriptionType()) {
    subscriptions = startSubscriptionServer({
      httpServer,
      path: GRAPHQL_PATH,
      schema,
      audience: name,
      secret,
      log,
      context: (caller) => buildContext(caller, caller.requestId ?? 'ws'),
    });
  }

  const apollo = new ApolloServer<Ctx>({
    schema,
    introspection: false,
    // runService owns SIGTERM (drain, exit 0); Apollo's own handler would stop early and re-raise the signal.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) => maskError(formatted, error, { log, requestId: currentRequestId() }),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      metrics.apolloPlugin(),
    ],
    logger: log,
  });
  await apollo.start();

  app.use(requestIdMiddleware());
  app.use(metrics.httpMiddleware());
  app.use(health.routes());
  app.get('/metrics', metrics.handler());
  options.routes?.(app);
  app.use(
    GRAPHQL_PATH,
    requireGatewayAssertion({ secret, audience: name }),
    express.json({ limit: options.bodyLimit ?? '256kb' }),
    expressMiddleware(apollo, {
      context: async ({ res }) =>
        buildContext(res.locals.caller as GatewayCaller, res.locals.requestId as string),
    }),
  );
  app.use(notFound);
  app.use(jsonErrorHandler(log));

  let stopping: Promise<void> | undefined;
  return {
    app,
    httpServer,
    health,
    metrics,
    listen: (port, host = '0.0.0.0') =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const actual = (httpServer.address() as AddressInfo).port;
          resolve({ url: `http://127.0.0.1:${actual}${GRAPHQL_PATH}`, port: actual });
        });
      }),
    stop: () =>
      (stopping ??= (async () => {
        health.startShutdown();
        await subscriptions?.dispose();
        await apollo.stop();
        if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
        await options.onStop?.();
      })()),
  };
}
