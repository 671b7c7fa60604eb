import 'reflect-metadata';
import { ANONYMOUS, type Principal } from '@atrium/platform/auth';
import { Leftovers } from '@atrium/platform/testing';
import {
  ADMIN,
  childService,
  fakeService,
  startMonitoring,
  type FakeService,
  type Harness,
} from './support/harness';

const STATUS = `{ systemStatus {
  status
  services { name status version uptimeSeconds dependencies { name kind status message } }
  circuitBreakers { service name state failureRate openedAt }
  queues { name waiting active delayed failed completed oldestWaitingSeconds }
} }`;

describe('systemStatus', () => {
  const leftovers = new Leftovers();
  let monitoring: Harness;
  let api: FakeService;
  let worker: FakeService;
  let frozen: Awaited<ReturnType<typeof childService>>;

  beforeAll(async () => {
    api = await fakeService(leftovers, 'api', { version: '1.2.3' });
    worker = await fakeService(leftovers, 'worker', { queue: 'generation' });
    frozen = await childService(leftovers);
    monitoring = await startMonitoring(
      {
        MONITORING_TARGETS: `api=${api.url},worker=${worker.url},child=${frozen.url}`,
        MONITORING_PROBE_TIMEOUT_MS: '1000',
      },
      leftovers,
    );
  });
  afterAll(() => leftovers.dispose());

  const status = async (principal: Principal = ADMIN) => {
    const response = await monitoring.gql(principal, STATUS);
    expect(response.body.errors).toBeUndefined();
    return response.body.data!.systemStatus;
  };

  it('shows each service with version and checks, every breaker and every queue, UP when all are', async () => {
    worker.queue = {
      waiting: 3,
      active: 1,
      delayed: 2,
      failed: 4,
      completed: 10,
      oldestWaitingSeconds: 12.5,
    };
    await monitoring.server.app.poller.poll();
    const answer = await status();
    expect(answer.status).toBe('UP');
    expect(answer.services).toEqual([
      {
        name: 'api',
        status: 'UP',
        version: '1.2.3',
        uptimeSeconds: expect.any(Number),
        dependencies: [{ name: 'database', kind: 'database', status: 'UP', message: null }],
      },
      {
        name: 'worker',
        status: 'UP',
        version: '1.0.0',
        uptimeSeconds: expect.any(Number),
        dependencies: [
          { name: 'database', kind: 'database', status: 'UP', message: null },
          { name: 'generation', kind: 'queue', status: 'UP', message: null },
        ],
      },
      { name: 'child', status: 'UP', version: '9.9.9', uptimeSeconds: 0, dependencies: [] },
    ]);
    expect(answer.circuitBreakers).toEqual([
      { service: 'api', name: 'provider:api', state: 'CLOSED', failureRate: null, openedAt: null },
      { service: 'worker', name: 'provider:worker', state: 'CLOSED', failureRate: null, openedAt: null },
    ]);
    expect(answer.queues).toEqual([
      {
        name: 'generation',
        waiting: 3,
        active: 1,
        delayed: 2,
        failed: 4,
        completed: 10,
        oldestWaitingSeconds: 12.5,
      },
    ]);
  });

  it('shows a breaker forced open, with its opening time, while the service stays ready', async () => {
    await api.tripBreaker();
    try {
      await monitoring.server.app.poller.poll();
      const answer = await status();
      expect(answer.circuitBreakers[0]).toEqual({
        service: 'api',
        name: 'provider:api',
        state: 'OPEN',
        // An open breaker has no window to compute a rate over (it rejects every call).
        failureRate: null,
        openedAt: expect.any(String),
      });
      expect(answer.services[0]).toMatchObject({ name: 'api', status: 'DEGRADED' });
      expect(answer.status).toBe('DEGRADED');
      const ready = await fetch(`${api.url}/readyz`);
      expect(ready.status).toBe(200);
      const document = await (await fetch(`${api.url}/status`)).json();
      expect(document).toMatchObject({ status: 'warn', output: 'provider:api not healthy' });
    } finally {
      api.breaker.dispose();
      // A fresh service object has a closed breaker; the target keeps its URL.
    }
  });

  it('reports a service whose own dependency fails as DEGRADED with the failing check', async () => {
    worker.databaseDown = true;
    try {
      await monitoring.server.app.poller.poll();
      const service = (await status()).services[1];
      expect(service).toMatchObject({ name: 'worker', status: 'DEGRADED' });
      expect(service.dependencies[0]).toEqual({
        name: 'database',
        kind: 'database',
        status: 'DOWN',
        message: 'connection refused',
      });
    } finally {
      worker.databaseDown = false;
    }
  });

  it('a stopped service is DOWN and the whole system DEGRADED; it is UP again once restarted', async () => {
    await worker.stop();
    await monitoring.server.app.poller.poll();
    let answer = await status();
    expect(answer.services[1]).toMatchObject({
      name: 'worker',
      status: 'DOWN',
      dependencies: [{ name: 'http', kind: 'http', status: 'DOWN', message: 'unreachable' }],
    });
    expect(answer.status).toBe('DEGRADED');
    await worker.start();
    await monitoring.server.app.poller.poll();
    answer = await status();
    expect(answer.services[1]).toMatchObject({ name: 'worker', status: 'UP' });
  });

  it('a frozen (SIGSTOP) service is DOWN "timed out" and does not hold up the others', async () => {
    frozen.child.kill('SIGSTOP');
    try {
      const snapshot = await monitoring.server.app.poller.poll();
      const byName = Object.fromEntries(snapshot.services.map((s) => [s.name, s]));
      expect(byName.child).toMatchObject({ status: 'DOWN', reason: 'timed out' });
      expect(byName.worker).toMatchObject({ status: 'UP' });
      // Asked while it stays frozen, the query answers from the stored snapshot without probing anyone.
      const answer = await status();
      expect(answer.services[2]).toMatchObject({ name: 'child', status: 'DOWN' });
    } finally {
      frozen.child.kill('SIGCONT');
    }
  });

  it('refuses members, anonymous callers and ADMIN API keys without the monitoring:read scope', async () => {
    const member: Principal = { ...ANONYMOUS, kind: 'user', userId: 'm-1', roles: ['MEMBER'] };
    const narrowKey: Principal = { ...ADMIN, kind: 'apiKey', scopes: ['profile:read'], apiKeyId: 'k1' };
    const scopedKey: Principal = { ...ADMIN, kind: 'apiKey', scopes: ['monitoring:read'], apiKeyId: 'k2' };
    const code = async (principal: Principal, query: string) =>
      (await monitoring.gql(principal, query)).body.errors?.[0]?.extensions?.code;
    for (const query of ['{ systemStatus { status } }', '{ alerts { id } }']) {
      expect(await code(member, query)).toBe('FORBIDDEN');
      expect(await code(ANONYMOUS, query)).toBe('UNAUTHENTICATED');
      expect(await code(narrowKey, query)).toBe('FORBIDDEN');
      expect(await code(scopedKey, query)).toBeUndefined();
    }
  });
});
