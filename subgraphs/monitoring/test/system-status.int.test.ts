import 'reflect-metadata';
import { createServer } from 'node:http';
import express from 'express';
import {
  ANONYMOUS,
  INTERNAL_ASSERTION_HEADER,
  signInternalAssertion,
  type Principal,
} from '@atrium/platform/auth';
import { HealthRegistry } from '@atrium/platform/health';
import { createLogger } from '@atrium/platform/logging';
import { baseUrl, freshSqliteDatabase, Leftovers, postGraphQL } from '@atrium/platform/testing';
import { loadMonitoringConfig } from '../src/config';
import { createMonitoringServer } from '../src/server';

const SECRET = 'monitoring-test-secret-0123456789abcdefghij';
const ADMIN: Principal = { ...ANONYMOUS, kind: 'user', userId: 'admin-1', roles: ['ADMIN'] };
const QUERY =
  '{ systemStatus { status services { name status version dependencies { name kind status message } } } }';

describe('systemStatus', () => {
  const leftovers = new Leftovers();
  let url: string;
  let failing: { fail: boolean };

  beforeAll(async () => {
    // A real service with one dependency check the test can make fail.
    failing = { fail: false };
    const health = new HealthRegistry({ service: 'healthy', version: '1.2.3' });
    health.register({
      name: 'database',
      kind: 'database',
      check: async () => {
        if (failing.fail) throw new Error('connection refused');
      },
    });
    const app = express().use(health.routes());
    const service = createServer(app);
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    leftovers.defer(() => new Promise((resolve) => service.close(resolve)));
    const data = leftovers.add(await freshSqliteDatabase(), (db) => db.drop());
    const config = loadMonitoringConfig({
      INTERNAL_TOKEN_SECRET: SECRET,
      ATRIUM_DATA_DIR: data.dataDir,
      MONITORING_TARGETS: `healthy=${baseUrl(service)},gone=http://127.0.0.1:1`,
      MONITORING_PROBE_TIMEOUT_MS: '500',
    });
    const log = createLogger({ service: 'monitoring', level: 'silent', pretty: false });
    const server = leftovers.add(await createMonitoringServer({ config, log }), (s) => s.stop());
    url = (await server.listen(0, '127.0.0.1')).url;
  });
  afterAll(() => leftovers.dispose());

  const ask = async (principal: Principal) =>
    postGraphQL(url, QUERY, {
      headers: {
        [INTERNAL_ASSERTION_HEADER]: await signInternalAssertion(principal, {
          secret: SECRET,
          audience: 'monitoring',
        }),
      },
    });

  it('shows ADMINs each service with its dependencies, and DEGRADED overall when one is unreachable', async () => {
    const response = await ask(ADMIN);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      systemStatus: {
        status: 'DEGRADED',
        services: [
          {
            name: 'healthy',
            status: 'UP',
            version: '1.2.3',
            dependencies: [{ name: 'database', kind: 'database', status: 'UP', message: null }],
          },
          {
            name: 'gone',
            status: 'DOWN',
            version: 'unknown',
            dependencies: [{ name: 'http', kind: 'http', status: 'DOWN', message: 'unreachable' }],
          },
        ],
      },
    });
  });

  it('reports a service whose own dependency fails as DEGRADED, with the failing check', async () => {
    failing.fail = true;
    try {
      const service = ((await ask(ADMIN)).body.data as any).systemStatus.services[0];
      expect(service).toMatchObject({ name: 'healthy', status: 'DEGRADED' });
      expect(service.dependencies).toEqual([
        { name: 'database', kind: 'database', status: 'DOWN', message: 'connection refused' },
      ]);
    } finally {
      failing.fail = false;
    }
  });

  it('refuses members, anonymous callers and ADMIN API keys without the monitoring:read scope', async () => {
    const member: Principal = { ...ANONYMOUS, kind: 'user', userId: 'm-1', roles: ['MEMBER'] };
    const narrowKey: Principal = { ...ADMIN, kind: 'apiKey', scopes: ['profile:read'], apiKeyId: 'k1' };
    const scopedKey: Principal = { ...ADMIN, kind: 'apiKey', scopes: ['monitoring:read'], apiKeyId: 'k2' };
    expect((await ask(member)).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await ask(ANONYMOUS)).body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await ask(narrowKey)).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await ask(scopedKey)).body.errors).toBeUndefined();
  });
});
