import 'reflect-metadata';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ANONYMOUS,
  INTERNAL_ASSERTION_HEADER,
  signInternalAssertion,
  type Principal,
} from '@atrium/platform/auth';
import { createLogger, type Logger } from '@atrium/platform/logging';
import {
  freshPostgresDatabase,
  freshSqliteDatabase,
  postGraphQL,
  randomRedisPrefix,
  testServices,
  type Leftovers,
} from '@atrium/platform/testing';
import type { Clock } from '../../src/clock';
import { loadIntegrationsConfig } from '../../src/config';
import type { ProviderDefinition } from '../../src/provider/provider-definition';
import { createIntegrationsServer, type IntegrationsServer } from '../../src/server';

export const SECRET = 'integrations-test-secret-0123456789abcdefgh';
export const KEY_1 = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
export const KEY_2 = `k2:${Buffer.alloc(32, 2).toString('base64')}`;

export const user = (userId: string, roles: Principal['roles'] = ['MEMBER']): Principal => ({
  ...ANONYMOUS,
  kind: 'user',
  userId,
  roles,
});

/** Every line the service logged, as text, so a test can search it for a secret. */
export class LogCapture {
  readonly lines: string[] = [];
  readonly log: Logger = createLogger({
    service: 'integrations',
    level: 'debug',
    pretty: false,
    destination: { write: (line: string) => void this.lines.push(line) },
  });
  text(): string {
    return this.lines.join('');
  }
}

/** The two modes the subgraph runs in: embedded (SQLite, in-process) and production (PostgreSQL, Redis). */
export const MODES = [
  ['embedded', false],
  ['postgres+redis', true],
] as const;

export interface Started {
  server: IntegrationsServer;
  url: string;
  logs: LogCapture;
  /** The environment it was configured with (another process of the same deployment reuses it). */
  env: Record<string, string | undefined>;
}

/** Starts the integrations subgraph on port 0 in the given mode. */
export async function startIntegrations(
  leftovers: Leftovers,
  options: {
    production: boolean;
    env?: Record<string, string | undefined>;
    clock?: Clock;
    catalogue?: readonly ProviderDefinition[];
    /** Reuse this environment (same database and Redis prefix): a second process of one deployment. */
    shareWith?: Started;
  },
): Promise<Started> {
  let env = options.shareWith?.env;
  if (!env) {
    const db = options.production ? await freshPostgresDatabase('integrations') : await freshSqliteDatabase();
    leftovers.add(db, (d) => d.drop());
    env = {
      INTERNAL_TOKEN_SECRET: SECRET,
      ATRIUM_DATA_DIR: db.dataDir,
      INTEGRATIONS_DATABASE_URL: db.databaseUrl,
      REDIS_URL: options.production ? testServices.redisUrl : undefined,
      REDIS_KEY_PREFIX: randomRedisPrefix('integrations'),
      INTEGRATIONS_ENCRYPTION_KEYS: KEY_1,
      INTEGRATIONS_REFRESH_INTERVAL_SECONDS: '0',
      INTEGRATIONS_FRONTEND_URL: 'http://frontend.test/connections',
      INTEGRATIONS_OAUTH_REDIRECT_URL: 'http://gateway.test/oauth/callback',
      ...options.env,
    };
  } else if (options.env) {
    env = { ...env, ...options.env };
  }
  const logs = new LogCapture();
  const server = await createIntegrationsServer({
    config: loadIntegrationsConfig(env),
    log: logs.log,
    clock: options.clock,
    catalogue: options.catalogue,
  });
  leftovers.add(server, (s) => s.stop());
  const { url } = await server.listen(0, '127.0.0.1');
  return { server, url, logs, env };
}

/** Asks the subgraph as the gateway would, on behalf of `principal`. */
export async function ask(
  url: string,
  principal: Principal,
  query: string,
  variables?: Record<string, unknown>,
) {
  return postGraphQL<any>(url, query, {
    variables,
    headers: {
      [INTERNAL_ASSERTION_HEADER]: await signInternalAssertion(principal, {
        secret: SECRET,
        audience: 'integrations',
      }),
    },
  });
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

/** `describe` per mode; the production mode is skipped (with the reason in its name) without PostgreSQL and Redis. */
export function describeModes(name: string, fn: (production: boolean) => void): void {
  for (const [label, production] of MODES) {
    const available = !production || (testServices.postgresUrl && testServices.redisUrl);
    (available ? describe : describe.skip)(
      available ? `${name} (${label})` : `${name} (${label}) [skipped: PostgreSQL or Redis not reachable]`,
      () => fn(production),
    );
  }
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
