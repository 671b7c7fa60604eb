import type { Server } from 'node:http';
import type { ServiceMap } from '@apollo/gateway';
import type { FormattedExecutionResult, GraphQLSchema } from 'graphql';
import { ANONYMOUS, signInternalAssertion } from '@atrium/platform/auth';
import type { Logger } from '@atrium/platform/logging';
import type { Metrics } from '@atrium/platform/metrics';
import type { Authenticator } from '../auth';
import type { OperationLimits } from '../config-hardening';
import type { GatewayContext } from '../context';
import type { GatewayRateLimits } from '../rate-limits';
import type { SubscriptionSettings } from './config';
import { SubscriptionEngine } from './engine';
import { lifecycleError } from './errors';
import { subscriptionMetrics } from './metrics';
import { SubscriptionPlanner } from './planner';
import { startSocketServer } from './socket-server';
import { UpstreamPool } from './upstream';

export { subscriptionSpec, subscriptionSettings, type SubscriptionSettings } from './config';
export { subscriptionErrors } from './errors';
export { refuseSubscriptionsOverHttp } from './http-refusal';

/** Lifetime of the assertions carried by upstream subscriptions; they are renewed at half of it. */
const ASSERTION_TTL_SECONDS = 60;

export interface AttachSubscriptionsOptions {
  httpServer: Server;
  /** The path clients connect to (the gateway's `/graphql`). */
  path: string;
  settings: SubscriptionSettings;
  limits: OperationLimits;
  corsOrigins: readonly string[];
  trustProxyHops: number;
  requestDeadlineMs: number;
  internalSecret: string;
  /** Each subgraph's HTTP GraphQL URL; its graphql-ws endpoint is the same URL over ws(s). */
  subgraphUrls: Readonly<Record<string, string>>;
  /** The data sources HTTP uses (same headers, resilience policies, masking) for `rest`. */
  services: () => ServiceMap;
  authenticator: Authenticator;
  rateLimits: GatewayRateLimits;
  executeOperation: (
    request: { query: string; variables?: Record<string, unknown>; operationName?: string },
    context: GatewayContext,
  ) => Promise<FormattedExecutionResult>;
  metrics: Metrics;
  log: Logger;
}

export interface GatewaySubscriptions {
  /** Give it every schema the gateway loads (onSchemaLoadOrUpdate); a reload ends running subscriptions. */
  schemaLoaded(schema: { apiSchema: GraphQLSchema; coreSupergraphSdl: string }): void;
  /** Subscriptions served now. */
  readonly activeCount: number;
  /** Upstream streams and sockets open now (leak checks). */
  upstreamCounts(): { streams: number; sockets: number };
  /** SUBSCRIPTION_SHUTDOWN to every subscriber, then every socket closed with 1001 (within `timeoutMs`). */
  close(timeoutMs: number): Promise<void>;
}

/**
 * The gateway's subscription engine on its HTTP server: graphql-ws for clients at `path`, the gateway's own
 * query planner for `{ primary, rest }`, pooled graphql-ws upstreams to the owning subgraphs, and `rest` per
 * event through the gateway's executor with the HTTP data sources.
 */
export function attachSubscriptions(options: AttachSubscriptionsOptions): GatewaySubscriptions {
  const { log, settings } = options;
  // Read only at scrape time, once the engine exists.
  const metrics = subscriptionMetrics(options.metrics, () => engine.queuedEvents());
  const planner = new SubscriptionPlanner();
  const sign = (context: GatewayContext, subgraph: string) =>
    signInternalAssertion(context.principal, {
      secret: options.internalSecret,
      audience: subgraph,
      requestId: context.requestId,
      clientIp: context.clientIp,
      userAgent: context.userAgent,
      ttlSeconds: ASSERTION_TTL_SECONDS,
    });
  const pool = new UpstreamPool({
    urls: options.subgraphUrls,
    connectionAssertion: (subgraph) =>
      signInternalAssertion(ANONYMOUS, {
        secret: options.internalSecret,
        audience: subgraph,
        ttlSeconds: ASSERTION_TTL_SECONDS,
      }),
    settings: settings.upstream,
    metrics,
    log,
  });
  const engine = new SubscriptionEngine({
    planner,
    pool,
    services: options.services,
    sign,
    metrics,
    log,
    settings: {
      queueCapacity: settings.queueCapacity,
      replayLimit: settings.queueCapacity,
      maxPending: settings.queueCapacity,
      renewIntervalMs: (ASSERTION_TTL_SECONDS * 1000) / 2,
    },
  });
  let apiSchema: GraphQLSchema | undefined;
  const sockets = startSocketServer({
    httpServer: options.httpServer,
    path: options.path,
    settings,
    limits: options.limits,
    corsOrigins: options.corsOrigins,
    trustProxyHops: options.trustProxyHops,
    authenticator: options.authenticator,
    rateLimits: options.rateLimits,
    engine,
    apiSchema: () => apiSchema,
    executeOperation: options.executeOperation,
    requestDeadlineMs: options.requestDeadlineMs,
    credentialRecheckMs: settings.credentialRecheckMs,
    metrics,
    log,
  });

  return {
    schemaLoaded: ({ apiSchema: schema, coreSupergraphSdl }) => {
      const reload = apiSchema !== undefined;
      planner.load(coreSupergraphSdl, schema);
      apiSchema = schema;
      if (reload) {
        engine.endAll(
          'schema_reload',
          lifecycleError('SUBSCRIPTION_SCHEMA_RELOAD', 'The gateway loaded a new schema; subscribe again'),
        );
      }
    },
    get activeCount() {
      return sockets.activeCount;
    },
    upstreamCounts: () => ({ streams: engine.streamCount, sockets: pool.openSockets() }),
    close: async (timeoutMs) => {
      engine.endAll(
        'shutdown',
        lifecycleError('SUBSCRIPTION_SHUTDOWN', 'The gateway is shutting down; reconnect'),
      );
      await sockets.close(
        lifecycleError('SUBSCRIPTION_SHUTDOWN', 'The gateway is shutting down; reconnect'),
        timeoutMs,
      );
      await pool.close();
    },
  };
}
