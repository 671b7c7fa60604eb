import 'reflect-metadata';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ANONYMOUS, type Principal } from '@atrium/platform/auth';
import {
  describeModes as describeSubgraphModes,
  EMBEDDED_MODE,
  LogCapture,
  PRODUCTION_MODE,
  startTestSubgraph,
  subgraphClient,
  type Leftovers,
  type TestEnv,
  type TestSubgraph,
} from '@atrium/platform/testing';
import type { Clock } from '../../src/clock';
import { loadIntegrationsConfig } from '../../src/config';
import type { ProviderDefinition } from '../../src/provider/provider-definition';
import { createIntegrationsServer, type IntegrationsServer } from '../../src/server';

export const KEY_1 = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
export const KEY_2 = `k2:${Buffer.alloc(32, 2).toString('base64')}`;

export const user = (userId: string, roles: Principal['roles'] = ['MEMBER']): Principal => ({
  ...ANONYMOUS,
  kind: 'user',
  userId,
  roles,
});

export interface Started extends TestSubgraph<IntegrationsServer> {
  logs: LogCapture;
}

/** Starts the integrations subgraph on port 0, embedded or on PostgreSQL + Redis (`production`). */
export async function startIntegrations(
  leftovers: Leftovers,
  options: {
    production: boolean;
    env?: TestEnv;
    clock?: Clock;
    catalogue?: readonly ProviderDefinition[];
    /** Reuse this environment (same database and Redis prefix): a second process of one deployment. */
    shareWith?: Started;
  },
): Promise<Started> {
  const logs = new LogCapture('integrations');
  const started = await startTestSubgraph({
    name: 'integrations',
    start: (env) =>
      createIntegrationsServer({
        config: loadIntegrationsConfig(env),
        log: logs.log,
        clock: options.clock,
        catalogue: options.catalogue,
      }),
    leftovers,
    deployment: { ...(options.production ? PRODUCTION_MODE : EMBEDDED_MODE), shareWith: options.shareWith },
    env: options.shareWith
      ? options.env
      : {
          INTEGRATIONS_ENCRYPTION_KEYS: KEY_1,
          INTEGRATIONS_REFRESH_INTERVAL_SECONDS: '0',
          INTEGRATIONS_FRONTEND_URL: 'http://frontend.test/connections',
          INTEGRATIONS_OAUTH_REDIRECT_URL: 'http://gateway.test/oauth/callback',
          ...options.env,
        },
  });
  return { ...started, logs };
}

/** Asks the subgraph as the gateway would, on behalf of `principal`. */
export function ask(url: string, principal: Principal, query: string, variables?: Record<string, unknown>) {
  return subgraphClient(url, { audience: 'integrations' }).gql<any>(principal, query, variables);
}

/** A real HTTP server on port 0 with a handler of the test's choosing (an AI provider's API, say). */
export async function httpServer(
  leftovers: Leftovers,
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<{
  url: string;
  requests: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }>;
}> {
  const requests: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> =
    [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  leftovers.add(server, (s) => new Promise((resolve) => s.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

/** A clock the test moves forward instead of waiting. */
export class TestClock implements Clock {
  private at = Date.now();
  now(): Date {
    return new Date(this.at);
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

/** Rows of a table straight from the database, the way a stolen dump would show them. */
export async function rawRows(
  server: IntegrationsServer,
  table: string,
): Promise<Array<Record<string, unknown>>> {
  return server.app.fork().getConnection().execute(`select * from ${table}`);
}

/** Declares the suite embedded and on PostgreSQL + Redis; `fn` learns whether it is the latter. */
export function describeModes(name: string, fn: (production: boolean) => void): void {
  describeSubgraphModes(name, (mode) => fn(mode.redis), [EMBEDDED_MODE, PRODUCTION_MODE]);
}

/** Waits until `check` passes (events cross Redis asynchronously); fails with its last error after `timeoutMs`. */
export async function eventually(check: () => void, timeoutMs = 10_000): Promise<void> {
  for (let waited = 0; ; waited += 25) {
    try {
      return check();
    } catch (error) {
      if (waited >= timeoutMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
