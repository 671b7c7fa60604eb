import { spawn, type ChildProcess } from 'node:child_process';
import type { Client } from 'graphql-ws';
import { ANONYMOUS, type Principal } from '@atrium/platform/auth';
import type { Logger } from '@atrium/platform/logging';
import {
  serveHealthFixture,
  silentLogger,
  startTestSubgraph,
  TEST_INTERNAL_SECRET,
  type HealthFixture,
  type HealthFixtureOptions,
  type Leftovers,
  type TestEnv,
  type TestSubgraph,
  type TestDeploymentOptions,
} from '@atrium/platform/testing';
import { ALERTS_TOPIC, type AlertView } from '../../src/alert/alert.service';
import { loadMonitoringConfig } from '../../src/config';
import { createMonitoringServer, type MonitoringServer } from '../../src/server';

export const SECRET = TEST_INTERNAL_SECRET;
export const ADMIN: Principal = { ...ANONYMOUS, kind: 'user', userId: 'admin-1', roles: ['ADMIN'] };
export const silentLog: Logger = silentLogger('monitoring-test');

export type { MonitoringServer };
export type Harness = TestSubgraph<MonitoringServer>;

/**
 * The monitoring subgraph on port 0, on a fresh SQLite deployment unless `options` say otherwise. Unless
 * `options.poll`, it does not poll by itself: tests poll by hand.
 */
export function startMonitoring(
  env: TestEnv,
  leftovers: Leftovers,
  options: TestDeploymentOptions & {
    poll?: boolean;
    log?: Logger;
  } = {},
): Promise<Harness> {
  const { poll = false, log = silentLog, ...deployment } = options;
  return startTestSubgraph({
    name: 'monitoring',
    start: (vars) =>
      createMonitoringServer({
        config: loadMonitoringConfig({
          LOG_LEVEL: 'silent',
          MONITORING_ALERT_SERVICE_DOWN_SECONDS: '0',
          MONITORING_ALERT_BREAKER_OPEN_SECONDS: '0',
          ...vars,
        }),
        log,
        startPoller: poll,
      }),
    leftovers,
    env,
    deployment,
  });
}

/** The counters monitoring's rules read from a service's `/status`. */
const RULE_COUNTERS = { 'graphql.operations': 0, 'graphql.errors': 0, 'audit.signin.failed': 0 };

export type FakeService = HealthFixture;

/** A real service on port 0 with the platform health routes and the counters the alert rules read. */
export function fakeService(
  leftovers: Leftovers,
  name: string,
  options?: HealthFixtureOptions,
): Promise<FakeService> {
  return serveHealthFixture(leftovers, name, { counters: RULE_COUNTERS, ...options });
}

/** A separate process serving `/status`, for freezing with SIGSTOP. Resolves once it listens. */
export async function childService(leftovers: Leftovers): Promise<{ child: ChildProcess; url: string }> {
  const script = `
    const http = require('node:http');
    const server = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/health+json');
      res.end(JSON.stringify({ status: 'pass', version: '9.9.9', releaseId: '9.9.9', serviceId: 'child', checks: {} }));
    });
    server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  leftovers.defer(() => {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', () => reject(new Error('child service exited')));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

type Result<T> = IteratorResult<{ data?: T | null; errors?: unknown }>;

/**
 * An `alertsChanged` subscription that is known to be live: a marker alert is published on the bus until the
 * subscriber receives one (no sleep-and-hope), and markers are skipped afterwards.
 */
export async function liveAlertChanges<T extends { alertsChanged: { id: string } }>(
  harness: Harness,
  client: Client,
  query: string,
): Promise<{ next(): Promise<Result<T>>; return(): Promise<unknown> }> {
  const iterator = client.iterate<T>({ query });
  const marker: AlertView = {
    id: 'marker',
    rule: 'marker',
    severity: 'INFO',
    state: 'FIRING',
    summary: 'marker',
    service: null,
    startedAt: new Date().toISOString(),
    resolvedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
  };
  const first = iterator.next();
  let received = false;
  void first.then(() => (received = true));
  while (!received) {
    await harness.server.app.resources.infra.events.publish(ALERTS_TOPIC, marker);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    async next() {
      for (;;) {
        const result = (await iterator.next()) as Result<T>;
        if (result.done || result.value.data?.alertsChanged.id !== 'marker') return result;
      }
    },
    return: () => iterator.return?.() ?? Promise.resolve(),
  };
}
