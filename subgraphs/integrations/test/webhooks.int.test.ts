import { createHmac, randomUUID } from 'node:crypto';
import { Leftovers } from '@atrium/platform/testing';
import { Connection, ConnectionStatus } from '../src/connection/connection.entity';
import { signGeneric } from '../src/webhook/signatures';
import { WEBHOOK_TOPIC } from '../src/webhook/webhook.service';
import {
  ask,
  describeModes,
  eventually,
  rawRows,
  startIntegrations,
  user,
  type Started,
} from './support/harness';

const SECRETS = {
  github: 'gh-webhook-secret',
  slack: 'slack-signing-secret',
  dropbox: 'dropbox-webhook-secret',
};
const LIMIT = 4096;
const hex = (secret: string, ...parts: string[]) => {
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return mac.digest('hex');
};
const now = () => Math.floor(Date.now() / 1000);

/** How each scheme signs a body, as the provider would; `secret` lets a test sign with the wrong one. */
const SCHEMES = {
  github: {
    provider: 'github',
    body: (delivery: string) => JSON.stringify({ action: 'opened', sender: { id: 4242 }, delivery }),
    headers: (body: string, delivery: string, secret = SECRETS.github, _t = now()) => ({
      'x-hub-signature-256': `sha256=${hex(secret, body)}`,
      'x-github-delivery': delivery,
      'x-github-event': 'pull_request',
    }),
    stale: false,
  },
  slack: {
    provider: 'slack',
    body: (delivery: string) =>
      JSON.stringify({
        type: 'event_callback',
        team_id: 'T4242',
        event_id: delivery,
        event: { type: 'message' },
      }),
    headers: (body: string, _delivery: string, secret = SECRETS.slack, t = now()) => ({
      'x-slack-request-timestamp': String(t),
      'x-slack-signature': `v0=${hex(secret, `v0:${t}:`, body)}`,
    }),
    stale: true,
  },
  'generic (dropbox)': {
    provider: 'dropbox',
    body: (delivery: string) =>
      JSON.stringify({ type: 'file.changed', account_id: 'dbid:4242', id: delivery }),
    headers: (body: string, delivery: string, secret = SECRETS.dropbox, t = now()) => ({
      'x-atrium-signature': signGeneric(secret, body, t),
      'x-atrium-delivery': delivery,
    }),
    stale: true,
  },
} as const;

describeModes('webhooks', (production) => {
  const leftovers = new Leftovers();
  let started: Started;
  const published: Array<{ eventId: string; connectionId: string | null }> = [];
  const connections: Record<string, string> = {};

  beforeAll(async () => {
    started = await startIntegrations(leftovers, {
      production,
      env: {
        WEBHOOK_GITHUB_SECRET: SECRETS.github,
        WEBHOOK_SLACK_SECRET: SECRETS.slack,
        WEBHOOK_DROPBOX_SECRET: SECRETS.dropbox,
        INTEGRATIONS_WEBHOOK_BODY_LIMIT_BYTES: String(LIMIT),
      },
    });
    const em = started.server.app.fork();
    for (const [providerId, account] of [
      ['github', '4242'],
      ['slack', 'T4242'],
      ['dropbox', 'dbid:4242'],
    ] as const) {
      const connection = em.create(Connection, {
        ownerId: 'alice',
        providerId,
        status: ConnectionStatus.ACTIVE,
        externalAccountId: account,
      });
      connections[providerId] = connection.id;
    }
    await em.flush();
    leftovers.defer(
      await started.server.app.resources.infra.events.subscribe(WEBHOOK_TOPIC, (event: any) =>
        published.push(event),
      ),
    );
  });
  afterAll(() => leftovers.dispose());

  const deliver = (provider: string, body: string, headers: Record<string, string>) =>
    fetch(`${new URL(started.url).origin}/webhooks/${provider}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const stored = async () => (await rawRows(started.server, 'webhook_events')).length;

  describe.each(Object.entries(SCHEMES))('%s', (_name, scheme) => {
    it('stores a valid delivery, linked to the connection of its account, and publishes it', async () => {
      const delivery = randomUUID();
      const body = scheme.body(delivery);
      const response = await deliver(scheme.provider, body, scheme.headers(body, delivery));
      expect(response.status).toBe(200);
      const answer = (await response.json()) as { eventId: string; duplicate: boolean };
      expect(answer.duplicate).toBe(false);
      const { body: graph } = await ask(
        started.url,
        user('alice'),
        `query($id: ID!) { connection(id: $id) { webhookEvents(first: 1) { edges { node { id providerId deliveryId payload } } } } }`,
        { id: connections[scheme.provider] },
      );
      expect(graph.data.connection.webhookEvents.edges[0].node).toEqual({
        id: answer.eventId,
        providerId: scheme.provider,
        deliveryId: delivery,
        payload: JSON.parse(body),
      });
      await eventually(() =>
        expect(published).toContainEqual(
          expect.objectContaining({ eventId: answer.eventId, connectionId: connections[scheme.provider] }),
        ),
      );
    });

    it('refuses a tampered body, a wrong secret and a missing signature, storing nothing', async () => {
      const delivery = randomUUID();
      const body = scheme.body(delivery);
      const before = await stored();
      const tampered = await deliver(
        scheme.provider,
        body.replace('4242', '4243'),
        scheme.headers(body, delivery),
      );
      const wrongSecret = await deliver(
        scheme.provider,
        body,
        scheme.headers(body, delivery, 'not-the-secret'),
      );
      const unsigned = await deliver(scheme.provider, body, {});
      for (const response of [tampered, wrongSecret, unsigned]) {
        expect(response.status).toBe(401);
        expect(await response.json()).toMatchObject({
          errors: [{ extensions: { code: 'WEBHOOK_SIGNATURE_INVALID' } }],
        });
      }
      expect(await stored()).toBe(before);
    });

    it('stores a delivery delivered twice once', async () => {
      const delivery = randomUUID();
      const body = scheme.body(delivery);
      const first = (await (
        await deliver(scheme.provider, body, scheme.headers(body, delivery))
      ).json()) as any;
      const before = await stored();
      const again = await deliver(scheme.provider, body, scheme.headers(body, delivery));
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ received: true, eventId: first.eventId, duplicate: true });
      expect(await stored()).toBe(before);
    });

    it('refuses an oversized body with 413 before verifying or storing anything', async () => {
      const before = await stored();
      const body = JSON.stringify({ padding: 'x'.repeat(LIMIT) });
      const response = await deliver(scheme.provider, body, scheme.headers(body, randomUUID()));
      expect(response.status).toBe(413);
      expect(await stored()).toBe(before);
    });

    if (scheme.stale) {
      it('refuses a delivery signed more than 5 minutes ago (a replay)', async () => {
        const delivery = randomUUID();
        const body = scheme.body(delivery);
        const before = await stored();
        const response = await deliver(
          scheme.provider,
          body,
          scheme.headers(body, delivery, undefined, now() - 301),
        );
        expect(response.status).toBe(401);
        expect(await response.json()).toMatchObject({
          errors: [{ extensions: { code: 'WEBHOOK_TIMESTAMP_STALE' } }],
        });
        expect(await stored()).toBe(before);
      });
    } else {
      it('signs no timestamp, so a replay is caught by its delivery id: stored once', async () => {
        const delivery = randomUUID();
        const body = scheme.body(delivery);
        await deliver(scheme.provider, body, scheme.headers(body, delivery));
        const before = await stored();
        const replayed = await deliver(scheme.provider, body, scheme.headers(body, delivery));
        expect(((await replayed.json()) as { duplicate: boolean }).duplicate).toBe(true);
        expect(await stored()).toBe(before);
      });
    }
  });

  it("answers Slack's signed URL verification challenge without storing it", async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'prove-it' });
    const before = await stored();
    const response = await deliver('slack', body, SCHEMES.slack.headers(body, ''));
    expect(await response.json()).toEqual({ challenge: 'prove-it' });
    expect(await stored()).toBe(before);
  });

  it('refuses every delivery of a provider without a configured secret, and unknown providers', async () => {
    const body = JSON.stringify({ type: 'page.updated', workspace_id: 'w' });
    const notion = await deliver('notion', body, { 'x-atrium-signature': signGeneric('guess', body, now()) });
    expect(notion.status).toBe(401);
    expect((await deliver('myspace', body, {})).status).toBe(404);
  });

  it('pages webhook events newest first; another user sees none of them', async () => {
    const id = connections.github!;
    const page = async (after?: string) =>
      (
        await ask(
          started.url,
          user('alice'),
          `query($id: ID!, $after: String) { connection(id: $id) { webhookEvents(first: 1, after: $after) { edges { cursor node { id receivedAt } } pageInfo { hasNextPage endCursor } } } }`,
          { id, after },
        )
      ).body.data.connection.webhookEvents;
    const first = await page();
    const second = await page(first.pageInfo.endCursor);
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(second.edges[0].node.id).not.toBe(first.edges[0].node.id);
    expect(second.edges[0].node.receivedAt <= first.edges[0].node.receivedAt).toBe(true);
    const other = await ask(
      started.url,
      user('mallory'),
      `query($id: ID!) { connection(id: $id) { webhookEvents { edges { node { id } } } } }`,
      { id },
    );
    expect(other.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
