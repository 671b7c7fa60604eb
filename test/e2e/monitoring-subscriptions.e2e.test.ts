// The monitoring subscriptions through the gateway's subscription engine, with the real graphql-ws client a
// frontend uses: an ADMIN gets the current system status first, then a change when a subgraph stops (and the alert
// it fires); a signed-in non-admin is refused with FORBIDDEN. Nothing here is timed: each step waits for an event.
import { postGraphQL, waitFor } from '@atrium/platform/testing';
import { startStack, type Stack } from '../src/stack';
import { collect, signUp, wsClient, type WsResult } from '../src/ws-client';

const ADMIN = 'admin-subscriptions@example.test';

// Every field a subscriber could see change (what monitoring's fingerprint covers), without time and uptime.
const STATUS = `subscription {
  systemStatusChanged {
    status
    services { name status version dependencies { name kind status message } }
    circuitBreakers { service name state failureRate openedAt }
    queues { name waiting active delayed failed completed oldestWaitingSeconds }
  }
}`;
const ALERTS = 'subscription { alertsChanged { id rule state service severity summary } }';

interface StatusEvent {
  systemStatusChanged: {
    status: string;
    services: Array<{ name: string; status: string }>;
  };
}
interface AlertEvent {
  alertsChanged: { id: string; rule: string; state: string; service: string | null };
}

describe('monitoring subscriptions through the gateway (graphql-ws)', () => {
  let stack: Stack;
  let admin: string;
  let member: string;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        ATRIUM_ADMIN_EMAILS: ADMIN,
        // Probe often and alert on the first DOWN probe, so the change follows the stop within a few polls.
        MONITORING_POLL_INTERVAL_MS: '300',
        MONITORING_PROBE_TIMEOUT_MS: '1000',
        MONITORING_ALERT_SERVICE_DOWN_SECONDS: '0',
      },
    });
    const signedUp = await postGraphQL<{ signUp: { accessToken: string; user: { roles: string[] } } }>(
      stack.gatewayUrl,
      'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken user { roles } } }',
      { variables: { i: { email: ADMIN, password: 'an administrator password', displayName: 'Admin' } } },
    );
    expect(signedUp.body.data?.signUp.user.roles).toContain('ADMIN');
    admin = `Bearer ${signedUp.body.data!.signUp.accessToken}`;
    member = `Bearer ${(await signUp(stack.gatewayUrl, 'Member')).accessToken}`;
  }, 60_000);
  afterAll(() => stack?.stop());

  it('refuses a signed-in non-admin with FORBIDDEN on both subscriptions, showing no status', async () => {
    const client = wsClient(stack.gatewayUrl, member);
    try {
      for (const query of [STATUS, ALERTS]) {
        const { results, error } = await collect(client, query);
        const errors = [...results.flatMap((r) => r.errors ?? []), ...((error as WsResult['errors']) ?? [])];
        expect([query, errors.map((e) => e.extensions?.code)]).toEqual([query, ['FORBIDDEN']]);
        expect(results.every((r) => !r.data)).toBe(true);
      }
    } finally {
      await client.dispose();
    }
  });

  // Last: it stops the integrations subgraph of this stack.
  it('sends an ADMIN the current status first, then the change when a subgraph stops, and its alert', async () => {
    const client = wsClient(stack.gatewayUrl, admin);
    const statuses: WsResult<StatusEvent>[] = [];
    const alerts: WsResult<AlertEvent>[] = [];
    const integrationsOf = (result: WsResult<StatusEvent>) =>
      result.data?.systemStatusChanged.services.find((service) => service.name === 'integrations')?.status;
    try {
      const statusStream = collect<StatusEvent>(
        client,
        STATUS,
        {},
        {
          onResult: (result) => statuses.push(result),
          until: (result) => integrationsOf(result) === 'DOWN' || Boolean(result.errors),
        },
      );
      const alertStream = collect<AlertEvent>(
        client,
        ALERTS,
        {},
        {
          onResult: (result) => alerts.push(result),
          until: (result) =>
            (result.data?.alertsChanged.service === 'integrations' &&
              result.data.alertsChanged.state === 'FIRING') ||
            Boolean(result.errors),
        },
      );

      // The current status arrives without any change happening; wait until the poller has seen integrations UP.
      await waitFor(() => statuses.length > 0, 'the current status');
      expect(statuses[0]!.errors).toBeUndefined();
      expect(statuses[0]!.data!.systemStatusChanged.services.map((s) => s.name)).toEqual(
        expect.arrayContaining(['identity', 'integrations', 'generation']),
      );
      await waitFor(() => statuses.some((r) => integrationsOf(r) === 'UP'), 'integrations UP', {
        timeoutMs: 60_000,
      });

      await stack.subgraphs.integrations.server.stop();
      const { results, error } = await statusStream;
      expect(error).toBeUndefined();
      const last = results[results.length - 1]!;
      expect(last.errors).toBeUndefined();
      expect(integrationsOf(last)).toBe('DOWN');
      expect(last.data!.systemStatusChanged.status).toBe('DEGRADED');
      // Each event is a change: an unchanged poll publishes nothing.
      const seen = results.map((result) => JSON.stringify(result.data));
      seen.slice(1).forEach((event, index) => expect(event).not.toBe(seen[index]));

      const alerted = await alertStream;
      expect(alerted.error).toBeUndefined();
      const firing = alerted.results.map((r) => r.data?.alertsChanged);
      expect(firing[firing.length - 1]).toEqual(
        expect.objectContaining({ rule: 'service-down', state: 'FIRING', service: 'integrations' }),
      );
      // Fired once: no duplicate while it keeps firing.
      const stored = await postGraphQL<{ alerts: Array<{ rule: string; service: string }> }>(
        stack.gatewayUrl,
        '{ alerts(state: FIRING) { rule service } }',
        { headers: { authorization: admin } },
      );
      expect(stored.body.data!.alerts.filter((a) => a.service === 'integrations')).toEqual([
        { rule: 'service-down', service: 'integrations' },
      ]);
    } finally {
      await client.dispose();
    }
  }, 120_000);
});
