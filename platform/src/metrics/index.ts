import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import { BoundedLabel } from './bounded';
import { graphqlDurationPlugin } from './graphql';
import { httpDurationMiddleware } from './http';

export { BoundedLabel } from './bounded';

/**
 * Every series Atrium exports starts with this (Prometheus naming: one application prefix, base units, `_total`
 * on counters). Names given to `histogram`/`counter`/`gauge` get it unless they already carry it.
 */
export const METRIC_PREFIX = 'atrium_';

export function metricName(name: string): string {
  return name.startsWith(METRIC_PREFIX) ? name : `${METRIC_PREFIX}${name}`;
}

export interface MetricsOptions {
  /** Added as the `service` label to every series of this registry. */
  service: string;
  /** Also collect Node.js process metrics (CPU, memory, event loop, GC). Default true. */
  collectDefaults?: boolean;
}

export interface Metrics {
  /** This service's own registry; the global default registry is never used. */
  registry: Registry;
  /** Express middleware timing requests into `http_request_duration_seconds`; mount it first. */
  httpMiddleware(): RequestHandler;
  /** Apollo plugin timing operations into `graphql_operation_duration_seconds`. */
  apolloPlugin(): ApolloServerPlugin;
  /** Express handler serving the registry in Prometheus text format (mount at GET /metrics). */
  handler(): RequestHandler;
  /** A histogram on this registry; a second call with the same name returns the first one. */
  histogram(name: string, help: string, labelNames: readonly string[], buckets?: number[]): Histogram<string>;
  /** A counter on this registry; memoised by name like `histogram`. */
  counter(name: string, help: string, labelNames: readonly string[]): Counter<string>;
  /**
   * A gauge on this registry; memoised by name like `histogram`. With `read` (no labels), its value is read at
   * scrape time instead of being kept up to date on a hot path.
   */
  gauge(name: string, help: string, labelNames: readonly string[], read?: () => number): Gauge<string>;
  /** GraphQL operations served so far and how many of them had errors (for `/status` counters). */
  operationCounts(): Promise<{ operations: number; errors: number }>;
}

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const MAX_OPERATION_NAMES = 200;
const MAX_ROUTES = 200;

/** A metrics registry for one service, with the HTTP and GraphQL instrumentation every service mounts. */
export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  if (options.collectDefaults ?? true) {
    collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
    // Gauges named like counters break Prometheus naming (promtool rejects them); the same numbers are in
    // atrium_nodejs_active_{handles,requests,resources}, by type.
    for (const kind of ['handles', 'requests', 'resources'])
      registry.removeSingleMetric(`${METRIC_PREFIX}nodejs_active_${kind}_total`);
  }

  function memoised<M extends Metric<string>>(
    name: string,
    type: new (...args: never[]) => M,
    create: () => M,
  ): M {
    const existing = registry.getSingleMetric(name);
    if (existing === undefined) return create();
    if (!(existing instanceof type))
      throw new Error(`Metric ${name} is already registered with another type`);
    return existing;
  }

  const metrics: Metrics = {
    registry,
    histogram: (raw, help, labelNames, buckets = DURATION_BUCKETS) => {
      const name = metricName(raw);
      return memoised(
        name,
        Histogram,
        () => new Histogram({ name, help, labelNames, buckets, registers: [registry] }),
      );
    },
    counter: (raw, help, labelNames) => {
      const name = metricName(raw);
      return memoised(name, Counter, () => new Counter({ name, help, labelNames, registers: [registry] }));
    },
    gauge: (raw, help, labelNames, read) => {
      const name = metricName(raw);
      return memoised(
        name,
        Gauge,
        () =>
          new Gauge({
            name,
            help,
            labelNames,
            registers: [registry],
            ...(read
              ? {
                  collect() {
                    this.set(read());
                  },
                }
              : {}),
          }),
      );
    },
    operationCounts: async () => {
      const { values } = await graphqlHistogram().get();
      let operations = 0;
      let errors = 0;
      for (const sample of values) {
        if (!sample.metricName?.endsWith('_count')) continue;
        operations += sample.value;
        if (sample.labels.outcome === 'error') errors += sample.value;
      }
      return { operations, errors };
    },
    httpMiddleware: () => httpDurationMiddleware(httpHistogram(), httpRoutes),
    apolloPlugin: () => graphqlDurationPlugin(graphqlHistogram(), operationNames),
    handler: () => async (_req, res) => {
      const body = await registry.metrics();
      // Not res.send(): express would rewrite the content type prom-client chose.
      res.setHeader('content-type', registry.contentType);
      res.end(body);
    },
  };

  // Shared by every middleware/plugin instance of this service, so the caps hold per service.
  const httpRoutes = new BoundedLabel(MAX_ROUTES);
  const operationNames = new BoundedLabel(MAX_OPERATION_NAMES);
  const httpHistogram = (): Histogram<string> =>
    metrics.histogram('http_request_duration_seconds', 'HTTP request duration in seconds', [
      'method',
      'route',
      'status_code',
    ]);
  const graphqlHistogram = (): Histogram<string> =>
    metrics.histogram('graphql_operation_duration_seconds', 'GraphQL operation duration in seconds', [
      'operation',
      'type',
      'outcome',
    ]);
  return metrics;
}
