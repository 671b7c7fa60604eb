import 'reflect-metadata';
import { describeFor, Leftovers, PRODUCTION_MODE } from '@atrium/platform/testing';
import { ADMIN, fakeService, startMonitoring, type FakeService, type Harness } from './support/harness';

describeFor(PRODUCTION_MODE)('monitoring replicas on PostgreSQL and Redis', () => {
  const leftovers = new Leftovers();
  let a: Harness;
  let b: Harness;
  let identity: FakeService;

  beforeAll(async () => {
    identity = await fakeService(leftovers, 'identity');
    const env = { MONITORING_TARGETS: `identity=${identity.url}`, MONITORING_POLL_INTERVAL_MS: '300000' };
    a = await startMonitoring(env, leftovers, PRODUCTION_MODE);
    b = await startMonitoring({}, leftovers, { shareWith: a });
  });
  afterAll(() => leftovers.dispose());

  it('one replica polls per interval: the lease goes to exactly one', async () => {
    const polled = await Promise.all([a.server.app.poller.tick(), b.server.app.poller.tick()]);
    expect(polled.filter((snapshot) => snapshot !== null)).toHaveLength(1);
  });

  it('a replica that did not poll answers from the shared snapshot and tells its own subscribers', async () => {
    const statuses = b.ws(ADMIN).iterate<{ systemStatusChanged: { status: string } }>({
      query: 'subscription { systemStatusChanged { status } }',
    });
    expect((await statuses.next()).value.data.systemStatusChanged).toEqual({ status: 'UP' });
    await identity.stop();
    await a.server.app.poller.poll();
    expect((await statuses.next()).value.data.systemStatusChanged).toEqual({ status: 'DOWN' });
    const answer = await b.gql(ADMIN, '{ systemStatus { services { name status } } }');
    expect(answer.body.data!.systemStatus.services).toEqual([{ name: 'identity', status: 'DOWN' }]);
    await statuses.return?.();
  });

  it('two pollers racing on one condition store one FIRING alert', async () => {
    await Promise.all([a.server.app.poller.poll(), b.server.app.poller.poll()]);
    await Promise.all([a.server.app.poller.poll(), b.server.app.poller.poll()]);
    const alerts = (await a.gql(ADMIN, '{ alerts { rule state service } }')).body.data!.alerts;
    expect(alerts).toEqual([{ rule: 'service-down', state: 'FIRING', service: 'identity' }]);
    await identity.start();
  });
});

describe('monitoring polling on its interval', () => {
  const leftovers = new Leftovers();
  afterAll(() => leftovers.dispose());

  it('sees a stopped service DOWN and back UP by itself, within its poll interval', async () => {
    const identity = await fakeService(leftovers, 'identity');
    const monitoring = await startMonitoring(
      {
        MONITORING_TARGETS: `identity=${identity.url}`,
        MONITORING_POLL_INTERVAL_MS: '200',
      },
      leftovers,
      { poll: true },
    );
    const statuses = monitoring.ws(ADMIN).iterate<{ systemStatusChanged: { status: string } }>({
      query: 'subscription { systemStatusChanged { status } }',
    });
    // The first answer is the current status (from a poll of its own if the poller has stored none yet).
    expect((await statuses.next()).value.data.systemStatusChanged).toEqual({ status: 'UP' });
    await identity.stop();
    expect((await statuses.next()).value.data.systemStatusChanged).toEqual({ status: 'DOWN' });
    await identity.start();
    expect((await statuses.next()).value.data.systemStatusChanged).toEqual({ status: 'UP' });
    await statuses.return?.();
  });
});
