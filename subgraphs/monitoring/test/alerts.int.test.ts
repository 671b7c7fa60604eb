import 'reflect-metadata';
import { createServer } from 'node:http';
import { describeModes, Leftovers } from '@atrium/platform/testing';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhook } from '../src/alert/webhook-signature';
import {
  ADMIN,
  fakeService,
  liveAlertChanges,
  startMonitoring,
  type FakeService,
  type Harness,
} from './support/harness';

const WEBHOOK_SECRET = 'alert-webhook-secret-0123456789abcdefghij';
const ALERTS = `query($state: AlertState) {
  alerts(state: $state) { id rule severity state summary service startedAt resolvedAt acknowledgedAt acknowledgedBy }
}`;

interface Delivery {
  body: string;
  timestamp: string;
  signature: string;
}

/** A real HTTP receiver on port 0 that records every delivery and can be told to fail. */
async function webhookReceiver(leftovers: Leftovers) {
  const deliveries: Delivery[] = [];
  const waiters: Array<() => void> = [];
  const receiver = {
    failNext: 0,
    deliveries,
    url: '',
    received: (n: number) => waitFor(() => deliveries.length >= n),
    /** Resolves once some delivery satisfies `match`. */
    until: (match: (alert: Record<string, unknown>) => boolean) =>
      waitFor(() => deliveries.some((d) => match(JSON.parse(d.body).alert))),
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (receiver.failNext > 0) {
        receiver.failNext--;
        res.statusCode = 503;
        return res.end();
      }
      deliveries.push({
        body,
        timestamp: String(req.headers[TIMESTAMP_HEADER]),
        signature: String(req.headers[SIGNATURE_HEADER]),
      });
      res.end('ok');
      waiters.splice(0).forEach((wake) => wake());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  leftovers.defer(() => new Promise((resolve) => server.close(resolve)));
  receiver.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/alerts`;
  async function waitFor(done: () => boolean): Promise<Delivery[]> {
    while (!done()) await new Promise<void>((resolve) => waiters.push(resolve));
    return deliveries;
  }
  return receiver;
}

describeModes('alerts', (mode) => {
  const leftovers = new Leftovers();
  let monitoring: Harness;
  let identity: FakeService;
  let receiver: Awaited<ReturnType<typeof webhookReceiver>>;
  const poll = () => monitoring.server.app.poller.poll();

  beforeAll(async () => {
    identity = await fakeService(leftovers, 'identity');
    receiver = await webhookReceiver(leftovers);
    monitoring = await startMonitoring(
      {
        MONITORING_TARGETS: `identity=${identity.url}`,
        MONITORING_PROBE_TIMEOUT_MS: '1000',
        MONITORING_ALERT_ERROR_RATE_MIN_OPERATIONS: '10',
        MONITORING_ALERT_SIGN_IN_FAILURE_COUNT: '5',
        MONITORING_ALERT_WEBHOOK_URL: receiver.url,
        MONITORING_ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET,
      },
      leftovers,
      mode,
    );
    await poll();
  });
  afterAll(() => leftovers.dispose());

  it('a stopped service fires service-down once, and resolves once after its restart; live and by webhook', async () => {
    const client = monitoring.ws(ADMIN);
    const changes = await liveAlertChanges<{ alertsChanged: { id: string } }>(
      monitoring,
      client,
      'subscription { alertsChanged { id rule state service summary } }',
    );
    const statuses = client.iterate<{ systemStatusChanged: { status: string; services: unknown[] } }>({
      query: 'subscription { systemStatusChanged { status services { name status } } }',
    });
    // The current status comes first, and is read after the subscription is live.
    expect((await statuses.next()).value.data.systemStatusChanged).toEqual({
      status: 'UP',
      services: [{ name: 'identity', status: 'UP' }],
    });

    await identity.stop();
    await poll();
    await poll(); // still down: no second alert, no second status event
    const firing = (await monitoring.gql(ADMIN, ALERTS, { state: 'FIRING' })).body.data!.alerts;
    expect(firing).toEqual([
      expect.objectContaining({
        rule: 'service-down',
        severity: 'CRITICAL',
        state: 'FIRING',
        service: 'identity',
        summary: 'identity is down: unreachable',
        resolvedAt: null,
      }),
    ]);

    await identity.start();
    await poll();
    await poll();
    const all = (await monitoring.gql(ADMIN, ALERTS)).body.data!.alerts;
    expect(all).toEqual([
      expect.objectContaining({ id: firing[0].id, state: 'RESOLVED', resolvedAt: expect.any(String) }),
    ]);

    const id = firing[0].id;
    expect((await changes.next()).value.data?.alertsChanged).toMatchObject({ id, state: 'FIRING' });
    expect((await changes.next()).value.data?.alertsChanged).toMatchObject({ id, state: 'RESOLVED' });
    expect((await statuses.next()).value.data.systemStatusChanged).toEqual({
      status: 'DOWN',
      services: [{ name: 'identity', status: 'DOWN' }],
    });
    expect((await statuses.next()).value.data.systemStatusChanged).toEqual({
      status: 'UP',
      services: [{ name: 'identity', status: 'UP' }],
    });
    // Nothing else was sent: the next event is the one caused by the next change.
    identity.databaseDown = true;
    await poll();
    identity.databaseDown = false;
    expect((await statuses.next()).value.data.systemStatusChanged.status).toBe('DEGRADED');
    await poll();
    await changes.return();
    await statuses.return?.();

    const deliveries = await receiver.received(2);
    const sent = deliveries.map((d) => JSON.parse(d.body).alert);
    expect(sent.slice(0, 2)).toEqual([
      expect.objectContaining({ id, state: 'FIRING', rule: 'service-down' }),
      expect.objectContaining({ id, state: 'RESOLVED' }),
    ]);
    for (const delivery of deliveries) {
      expect(verifyWebhook({ secret: WEBHOOK_SECRET, ...delivery })).toBe(true);
    }
    const [first] = deliveries;
    const tampered = first!.body.replace('FIRING', 'RESOLVED');
    expect(verifyWebhook({ secret: WEBHOOK_SECRET, ...first!, body: tampered })).toBe(false);
    expect(verifyWebhook({ secret: 'another-secret-0123456789abcdefghijklmn', ...first! })).toBe(false);
    const replayedLater = Number(first!.timestamp) + 3600;
    expect(verifyWebhook({ secret: WEBHOOK_SECRET, ...first!, nowSeconds: replayedLater })).toBe(false);
  });

  it('acknowledgeAlert records the ADMIN once and tells subscribers; unknown ids are NOT_FOUND', async () => {
    const [alert] = (await monitoring.gql(ADMIN, ALERTS)).body.data!.alerts;
    const changes = await liveAlertChanges<{ alertsChanged: { id: string } }>(
      monitoring,
      monitoring.ws(ADMIN),
      'subscription { alertsChanged { id state acknowledgedBy } }',
    );
    const ack = `mutation($id: ID!) { acknowledgeAlert(id: $id) { id state acknowledgedAt acknowledgedBy } }`;
    const answer = await monitoring.gql(ADMIN, ack, { id: alert.id });
    expect(answer.body.data!.acknowledgeAlert).toEqual({
      id: alert.id,
      state: 'RESOLVED',
      acknowledgedAt: expect.any(String),
      acknowledgedBy: 'admin-1',
    });
    expect((await changes.next()).value.data?.alertsChanged).toEqual({
      id: alert.id,
      state: 'RESOLVED',
      acknowledgedBy: 'admin-1',
    });
    await changes.return();
    const missing = await monitoring.gql(ADMIN, ack, { id: '00000000-0000-0000-0000-000000000000' });
    expect(missing.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const key = { ...ADMIN, kind: 'apiKey' as const, scopes: ['monitoring:read'], apiKeyId: 'k1' };
    expect((await monitoring.gql(key, ack, { id: alert.id })).body.errors?.[0]?.extensions?.code).toBe(
      'FORBIDDEN',
    );
  });

  it('fires error-rate and sign-in-failures from the increase of the counters in /status over the window', async () => {
    identity.counters = { 'graphql.operations': 9, 'graphql.errors': 0, 'audit.signin.failed': 4 };
    await poll();
    expect((await monitoring.gql(ADMIN, ALERTS, { state: 'FIRING' })).body.data!.alerts).toEqual([]);
    identity.counters = { 'graphql.operations': 20, 'graphql.errors': 10, 'audit.signin.failed': 6 };
    await poll();
    const firing = (await monitoring.gql(ADMIN, ALERTS, { state: 'FIRING' })).body.data!.alerts;
    expect(firing.map((a: { rule: string; summary: string }) => [a.rule, a.summary]).sort()).toEqual([
      ['error-rate', 'identity: 50.0 % of 20 operations failed in the last 300 s (limit 5 %)'],
      ['sign-in-failures', 'identity: 6 failed sign-ins in the last 300 s (limit 5)'],
    ]);
  });

  it('a webhook receiver that fails is retried without holding up polls', async () => {
    receiver.failNext = 1;
    await identity.stop();
    await poll(); // returns although the receiver is failing: delivery runs on the queue
    await identity.start();
    await poll();
    const all = (await monitoring.gql(ADMIN, ALERTS)).body.data!.alerts;
    const latest = all.find((a: { rule: string }) => a.rule === 'service-down');
    const ofLatest = (state: string) => (alert: Record<string, unknown>) =>
      alert.id === latest.id && alert.state === state;
    await receiver.until(ofLatest('FIRING'));
    await receiver.until(ofLatest('RESOLVED'));
    const deliveredFiring = receiver.deliveries.filter((d) => ofLatest('FIRING')(JSON.parse(d.body).alert));
    expect(deliveredFiring).toHaveLength(1);
  });
});
