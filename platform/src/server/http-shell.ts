import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import express, { type Express } from 'express';
import { connectHealthAndMetrics, HealthRegistry, type DependencyCheck } from '../health';
import { requestIdMiddleware, type Logger } from '../logging';
import { createMetrics, type Metrics } from '../metrics';
import { createTracing, tracingMiddleware, type Tracer } from '../tracing';
import { drainOnClose } from './drain';
import { jsonErrorHandler, notFound } from './http-errors';
import { notARead, unless } from './layers';

/** How long a client may take; the defaults hold for every service (HEADERS_TIMEOUT_MS… in the config). */
export interface ServerTimeouts {
  /** Whole request head; a client trickling headers is answered 408 and disconnected then. Default 10 s. */
  headersTimeoutMs: number;
  /** Whole request, body included. Default 30 s. */
  requestTimeoutMs: number;
  /**
   * Idle keep-alive socket. Longer than the gateway's pooled-connection idle time so a service never closes a
   * socket the gateway is about to reuse (which would surface as ECONNRESET). Default 65 s.
   */
  keepAliveTimeoutMs: number;
  /** Longest wait for in-flight requests during stop before their connections are closed. Default 20 s. */
  shutdownTimeoutMs: number;
  /** After stop() begins, readiness is false and requests are still served this long. Default 0. */
  shutdownDelayMs: number;
}

export const DEFAULT_SERVER_TIMEOUTS: ServerTimeouts = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 65_000,
  shutdownTimeoutMs: 20_000,
  shutdownDelayMs: 0,
});

export interface HttpShellOptions {
  /** Service name in health reports and metric labels. */
  name: string;
  version?: string;
  log: Logger;
  /** What readiness depends on (usually the opened resources' checks). */
  checks?: readonly DependencyCheck[];
  timeouts?: Partial<ServerTimeouts>;
  /** Proxies in front whose X-Forwarded-For is trusted for the client IP. Default 0 (none). */
  trustProxyHops?: number;
  /** Path the listen URL points at, e.g. `/graphql`. Default: the origin only. */
  urlPath?: string;
  /**
   * Whether requests run inside AsyncLocalStorage (`currentRequestContext()`, the logger's `requestId` mixin).
   * Default true. false spares every promise Node's promise hooks; the service then carries the request id itself.
   */
  asyncRequestContext?: boolean;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: spans of this process are exported there; unset, none are made. */
  otlpEndpoint?: string;
}

export interface Listening {
  /** The origin plus `urlPath`, on 127.0.0.1. */
  url: string;
  origin: string;
  port: number;
}

/**
 * The HTTP side every process shares: express with request ids, metrics, `/healthz`, `/readyz` and `/metrics`,
 * server timeouts, listen, and one stop sequence. Services add their routes to `express` before `listen`.
 */
export interface HttpShell {
  readonly express: Express;
  readonly httpServer: Server;
  readonly health: HealthRegistry;
  readonly metrics: Metrics;
  /** This process's tracer, undefined when spans are not exported (platform/tracing). */
  readonly tracer: Tracer | undefined;
  /** Work done before the listener closes (close WebSockets), in registration order. */
  onDrain(step: () => Promise<void> | void): void;
  /** Released after in-flight requests finished, last registered first (GraphQL, then app, then resources). */
  onRelease(step: () => Promise<void> | void): void;
  /** Adds the 404 and error handlers after every route, then listens (port 0 picks a free port). */
  listen(port: number, host?: string): Promise<Listening>;
  /** Readiness false, optional delay, drains, in-flight requests finish (bounded), releases. Idempotent. */
  stop(): Promise<void>;
}

export function createHttpShell(options: HttpShellOptions): HttpShell {
  const { log } = options;
  const timeouts = { ...DEFAULT_SERVER_TIMEOUTS, ...options.timeouts };
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxyHops ? options.trustProxyHops : false);
  const httpServer = createServer(
    {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      keepAliveTimeout: timeouts.keepAliveTimeoutMs,
      // Node checks the header/request timeouts on this interval (30 s by default), which would let a slow
      // client hold a socket far beyond them.
      connectionsCheckingInterval: Math.min(1000, timeouts.headersTimeoutMs),
    },
    app,
  );
  const drain = drainOnClose(httpServer);
  const health = new HealthRegistry({ service: options.name, version: options.version });
  for (const check of options.checks ?? []) health.register(check);
  const metrics = createMetrics({ service: options.name });
  // /metrics shows readiness, breakers and queues; /status shows the GraphQL operation and error counts.
  connectHealthAndMetrics(health, metrics);
  app.use(requestIdMiddleware({ asyncContext: options.asyncRequestContext }));
  app.use(metrics.httpMiddleware());
  // GET routes only: every API request (POST) passes them without entering the router.
  app.use(unless(notARead, health.routes()));
  app.get('/metrics', metrics.handler());
  // After the probes and /metrics, which would otherwise add a span to every poll.
  const tracing = createTracing({
    service: options.name,
    version: options.version,
    endpoint: options.otlpEndpoint,
  });
  if (tracing.tracer) app.use(tracingMiddleware(tracing.tracer));

  const drains: Array<() => Promise<void> | void> = [];
  // Released last (first registered): the spans of the last requests are still exported.
  const releases: Array<() => Promise<void> | void> = [() => tracing.shutdown()];
  let sealed = false;
  let stopping: Promise<void> | undefined;
  return {
    express: app,
    httpServer,
    tracer: tracing.tracer,
    health,
    metrics,
    onDrain: (step) => void drains.push(step),
    onRelease: (step) => void releases.push(step),
    listen: (port, host = '0.0.0.0') => {
      if (!sealed) {
        sealed = true;
        app.use(notFound);
        app.use(jsonErrorHandler(log));
      }
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          const actual = (httpServer.address() as AddressInfo).port;
          const origin = `http://127.0.0.1:${actual}`;
          resolve({ url: `${origin}${options.urlPath ?? ''}`, origin, port: actual });
        });
      });
    },
    stop: () =>
      (stopping ??= (async () => {
        health.startShutdown();
        // Load balancers see readiness false and stop sending before the listener closes.
        if (timeouts.shutdownDelayMs > 0 && httpServer.listening) await sleep(timeouts.shutdownDelayMs);
        for (const step of drains) await step();
        await drain(timeouts.shutdownTimeoutMs);
        const failures: unknown[] = [];
        for (const step of [...releases].reverse()) {
          try {
            await step();
          } catch (error) {
            failures.push(error);
          }
        }
        if (failures.length > 0) throw new AggregateError(failures, 'stop: some resources failed to close');
      })()),
  };
}
