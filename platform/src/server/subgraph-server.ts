import type { Server } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import type { Express } from 'express';
import { DEFAULT_MAX_REPRESENTATIONS, inputGuardPlugin } from './input-guard';
import type { GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { requireGatewayAssertion, type GatewayCaller, type Principal } from '../auth';
import { maskError } from '../errors';
import type { HealthRegistry } from '../health';
import { requestContextOf, type Logger, type RequestContext } from '../logging';
import type { Metrics } from '../metrics';
import { GRAPHQL_PATH, serveGraphQL } from './graphql';
import { requestIdOf, requestIdPlugin } from './request-ids';
import type { Tracer } from '../tracing';
import { createHttpShell, type HttpShell, type Listening, type ServerTimeouts } from './http-shell';
import type { Resources } from './resources';
import { startSubscriptionServer } from './subscriptions';

/** What a subgraph's context function receives for every operation (HTTP or WebSocket). */
export interface BaseContext {
  principal: Principal;
  /** Always true: the guard refused every request without a gateway assertion before GraphQL ran. */
  fromGateway: true;
  requestId: string;
  /**
   * The request's correlation and trace (its SERVER span when spans are exported), for work it hands on (a queued
   * job, an outgoing call). Subgraphs serve without AsyncLocalStorage, so this is the only place it is found.
   */
  trace: Readonly<RequestContext>;
  /** The client's IP address as the gateway saw it (from the assertion); undefined when not forwarded. */
  clientIp: string | undefined;
  /** The client's User-Agent as the gateway saw it; undefined when not forwarded. */
  userAgent: string | undefined;
  log: Logger;
}

export interface SubgraphServerOptions<Ctx extends object, App extends object> {
  /** The subgraph's name: the audience its gateway assertions must carry and the label of its metrics. */
  name: string;
  version?: string;
  /** The federated schema without permissions; `permissions` (graphql-shield) is applied here. */
  schema: GraphQLSchema;
  permissions: Parameters<typeof applyMiddleware>[1];
  /** INTERNAL_TOKEN_SECRET shared with the gateway. */
  internalSecret: string;
  log: Logger;
  /** What the process opened; its checks make readiness and it is closed last on stop. Default: nothing. */
  resources?: Resources;
  /**
   * The app built on the resources (services created once per process); resolvers reach it through the
   * context. Its `close()`, when it has one, runs after HTTP drained and before the resources close.
   */
  app?: App;
  /** Builds the GraphQL context of one operation from the caller (usually `{ ...base, em, app, loaders }`). */
  context: (base: BaseContext) => Ctx;
  timeouts?: Partial<ServerTimeouts>;
  /** Largest accepted JSON body. Default 256 KB; larger bodies get 413 before parsing. */
  bodyLimit?: string;
  /**
   * Entity representations one request may carry (`_entities`); more get 400 TOO_MANY_REPRESENTATIONS before
   * any reference is resolved. Default 500 (MAX_ENTITY_REPRESENTATIONS).
   */
  maxRepresentations?: number;
  /** Extra open routes (e.g. `/.well-known/jwks.json`), mounted before the assertion guard. */
  routes?: (express: Express) => void;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: export spans there (platform/tracing); unset, none are made. */
  otlpEndpoint?: string;
}

export interface SubgraphServer<App extends object = object> {
  readonly app: App;
  readonly httpServer: Server;
  readonly health: HealthRegistry;
  readonly metrics: Metrics;
  /** The process's tracer; undefined when spans are not exported. */
  readonly tracer: Tracer | undefined;
  /** Listens (port 0 picks a free port) and resolves with the GraphQL URL. */
  listen(port: number, host?: string): Promise<Listening>;
  /** Readiness false, WebSockets closed, in-flight requests drained, then app and resources closed. Idempotent. */
  stop(): Promise<void>;
}

/**
 * A subgraph on the platform HTTP shell: the gateway assertion guard, a body limit, graphql-shield permissions,
 * masked errors, introspection and traces off, and graphql-ws when the schema has subscriptions.
 */
export async function createSubgraphServer<Ctx extends object, App extends object = object>(
  options: SubgraphServerOptions<Ctx, App>,
): Promise<SubgraphServer<App>> {
  const app = options.app ?? ({} as App);
  // No AsyncLocalStorage: its promise hook would run for every promise of every request (the ORM and driver make
  // dozens). The request's id, logger and trace travel in the GraphQL context instead (BaseContext).
  const shell = processShell({ ...options, app, urlPath: GRAPHQL_PATH, asyncRequestContext: false });
  try {
    await serveSubgraph(shell, options);
  } catch (error) {
    // Releases whatever was registered so far: GraphQL, the app, the resources.
    await shell.stop();
    throw error;
  }
  return serverOf(shell, app);
}

/**
 * The HTTP shell of one process, owning what it serves: on stop, after HTTP drained, the app closes (when it
 * has a `close()`) and then the resources.
 */
export function processShell(options: {
  name: string;
  version?: string;
  log: Logger;
  timeouts?: Partial<ServerTimeouts>;
  resources?: Resources;
  app: object;
  urlPath?: string;
  otlpEndpoint?: string;
  /** See HttpShellOptions.asyncRequestContext. Default true. */
  asyncRequestContext?: boolean;
}): HttpShell {
  const { resources, app } = options;
  const shell = createHttpShell({
    name: options.name,
    version: options.version,
    log: options.log,
    checks: resources?.checks,
    timeouts: options.timeouts,
    urlPath: options.urlPath,
    otlpEndpoint: options.otlpEndpoint,
    asyncRequestContext: options.asyncRequestContext,
  });
  if (resources) shell.onRelease(() => resources.close());
  const close = (app as { close?: () => Promise<void> }).close;
  if (typeof close === 'function') shell.onRelease(() => close.call(app));
  return shell;
}

/** What a started process hands its callers: the shell's parts, the app, listen and stop. */
export function serverOf<App extends object>(shell: HttpShell, app: App): SubgraphServer<App> {
  return {
    app,
    httpServer: shell.httpServer,
    health: shell.health,
    metrics: shell.metrics,
    tracer: shell.tracer,
    listen: (port, host) => shell.listen(port, host),
    stop: () => shell.stop(),
  };
}

async function serveSubgraph<Ctx extends object, App extends object>(
  shell: HttpShell,
  options: SubgraphServerOptions<Ctx, App>,
): Promise<void> {
  const { name, log } = options;
  const schema = applyMiddleware(options.schema, options.permissions);
  const secret = options.internalSecret;
  const buildContext = (caller: GatewayCaller, trace: RequestContext): Ctx =>
    options.context({
      principal: caller.principal,
      fromGateway: true,
      requestId: trace.requestId,
      trace,
      clientIp: caller.clientIp,
      userAgent: caller.userAgent,
      log: log.child({ requestId: trace.requestId }),
    });

  if (schema.getSubscriptionType()) {
    const subscriptions = startSubscriptionServer({
      httpServer: shell.httpServer,
      path: GRAPHQL_PATH,
      schema,
      audience: name,
      secret,
      log,
      context: (caller) => buildContext(caller, { requestId: caller.requestId ?? 'ws' }),
    });
    shell.onDrain(() => subscriptions.dispose());
  }

  options.routes?.(shell.express);
  await serveGraphQL<Ctx>(shell, {
    apollo: {
      schema,
      introspection: false,
      formatError: (formatted, error) => maskError(formatted, error, { log, requestId: requestIdOf(error) }),
      plugins: [
        ApolloServerPluginInlineTraceDisabled(),
        requestIdPlugin() as ApolloServerPlugin<Ctx>,
        inputGuardPlugin({ maxRepresentations: options.maxRepresentations ?? DEFAULT_MAX_REPRESENTATIONS }),
      ],
    },
    log,
    // The gateway logs every operation; here reads that went well are debug lines (see operationLogPlugin).
    operationLog: { readsLevel: 'debug' },
    before: [requireGatewayAssertion({ secret, audience: name })],
    bodyLimit: options.bodyLimit ?? '256kb',
    // The request-id and tracing middleware leave the request's correlation and current span in res.locals.
    context: async ({ res }) => buildContext(res.locals.caller as GatewayCaller, requestContextOf(res)),
  });
}
