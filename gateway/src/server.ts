import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express, { type Request, type Response } from 'express';
import { HealthRegistry } from '@atrium/platform/health';
import { createInfrastructure } from '@atrium/platform/infrastructure';
import { currentRequestId, requestIdMiddleware, type Logger } from '@atrium/platform/logging';
import { createMetrics, type Metrics } from '@atrium/platform/metrics';
import type { CircuitState } from '@atrium/platform/resilience';
import { jsonErrorHandler, notFound } from '@atrium/platform/server';
import { createAdmission } from './admission/middleware';
import { BoundedDocumentCache, BoundedQueryCache } from './apq-cache';
import { createAuthenticator, type Authenticator } from './auth';
import type { GatewayConfig } from './config';
import { ClientClosedError, RequestDeadlineError, type GatewayContext } from './context';
import { SubgraphDataSource, type SubgraphAnswer } from './data-source';
import { contextError, formatGatewayError } from './errors';
import { limitValidationRules, MAX_VALIDATION_ERRORS } from './limits';
import { operationGuardPlugin } from './limits/apollo-plugin';
import { introspectionCachePlugin } from './limits/introspection-cache';
import { requestChecks } from './limits/request-checks';
import { browserRouter } from './routes/browser';
import { exportsRouter } from './routes/exports';
import {
  PublicSchemaDocument,
  SCHEMA_VERSION_HEADER,
  schemaRouter,
  schemaVersionHeader,
} from './routes/schema';
import { checkRateLimits, GatewayRateLimits } from './rate-limits';
import { AssertionCache } from './subgraph/assertions';
import { InflightDedup } from './subgraph/dedup';
import { SubgraphHttpClient } from './subgraph/http-client';
import { SubgraphPolicies } from './subgraph/resilience';
import { attachSubscriptions, refuseSubscriptionsOverHttp, type GatewaySubscriptions } from './subscriptions';

export interface GatewayServer {
  readonly httpServer: Server;
  readonly health: HealthRegistry;
  readonly metrics: Metrics;
  /** The graphql-ws subscription engine (counts for tests and monitoring). */
  readonly subscriptions: GatewaySubscriptions;
  /** Breaker state per subgraph policy (`subgraph:<name>`), for monitoring and tests. */
  breakerStates(): Record<string, CircuitState>;
  listen(port: number, host?: string): Promise<{ url: string; port: number }>;
  /** Readiness false, wait SHUTDOWN_DELAY_MS, drain in-flight requests (bounded), release everything. Idempotent. */
  stop(): Promise<void>;
}

export interface GatewayDeps {
  config: GatewayConfig;
  supergraphSdl: string;
  log: Logger;
  version?: string;
  /** Who is calling. Default: `createAuthenticator(config, log)`; closed on stop either way. */
  authenticator?: Authenticator;
}

const APQ_TTL_SECONDS = 3600;
const GRAPHQL_ROUTE = '/graphql';

/**
 * The gateway: Apollo Gateway on a supergraph behind Apollo Server 5 + express 5. It starts without contacting
 * any subgraph, so it serves (with partial data) even when one is down. Hostile operations stop before any
 * subgraph works: body limit and IP rate limit before parsing, token limit in the parser, depth/aliases/
 * directives/introspection depth in validation, cost and introspection budget once variables are known.
 */
export async function createGatewayServer(deps: GatewayDeps): Promise<GatewayServer> {
  const { config, supergraphSdl, log } = deps;
  const { server: settings } = config;
  checkRateLimits(config.rateLimits);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', settings.trustProxyHops > 0 ? settings.trustProxyHops : false);
  const httpServer = createServer(
    {
      headersTimeout: settings.headersTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      keepAliveTimeout: settings.keepAliveTimeoutMs,
      // Node checks header/request timeouts on this interval (30 s by default), which would let a slow client
      // hold a socket far beyond them.
      connectionsCheckingInterval: Math.min(1000, settings.headersTimeoutMs),
    },
    app,
  );
  const health = new HealthRegistry({ service: 'gateway', version: deps.version });
  const metrics = createMetrics({ service: 'gateway' });
  const authenticator = deps.authenticator ?? createAuthenticator(config, log);
  const infra = createInfrastructure({ redisUrl: config.redisUrl, keyPrefix: config.redisKeyPrefix, log });
  const rateLimits = new GatewayRateLimits(infra.rateLimiter, config.rateLimits, log, metrics);
  const client = new SubgraphHttpClient(config.resilience);
  const policies = new SubgraphPolicies(config.resilience, metrics);
  const urls = config.subgraphUrls as Record<string, string>;
  const assertions = new AssertionCache({
    secret: config.internalSecret,
    onResult: (result) => policies.metrics.assertions.inc({ result }),
  });
  const dedup = config.dedupSubgraphFetches ? new InflightDedup<SubgraphAnswer>() : undefined;
  // One data source per subgraph, shared by HTTP and by the subscription engine's `rest`.
  const dataSources: Record<string, SubgraphDataSource> = {};
  const dataSource = (name: string): SubgraphDataSource => {
    const url = urls[name];
    if (!url) throw new Error(`No URL configured for subgraph "${name}"`);
    return (dataSources[name] ??= new SubgraphDataSource({
      name,
      url,
      client,
      policies,
      assertions,
      dedup,
    }));
  };
  for (const name of Object.keys(urls)) dataSource(name);

  const gateway = new ApolloGateway({
    supergraphSdl,
    logger: log,
    buildService: ({ name }) => dataSource(name),
  });
  const subscriptions = attachSubscriptions({
    httpServer,
    path: GRAPHQL_ROUTE,
    settings: config.subscriptions,
    limits: config.limits,
    corsOrigins: config.corsOrigins,
    trustProxyHops: settings.trustProxyHops,
    requestDeadlineMs: config.resilience.requestDeadlineMs,
    internalSecret: config.internalSecret,
    subgraphUrls: urls,
    services: () => dataSources,
    authenticator,
    rateLimits,
    executeOperation: async (request, contextValue) => {
      const response = await apollo.executeOperation(request, { contextValue });
      if (response.body.kind === 'single') return response.body.singleResult;
      return { errors: [{ message: 'Incremental delivery is not supported over WebSocket' }] };
    },
    metrics,
    log,
  });
  const publicSchema = new PublicSchemaDocument();
  const introspectionCache = introspectionCachePlugin();
  gateway.onSchemaLoadOrUpdate((schema) => {
    publicSchema.update(schema.apiSchema);
    introspectionCache.reset();
    subscriptions.schemaLoaded(schema);
  });

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    // Integrators read the schema by introspection; it is the public API schema, without federation internals.
    introspection: true,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: true,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // runService owns SIGTERM (readiness, delay, drain, exit 0); Apollo's own handler would re-raise the signal.
    stopOnTerminationSignals: false,
    parseOptions: { maxTokens: config.limits.maxTokens },
    validationRules: limitValidationRules(config.limits),
    validationOptions: { maxErrors: MAX_VALIDATION_ERRORS },
    // Apollo's default store sizes documents without the source text they retain (see BoundedDocumentCache).
    documentStore:
      settings.documentCacheMaxBytes > 0 ? new BoundedDocumentCache(settings.documentCacheMaxBytes) : null,
    persistedQueries:
      settings.apqCacheMaxBytes > 0
        ? { cache: new BoundedQueryCache(settings.apqCacheMaxBytes), ttl: APQ_TTL_SECONDS }
        : false,
    formatError: (formatted, error) =>
      formatGatewayError(formatted, error, { log, requestId: currentRequestId() }),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: settings.shutdownTimeoutMs }),
      ApolloServerPluginLandingPageDisabled(),
      metrics.apolloPlugin(),
      operationGuardPlugin({ limits: config.limits, rateLimits, metrics }),
      introspectionCache,
      refuseSubscriptionsOverHttp(GRAPHQL_ROUTE),
    ],
    logger: log,
  });
  await apollo.start();
  health.register({ name: 'supergraph', kind: 'schema', check: async () => undefined });

  const context = async ({ req, res }: { req: Request; res: Response }): Promise<GatewayContext> => {
    const requestId = res.locals.requestId as string;
    let principal;
    try {
      principal = await authenticator.authenticate(req.headers, requestId);
    } catch (error) {
      throw contextError(error);
    }
    await rateLimits.checkPrincipal(principal);
    return {
      principal,
      requestId,
      log: log.child({ requestId }),
      clientIp: req.ip,
      userAgent: req.get('user-agent'),
      signal: requestSignal(res, config.resilience.requestDeadlineMs, log),
    };
  };

  app.use(requestIdMiddleware());
  app.use(metrics.httpMiddleware());
  app.use(health.routes());
  app.get('/metrics', metrics.handler());
  const corsPolicy = cors({
    origin: config.corsOrigins,
    credentials: true,
    methods: ['GET', 'POST'],
    exposedHeaders: ['x-request-id', 'retry-after', 'etag', SCHEMA_VERSION_HEADER],
    maxAge: 600,
  });
  app.use(schemaRouter(publicSchema, corsPolicy, rateLimits.ipMiddleware()));
  app.use(browserRouter({ enabled: config.explorerEnabled }));
  // Only GraphQL is shed under overload: health, readiness and metrics always answer.
  const admission = createAdmission(config.admission, metrics);
  app.use(
    GRAPHQL_ROUTE,
    schemaVersionHeader(publicSchema),
    corsPolicy,
    admission.middleware,
    rateLimits.ipMiddleware(),
    express.json({ limit: settings.bodyLimitBytes }),
    requestChecks({ maxDocumentBytes: config.limits.maxDocumentBytes }),
    expressMiddleware(apollo, { context }),
  );
  app.use(exportsRouter({ generationUrl: config.subgraphUrls.generation, log }));
  app.use(notFound);
  app.use(jsonErrorHandler(log));

  let stopping: Promise<void> | undefined;
  return {
    httpServer,
    health,
    metrics,
    subscriptions,
    breakerStates: () => policies.states(),
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
        // Load balancers see readiness false and stop sending before the listener closes.
        if (settings.shutdownDelayMs > 0 && httpServer.listening) await sleep(settings.shutdownDelayMs);
        await subscriptions.close(settings.shutdownTimeoutMs);
        await apollo.stop();
        if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
        admission.stop();
        policies.dispose();
        client.close();
        await authenticator.close();
        await infra.close();
      })()),
  };
}

/**
 * Aborts when the request's deadline passes or its client goes away, so no subgraph keeps working for an
 * answer nobody will read. The timer is cleared as soon as the response is done. A client going away is its
 * own business: one info line per request, no stack (the cancelled subgraph calls log nothing more).
 */
function requestSignal(res: Response, deadlineMs: number, log: Logger): AbortSignal {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new RequestDeadlineError(deadlineMs)), deadlineMs);
  res.once('close', () => {
    clearTimeout(timer);
    if (res.writableFinished) return;
    log.info({ requestId: res.locals.requestId as string }, 'client closed the connection before the answer');
    controller.abort(new ClientClosedError());
  });
  return controller.signal;
}
