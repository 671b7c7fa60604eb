import { ApolloServer } from '@apollo/server';
import { Counter, Gauge, Histogram, register as globalRegistry } from 'prom-client';
import { BoundedLabel, createMetrics, type Metrics } from '../../src/metrics';

/** The `_count` samples of a histogram, keyed by their labels. */
async function counts(
  metrics: Metrics,
  name: string,
): Promise<Array<{ labels: Record<string, unknown>; value: number }>> {
  const metric = metrics.registry.getSingleMetric(`atrium_${name}`) as Histogram | undefined;
  if (!metric) return [];
  const { values } = await metric.get();
  return values
    .filter((v) => v.metricName === `atrium_${name}_count`)
    .map(({ labels, value }) => ({ labels, value }));
}

describe('createMetrics', () => {
  it('gives each service its own registry, never the global one', async () => {
    const a = createMetrics({ service: 'identity', collectDefaults: false });
    const b = createMetrics({ service: 'generation', collectDefaults: false });
    a.counter('logins_total', 'Sign-ins', ['outcome']).inc({ outcome: 'ok' });
    expect(a.registry).not.toBe(b.registry);
    expect(await a.registry.metrics()).toContain('atrium_logins_total{outcome="ok",service="identity"} 1');
    expect(await b.registry.metrics()).not.toContain('logins_total');
    expect(await globalRegistry.metrics()).not.toContain('logins_total');
  });

  it('collects Node.js process metrics by default, labelled with the service', async () => {
    const withDefaults = createMetrics({ service: 'gateway' });
    const text = await withDefaults.registry.metrics();
    expect(text).toMatch(/process_cpu_user_seconds_total\{service="gateway"\}/);
    expect(text).toContain('atrium_nodejs_heap_size_used_bytes');
    const without = createMetrics({ service: 'gateway', collectDefaults: false });
    expect(await without.registry.metrics()).not.toContain('process_cpu');
  });

  it('memoises helpers by name and refuses a name reused with another type', () => {
    const metrics = createMetrics({ service: 'x', collectDefaults: false });
    const histogram = metrics.histogram('job_seconds', 'Job duration', ['kind'], [1, 5]);
    expect(histogram).toBeInstanceOf(Histogram);
    expect(metrics.histogram('job_seconds', 'Job duration', ['kind'])).toBe(histogram);
    expect(metrics.counter('jobs_total', 'Jobs', [])).toBeInstanceOf(Counter);
    expect(metrics.counter('jobs_total', 'Jobs', [])).toBe(metrics.counter('jobs_total', 'Jobs', []));
    expect(metrics.gauge('queue_depth', 'Queued jobs', ['queue'])).toBeInstanceOf(Gauge);
    expect(() => metrics.gauge('jobs_total', 'Jobs', [])).toThrow(/another type/);
  });
});

describe('apolloPlugin', () => {
  const typeDefs = 'type Query { ok: Int fail: Int } type Mutation { touch: Int }';
  const resolvers = {
    Query: {
      ok: () => 1,
      fail: () => {
        throw new Error('boom');
      },
    },
    Mutation: { touch: () => 1 },
  };

  async function withServer(fn: (server: ApolloServer, metrics: Metrics) => Promise<void>): Promise<void> {
    const metrics = createMetrics({ service: 'identity', collectDefaults: false });
    const server = new ApolloServer({ typeDefs, resolvers, plugins: [metrics.apolloPlugin()] });
    await server.start();
    try {
      await fn(server, metrics);
    } finally {
      await server.stop();
    }
  }

  it('times each operation by name, type and outcome', () =>
    withServer(async (server, metrics) => {
      await server.executeOperation({ query: 'query Home { ok }' });
      await server.executeOperation({ query: 'query Home { ok }' });
      await server.executeOperation({ query: '{ fail }' });
      await server.executeOperation({ query: 'mutation Touch { touch }' });
      await server.executeOperation({ query: '{ nope }' });
      expect(await counts(metrics, 'graphql_operation_duration_seconds')).toEqual(
        expect.arrayContaining([
          { labels: { operation: 'Home', type: 'query', outcome: 'ok' }, value: 2 },
          { labels: { operation: 'anonymous', type: 'query', outcome: 'error' }, value: 1 },
          { labels: { operation: 'Touch', type: 'mutation', outcome: 'ok' }, value: 1 },
          { labels: { operation: 'anonymous', type: 'unknown', outcome: 'error' }, value: 1 },
        ]),
      );
      expect(await metrics.registry.metrics()).toMatch(
        /atrium_graphql_operation_duration_seconds_count\{service="identity",operation="Home",type="query",outcome="ok"\} 2/,
      );
    }));

  it('caps operation names at 200 distinct values, then counts the rest as "other"', () =>
    withServer(async (server, metrics) => {
      for (let i = 0; i < 205; i++) await server.executeOperation({ query: `query Op${i} { ok }` });
      await server.executeOperation({ query: 'query Op0 { ok }' });
      const samples = await counts(metrics, 'graphql_operation_duration_seconds');
      const names = new Set(samples.map((s) => s.labels.operation));
      expect(names.size).toBe(201);
      expect(samples.find((s) => s.labels.operation === 'other')?.value).toBe(5);
      expect(samples.find((s) => s.labels.operation === 'Op0')?.value).toBe(2);
    }));
});

describe('BoundedLabel', () => {
  it('passes the first values through and maps later new ones to the overflow value', () => {
    const label = new BoundedLabel(2, 'other');
    expect(['a', 'b', 'c', 'a', 'b', 'd'].map((v) => label.value(v))).toEqual([
      'a',
      'b',
      'other',
      'a',
      'b',
      'other',
    ]);
  });
});
