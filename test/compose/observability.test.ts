// The observability profile's files, checked with Prometheus's own promtool and against the services compose runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describeWithPromtool, promtool } from '@atrium/platform/testing';
import { metricsUsed, observabilityExpressions, readCompose } from './stack-files';

const ROOT = join(__dirname, '..', '..');
const file = (path: string) => join(ROOT, path);
const yaml = <T>(path: string): T => parse(readFileSync(file(path), 'utf8')) as T;

interface ScrapeConfig {
  job_name: string;
  static_configs: Array<{ targets: string[]; labels?: Record<string, string> }>;
}
interface Dashboard {
  panels: Array<{ title: string; datasource: { uid: string }; targets: Array<{ expr: string }> }>;
}

describeWithPromtool('observability profile', () => {
  const compose = readCompose();

  it('promtool accepts the Prometheus configuration and its rules', () => {
    expect(promtool(['check', 'config', file('ops/prometheus/prometheus.yml')])).toMatchObject({ status: 0 });
    const rules = promtool(['check', 'rules', file('ops/prometheus/atrium.rules.yml')]);
    expect(rules).toMatchObject({ status: 0 });
    expect(rules.output).toContain('SUCCESS: 6 rules found');
  });

  it('scrapes every Atrium process compose runs, at the port it listens on', () => {
    const config = yaml<{ scrape_configs: ScrapeConfig[] }>('ops/prometheus/prometheus.yml');
    const targets = config.scrape_configs.flatMap((scrape) =>
      scrape.static_configs.flatMap((c) => c.targets),
    );
    const monitored = (compose.services.monitoring?.environment as Record<string, string>)
      .MONITORING_TARGETS!;
    const expected = monitored.split(',').map((pair) => new URL(pair.split('=')[1]!).host);
    expect(targets.sort()).toEqual(expected.sort());
  });

  it('mounts the files where the configuration and Grafana provisioning look for them', () => {
    expect(compose.services.prometheus?.volumes).toEqual(
      expect.arrayContaining([
        './ops/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
        './ops/prometheus/atrium.rules.yml:/etc/prometheus/atrium.rules.yml:ro',
      ]),
    );
    const provider = yaml<{ providers: Array<{ options: { path: string } }> }>(
      'ops/grafana/provisioning/dashboards/atrium.yml',
    );
    expect(compose.services.grafana?.volumes).toContain(
      `./ops/grafana/dashboards:${provider.providers[0]!.options.path}:ro`,
    );
    const datasource = yaml<{ datasources: Array<{ uid: string; url: string }> }>(
      'ops/grafana/provisioning/datasources/prometheus.yml',
    ).datasources[0]!;
    expect(datasource.url).toBe('http://prometheus:9090');
    const dashboard = JSON.parse(
      readFileSync(file('ops/grafana/dashboards/atrium.json'), 'utf8'),
    ) as Dashboard;
    for (const panel of dashboard.panels)
      expect([panel.title, panel.datasource.uid]).toEqual([panel.title, datasource.uid]);
  });

  it('has a dashboard panel for each thing an operator watches', () => {
    const used = observabilityExpressions().flatMap(metricsUsed);
    for (const metric of [
      'atrium_http_request_duration_seconds_count',
      'atrium_graphql_operation_duration_seconds_count',
      'atrium_graphql_operation_duration_seconds_bucket',
      'atrium_gateway_subgraph_fetch_duration_seconds_bucket',
      'atrium_circuit_breaker_state',
      'atrium_queue_jobs',
      'atrium_generation_jobs_total',
      'atrium_gateway_subscriptions_active',
    ])
      expect(used).toContain(metric);
  });
});
