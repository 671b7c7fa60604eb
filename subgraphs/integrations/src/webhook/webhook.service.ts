import type { EntityManager } from '@mikro-orm/core';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EventBus } from '@atrium/platform/events';
import type { Logger } from '@atrium/platform/logging';
import type { Clock } from '../clock';
import { Connection, ConnectionStatus } from '../connection/connection.entity';
import { errors } from '../errors';
import { textAt } from '../provider/dotted-path';
import type { ProviderRegistry } from '../provider/provider-registry';
import { verifySignature, type Headers } from './signatures';
import { WebhookEvent } from './webhook-event.entity';

export const WEBHOOK_TOPIC = 'integrations.webhook';

/** What subscribers of the event bus learn about a stored delivery (the payload stays in the database). */
export interface WebhookReceived {
  eventId: string;
  providerId: string;
  connectionId: string | null;
  eventType: string;
  deliveryId: string | null;
}

export type WebhookResult =
  | { kind: 'stored'; eventId: string }
  | { kind: 'duplicate'; eventId: string }
  | { kind: 'challenge'; challenge: string };

/**
 * Receives a delivery: the provider's signature is checked on the raw body before anything is parsed or stored,
 * so a refused delivery leaves no trace; a delivery id seen before is stored once; the event is linked to the
 * connection whose external account it names and published on the event bus.
 */
export class WebhookService {
  constructor(
    private readonly deps: {
      em: () => EntityManager;
      providers: ProviderRegistry;
      events: EventBus;
      clock: Clock;
      log: Logger;
    },
  ) {}

  /** `requestId`: the delivery request's correlation id, named by every line about it (no AsyncLocalStorage). */
  async receive(
    providerId: string,
    body: Buffer,
    headers: Headers,
    requestId?: string,
  ): Promise<WebhookResult> {
    const provider = this.deps.providers.find(providerId);
    if (!provider?.webhook) throw errors.NOT_FOUND('No webhooks are received for this provider');
    const secret = this.deps.providers.webhookSecret(provider);
    if (!secret) throw errors.WEBHOOK_SIGNATURE_INVALID('Webhooks of this provider are not configured');
    const { deliveryId: headerId } = verifySignature(
      provider.webhook.scheme,
      secret,
      body,
      headers,
      this.deps.clock.now(),
    );
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      throw errors.BAD_REQUEST('The webhook body is not JSON');
    }
    // Slack proves the endpoint once with a signed challenge to echo; it is not an event.
    if (provider.webhook.scheme === 'slack' && textAt(payload, 'type') === 'url_verification')
      return { kind: 'challenge', challenge: textAt(payload, 'challenge') ?? '' };
    const settings = provider.webhook;
    const deliveryId =
      (headerId ?? textAt(payload, 'event_id') ?? textAt(payload, 'id'))?.slice(0, 128) ?? null;
    const eventType =
      (settings.eventTypeHeader ? firstHeader(headers, settings.eventTypeHeader) : undefined) ??
      textAt(payload, settings.eventTypePath) ??
      'unknown';
    // Every line about this delivery names it, so a provider's delivery id finds its handling in the logs.
    const log = this.deps.log.child({ requestId, providerId, deliveryId });
    const em = this.deps.em();
    const connectionId = await this.connectionFor(em, providerId, textAt(payload, settings.accountIdPath));
    const event = em.create(WebhookEvent, {
      providerId,
      connectionId,
      eventType: eventType.slice(0, 128),
      deliveryId,
      receivedAt: this.deps.clock.now(),
      payload,
    });
    try {
      await em.flush();
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException) || !deliveryId) throw error;
      const first = await this.deps.em().findOneOrFail(WebhookEvent, { providerId, deliveryId });
      log.info({ eventId: first.id, eventType }, 'webhook delivery repeated; stored once before');
      return { kind: 'duplicate', eventId: first.id };
    }
    const notice: WebhookReceived = { eventId: event.id, providerId, connectionId, eventType, deliveryId };
    await this.deps.events.publish(WEBHOOK_TOPIC, notice).catch((error: unknown) => {
      log.warn({ err: error, eventId: event.id }, 'webhook event not published');
    });
    log.info({ eventId: event.id, eventType, connectionId }, 'webhook delivery stored');
    return { kind: 'stored', eventId: event.id };
  }

  private async connectionFor(em: EntityManager, providerId: string, accountId: string | null) {
    if (!accountId) return null;
    const connection = await em.findOne(
      Connection,
      { providerId, externalAccountId: accountId, status: { $ne: ConnectionStatus.REVOKED } },
      { orderBy: { createdAt: 'desc' } },
    );
    return connection?.id ?? null;
  }
}

function firstHeader(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) || undefined;
}
