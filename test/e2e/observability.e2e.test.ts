// Every process of a real stack (gateway and four subgraphs on port 0): /metrics parsed and linted by Prometheus's
// own promtool, one atrium_ prefix, every metric the Prometheus rules and the Grafana dashboard use really
// exported, each documented in docs/monitoring.md; /status in the IETF format; readiness false from the first
// moment of shutdown.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithPromtool, postGraphQL, promtool } from '@atrium/platform/testing';
import { metricsUsed, observabilityExpressions } from '../compose/stack-files';
import { startStack, type Stack } from '../src/stack';

const HISTOGRAM_SERIES = /_(bucket|count|sum)$/;
const DOCS = readFileSync(join(__dirname, '..', '..', 'docs', 'monitoring.md'), 'utf8');

describeWithPromtool('observability of every process', () => {
  let stack: Stack;
  let origins: Record<string, string>;

  beforeAll(async () => {
    stack = await startStack();
    origins = {
      gateway: new URL(stack.gatewayUrl).origin,
      ...Object.fromEntries(
        Object.entries(stack.subgraphs).map(([name, { url }]) => [name, new URL(url).origin]),
      ),
    };
    // Some traffic, so histograms and counters have samples.
    await postGraphQL(stack.gatewayUrl, '{ integrationProviders { id } modelProviders { id } }');
  });
  afterAll(() => stack?.stop());

  const families = async (origin: string) => {
    const text = await (await fetch(`${origin}/metrics`)).text();
    const names = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => match[1]!);
    return { text, names };
  };

  it('serves /metrics that promtool parses and lints clean, every name prefixed atrium_', async () => {
    for (const [name, origin] of Object.entries(origins)) {
      const { text, names } = await families(origin);
      expect([name, promtool(['check', 'metrics'], text)]).toEqual([name, { status: 0, output: '' }]);
      expect([name, names.filter((metric) => !metric.startsWith('atrium_'))]).toEqual([name, []]);
      expect(text).toContain(`atrium_ready{service="${name}"} 1`);
    }
  });

  it('exports every metric the Prometheus rules and the Grafana dashboard use', async () => {
    const exported = new Set<string>();
    for (const origin of Object.values(origins))
      for (const name of (await families(origin)).names) exported.add(name);
    const used = observabilityExpressions()
      .flatMap(metricsUsed)
      .map((metric) => (exported.has(metric) ? metric : metric.replace(HISTOGRAM_SERIES, '')));
    expect([...new Set(used)].filter((metric) => !exported.has(metric))).toEqual([]);
  });

  it('documents every exported metric in docs/monitoring.md', async () => {
    const exported = new Set<string>();
    for (const origin of Object.values(origins))
      for (const name of (await families(origin)).names) exported.add(name);
    const own = [...exported].filter((name) => !/^atrium_(process|nodejs)_/.test(name));
    expect(own.filter((name) => !DOCS.includes(`\`${name}\``))).toEqual([]);
  });

  it('serves /status in the IETF health-check format, with the gateway breaker of each subgraph', async () => {
    for (const [name, origin] of Object.entries(origins)) {
      const response = await fetch(`${origin}/status`);
      expect(response.headers.get('content-type')).toMatch(/^application\/health\+json/);
      const document = (await response.json()) as { status: string; serviceId: string; checks: object };
      expect([name, document.status, document.serviceId]).toEqual([name, 'pass', name]);
      expect(Object.keys(document.checks)).toEqual(
        expect.arrayContaining(['uptime', 'graphql.operations:count']),
      );
    }
    const gateway = (await (await fetch(`${origins.gateway}/status`)).json()) as { checks: object };
    expect(Object.keys(gateway.checks)).toEqual(
      expect.arrayContaining([
        'subgraph:identity:circuitBreaker',
        'subgraph:generation:circuitBreaker',
        'identity:api-key-verification:circuitBreaker',
      ]),
    );
    const generation = (await (await fetch(`${origins.generation}/status`)).json()) as { checks: object };
    expect(Object.keys(generation.checks)).toEqual(
      expect.arrayContaining(['generation:queue', 'provider:local:circuitBreaker']),
    );
  });

  it('turns readiness false at the first moment of shutdown, on every process', async () => {
    const processes = [stack.gateway, ...Object.values(stack.subgraphs).map((s) => s.server)];
    for (const server of processes) {
      const stopping = server.stop();
      expect((await server.health.report()).status).toBe('DOWN');
      await stopping;
    }
  });
});
