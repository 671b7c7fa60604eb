import type { Server } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import cors from 'cors';
import type { Request, Response } from 'express';
import type { HealthRegistry } from '@atrium/platform/health';
import { requestContextOf, type Logger } from '@atrium/platform/logging';
import type { Metrics } from '@atrium/platform/metrics';
import { Stop, type CircuitState, type StopSignal } from '@atrium/platform/resilience';
import {
  buildOn,
  createHttpShell,
  GRAPHQL_PATH,
  notARead,
  openInfrastructure,
  prepareGraphQL,
  requestIdOf,
  requestIdPlugin,
  tagRequestId,
  unless,
  type Listening,
} from '@atrium/platform/server';
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
import { useResultShaper } from './result-shaper';
import { integrationsRouter } from './routes/integrations';
import { AssertionCache } from './subgraph/assertions';
import { InflightDedup } from './subgraph/dedup';
import { EntityBudget } from './subgraph/entity-budget';
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
  listen(port: number, host?: string): Promise<Listening>;
  /**
   * Serves a new supergraph from now on (plans and the public schema are rebuilt). Running subscriptions end
   * with SUBSCRIPTION_SCHEMA_RELOAD so clients resubscribe against the new schema. An invalid one throws and
   * the current one stays. Returns false when it is the one already served (nothing reloaded, nothing ended).
   */
  reloadSupergraph(supergraphSdl: string): boolean;
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

/**
 * The gateway: Apollo Gateway on a supergraph, served on the platform HTTP shell. It starts without contacting
 * any subgraph, so it serves (with partial data) even when one is down. Hostile operations stop before any
 * subgraph works: body limit and IP rate limit before parsing, token limit in the parser, depth/aliases/
 * directives/introspection depth in validation, cost and introspection budget once variables are known.
 */
export async function createGatewayServer(deps: GatewayDeps): Promise<GatewayServer> {
  const { config, log } = deps;
  checkRateLimits(config.rateLimits);
  useResultShaper();
  // Rate limits fail open when Redis is down, so Redis is not part of the gateway's readiness.
  const resources = openInfrastructure({ redisUrl: config.redisUrl, keyPrefix: config.redisKeyPrefix, log });
  const shell = await buildOn(resources, async () =>
    createHttpShell({
      name: 'gateway',
      version: deps.version,
      log,
      timeouts: config.server,
      trustProxyHops: config.server.trustProxyHops,
      urlPath: GRAPHQL_PATH,
      // Requests carry their id in the GraphQL context and a child logger (platform request-ids.ts), not in
      // AsyncLocalStorage, whose promise hook would run for each of the hundreds of promises a request makes.
      asyncRequestContext: false,
      otlpEndpoint: config.otlpEndpoint,
    }),
  );
  shell.onRelease(() => resources.close());
  // From here on, a failed step releases through the shell whatever was registered so far.
  try {
    const authenticator = deps.authenticator ?? createAuthenticator(config, log);
    shell.onRelease(() => authenticator.close());
    const rateLimits = new GatewayRateLimits(
      resources.infra.rateLimiter,
      config.rateLimits,
      log,
      shell.metrics,
    );
    const client = new SubgraphHttpClient(config.resilience);
    shell.onRelease(() => client.close());
    const policies = new SubgraphPolicies(config.resilience, shell.metrics);
    shell.onRelease(() => policies.dispose());
    shell.health.registerBreakers(() => [...policies.list(), ...(authenticator.breakers?.() ?? [])]);
    const urls = config.subgraphUrls as Record<string, string>;
    const assertions = new AssertionCache({
      secret: config.internalSecret,
      onResult: (result) => policies.metrics.assertions.inc({ result }),
    });
    const entities = new EntityBudget(config.entityLimits);
    // One data source per subgraph, shared by HTTP and by the subscription engine's `rest`.
    const dataSources: Record<string, SubgraphDataSource> = {};
    for (const [name, url] of Object.entries(urls))
      dataSources[name] = new SubgraphDataSource({
        name,
        url,
        client,
        policies,
        assertions,
        dedup: config.dedupSubgraphFetches ? new InflightDedup<SubgraphAnswer>() : undefined,
        entities,
      });

    let updateSupergraph: ((sdl: string) => void) | undefined;
    let servedSdl = deps.supergraphSdl;
    const gateway = new ApolloGateway({
      // The hook form keeps an `update` function, so a new supergraph can be loaded without a restart.
      supergraphSdl: async ({ update }) => {
        updateSupergraph = update;
        return { supergraphSdl: deps.supergraphSdl };
      },
      logger: log,
      buildService: ({ name }) => {
        const source = dataSources[name];
        if (!source) throw new Error(`No URL configured for subgraph "${name}"`);
        return source;
      },
    });
    const publicSchema = new PublicSchemaDocument();
    const introspectionCache = introspectionCachePlugin();
    shell.health.register({
      name: 'supergraph',
      kind: 'schema',
      check: async () => {
        if (!publicSchema.sdl) throw new Error('supergraph not loaded');
        if (!client.isOpen) throw new Error('subgraph client pool closed');
      },
    });
    // Visible, not fatal: with a stale key set the gateway still verifies tokens (and serves anonymous callers).
    shell.health.register({
      name: 'identity-jwks',
      kind: 'http',
      check: async () => {
        const message = authenticator.healthNote?.();
        return message === undefined ? undefined : { message };
      },
    });

    const context = async ({ req, res }: { req: Request; res: Response }): Promise<GatewayContext> => {
      const correlation = requestContextOf(res);
      const { requestId, traceId } = correlation;
      let principal;
      try {
        principal = await authenticator.authenticate(req.headers, requestId);
      } catch (error) {
        throw tagRequestId(contextError(error), requestId);
      }
      try {
        await rateLimits.checkPrincipal(principal);
      } catch (error) {
        throw tagRequestId(error, requestId);
      }
      let requestLog: Logger | undefined;
      return {
        principal,
        ...correlation,
        // Made when first used: most requests log nothing through it, and a pino child costs a bindings string.
        get log(): Logger {
          return (requestLog ??= log.child(
            traceId && traceId !== requestId ? { requestId, traceId } : { requestId },
          ));
        },
        clientIp: req.ip,
        userAgent: req.get('user-agent'),
        signal: requestSignal(res, config.resilience.requestDeadlineMs, log),
      };
    };

    const corsPolicy = cors({
      origin: config.corsOrigins,
      credentials: true,
      methods: ['GET', 'POST'],
      exposedHeaders: ['x-request-id', 'retry-after', 'etag', SCHEMA_VERSION_HEADER],
      maxAge: 600,
    });
    // A GET route only: POST /graphql, nearly all the traffic, passes it without entering the router.
    shell.express.use(unless(notARead, schemaRouter(publicSchema, corsPolicy, rateLimits.ipMiddleware())));
    // Only GraphQL is shed under overload: health, readiness and metrics always answer.
    const admission = createAdmission(config.admission, shell.metrics);
    shell.onRelease(() => admission.stop());
    const graphql = prepareGraphQL<GatewayContext>(shell, {
      apollo: {
        gateway,
        // Integrators read the schema by introspection; it is the public API schema, without federation internals.
        introspection: true,
        hideSchemaDetailsFromClientErrors: true,
        csrfPrevention: true,
        allowBatchedHttpRequests: false,
        parseOptions: { maxTokens: config.limits.maxTokens },
        validationRules: limitValidationRules(config.limits),
        validationOptions: { maxErrors: MAX_VALIDATION_ERRORS },
        // Apollo's default store sizes documents without the source text they retain (see BoundedDocumentCache).
        documentStore:
          config.server.documentCacheMaxBytes > 0
            ? new BoundedDocumentCache(config.server.documentCacheMaxBytes)
            : null,
        persistedQueries:
          config.server.apqCacheMaxBytes > 0
            ? { cache: new BoundedQueryCache(config.server.apqCacheMaxBytes), ttl: APQ_TTL_SECONDS }
            : false,
        formatError: (formatted, error) =>
          formatGatewayError(formatted, error, { log, requestId: requestIdOf(error) }),
        plugins: [
          requestIdPlugin(),
          operationGuardPlugin({ limits: config.limits, rateLimits, metrics: shell.metrics }),
          introspectionCache,
          refuseSubscriptionsOverHttp(GRAPHQL_PATH),
        ],
      },
      log,
      before: [
        schemaVersionHeader(publicSchema),
        corsPolicy,
        admission.middleware,
        rateLimits.ipMiddleware(),
      ],
      after: [requestChecks({ maxDocumentBytes: config.limits.maxDocumentBytes })],
      bodyLimit: config.server.bodyLimitBytes,
      context,
    });
    const subscriptions = attachSubscriptions({
      httpServer: shell.httpServer,
      path: GRAPHQL_PATH,
      settings: config.subscriptions,
      limits: config.limits,
      corsOrigins: config.corsOrigins,
      trustProxyHops: config.server.trustProxyHops,
      requestDeadlineMs: config.resilience.requestDeadlineMs,
      internalSecret: config.internalSecret,
      subgraphUrls: urls,
      services: () => dataSources,
      authenticator,
      rateLimits,
      executeOperation: async (request, contextValue) => {
        const response = await graphql.apollo.executeOperation(request, { contextValue });
        if (response.body.kind === 'single') return response.body.singleResult;
        return { errors: [{ message: 'Incremental delivery is not supported over WebSocket' }] };
      },
      metrics: shell.metrics,
      log,
    });
    shell.onDrain(() => subscriptions.close(config.server.shutdownTimeoutMs));
    gateway.onSchemaLoadOrUpdate((schema) => {
      publicSchema.update(schema.apiSchema);
      introspectionCache.reset();
      subscriptions.schemaLoaded(schema);
    });
    // The browser router answers GET /graphql for navigations; as an express Router with that route it would
    // also answer a CORS preflight of /graphql itself (200, no CORS headers), so preflights are handled first.
    shell.express.options(GRAPHQL_PATH, corsPolicy);
    // Of the browser routes only `GET /graphql` has the API's path, so an API request skips the router.
    shell.express.use(unless(isGraphQLPost, browserRouter({ enabled: config.explorerEnabled })));
    await graphql.serve();
    shell.express.use(exportsRouter({ generationUrl: config.subgraphUrls.generation, log }));
    shell.express.use(
      integrationsRouter({
        integrationsUrl: config.subgraphUrls.integrations,
        guard: rateLimits.ipMiddleware(),
        log,
      }),
    );

    return {
      httpServer: shell.httpServer,
      health: shell.health,
      metrics: shell.metrics,
      subscriptions,
      breakerStates: () => policies.states(),
      reloadSupergraph: (sdl) => {
        if (!updateSupergraph) throw new Error('the gateway has not loaded its first supergraph yet');
        if (sdl === servedSdl) return false;
        updateSupergraph(sdl);
        servedSdl = sdl;
        return true;
      },
      listen: (port, host) => shell.listen(port, host),
      stop: () => shell.stop(),
    };
  } catch (error) {
    await shell.stop();
    throw error;
  }
}

/** `POST /graphql` exactly: an API request, which no route of the browser face answers. */
function isGraphQLPost(req: Request): boolean {
  return req.method === 'POST' && req.url === GRAPHQL_PATH;
}

/**
 * Aborts when the request's deadline passes or its client goes away, so no subgraph keeps working for an
 * answer nobody will read. The timer is cleared as soon as the response is done. A client going away is its
 * own business: one info line per request, no stack (the cancelled subgraph calls log nothing more).
 */
function requestSignal(res: Response, deadlineMs: number, log: Logger): StopSignal {
  // A Stop rather than an AbortController: Node builds each AbortSignal as an EventTarget (microseconds of CPU),
  // and this one only reaches the request's subgraph calls.
  const controller = new Stop();
  const timer = setTimeout(() => controller.abort(new RequestDeadlineError(deadlineMs)), deadlineMs);
  res.once('close', () => {
    clearTimeout(timer);
    if (res.writableFinished) return;
    log.info({ requestId: res.locals.requestId as string }, 'client closed the connection before the answer');
    controller.abort(new ClientClosedError());
  });
  return controller;
}
