import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import {
  ANONYMOUS,
  INTERNAL_ASSERTION_HEADER,
  signInternalAssertion,
  type Principal,
} from '@atrium/platform/auth';
import { HealthRegistry } from '@atrium/platform/health';
import { createLogger, type Logger } from '@atrium/platform/logging';
import { createPolicy, type Policy } from '@atrium/platform/resilience';
import { postGraphQL, type GraphQLResponse, type Leftovers } from '@atrium/platform/testing';
import { ALERTS_TOPIC, type AlertView } from '../../src/alert/alert.service';
import { loadMonitoringConfig } from '../../src/config';
import { createMonitoringServer } from '../../src/server';

export const SECRET = 'monitoring-test-secret-0123456789abcdefghij';
export const ADMIN: Principal = { ...ANONYMOUS, kind: 'user', userId: 'admin-1', roles: ['ADMIN'] };
export const silentLog: Logger = createLogger({ service: 'monitoring-test', level: 'silent', pretty: false });

export type MonitoringServer = Awaited<ReturnType<typeof createMonitoringServer>>;

export interface Harness {
  server: MonitoringServer;
  url: string;
  gql<T = Record<string, any>>(
    principal: Principal,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<T>>;
  ws(principal: Principal): Client;
}

/** The monitoring subgraph on port 0. Unless `options.poll`, it does not poll by itself: tests poll by hand. */
export async function startMonitoring(
  env: Record<string, string>,
  leftovers: Leftovers,
  options: { poll?: boolean } = {},
): Promise<Harness> {
  const config = loadMonitoringConfig({
    INTERNAL_TOKEN_SECRET: SECRET,
    LOG_LEVEL: 'silent',
    MONITORING_ALERT_SERVICE_DOWN_SECONDS: '0',
    MONITORING_ALERT_BREAKER_OPEN_SECONDS: '0',
    ...env,
  });
  const server = leftovers.add(
    await createMonitoringServer({ config, log: silentLog, startPoller: options.poll ?? false }),
    (s) => s.stop(),
  );
  const { url } = await server.listen(0, '127.0.0.1');
  const assertion = (principal: Principal) =>
    signInternalAssertion(principal, { secret: SECRET, audience: 'monitoring' });
  return {
    server,
    url,
    gql: async (principal, query, variables) =>
      postGraphQL(url, query, {
        variables,
        headers: { [INTERNAL_ASSERTION_HEADER]: await assertion(principal) },
      }),
    ws: (principal) =>
      leftovers.add(
        createClient({
          url: url.replace(/^http/, 'ws'),
          webSocketImpl: WebSocket,
          retryAttempts: 0,
          lazy: true,
          connectionParams: async () => ({ [INTERNAL_ASSERTION_HEADER]: await assertion(principal) }),
        }),
        (client) => client.dispose(),
      ),
  };
}

/**
 * A real service on port 0 with the platform health routes: one database check the test can fail, one breaker
 * (a real resilience policy) and one queue whose counts the test sets. `stop()`/`start()` keep its port.
 */
export class FakeService {
  readonly health: HealthRegistry;
  readonly breaker: Policy;
  databaseDown = false;
  queue = {
    waiting: 0,
    active: 0,
    delayed: 0,
    failed: 0,
    completed: 0,
    oldestWaitingSeconds: null as number | null,
  };
  counters: Record<string, number> = {};
  private server: Server | undefined;
  private port = 0;

  constructor(
    readonly name: string,
    options: { version?: string; queue?: string } = {},
  ) {
    this.health = new HealthRegistry({ service: name, version: options.version ?? '1.0.0', timeoutMs: 500 });
    this.health.register({
      name: 'database',
      kind: 'database',
      check: async () => {
        if (this.databaseDown) throw new Error('connection refused');
      },
    });
    this.breaker = createPolicy({
      name: `provider:${name}`,
      timeoutMs: 1000,
      breaker: {
        slidingWindowSize: 2,
        minimumNumberOfCalls: 2,
        failureRateThreshold: 50,
        openStateDelayMs: 600_000,
        permittedNumberOfCallsInHalfOpenState: 1,
      },
    });
    this.health.registerBreakers(() => [this.breaker]);
    if (options.queue) this.health.registerQueue(options.queue, async () => ({ ...this.queue }));
    for (const counter of ['graphql.operations', 'graphql.errors', 'audit.signin.failed'])
      this.health.registerCounter(counter, () => this.counters[counter] ?? 0);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const app = express().use(this.health.routes());
    this.server = createServer(app);
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  /** Opens the breaker the way real failures do: enough failed calls in its window. */
  async tripBreaker(): Promise<void> {
    for (let i = 0; i < 2; i++) {
      await this.breaker
        .execute(async () => Promise.reject(new Error('provider failed')))
        .catch(() => undefined);
    }
  }

  dispose(): Promise<void> {
    this.breaker.dispose();
    return this.stop();
  }
}

export async function fakeService(
  leftovers: Leftovers,
  name: string,
  options?: ConstructorParameters<typeof FakeService>[1],
): Promise<FakeService> {
  return leftovers.add(await new FakeService(name, options).start(), (s) => s.dispose());
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
