import type { EntityManager } from '@mikro-orm/core';
import { clampFirst, decodeCursor, pageOf, rowsAfter } from '@atrium/platform/pagination';
import { WebhookEvent } from './webhook-event.entity';
import type { WebhookEventConnection } from './webhook-event.types';

/** A connection's webhook events, newest first, keyset-paginated on (receivedAt, id). */
export async function listWebhookEvents(
  em: EntityManager,
  connectionId: string,
  args: { first?: number | null; after?: string | null },
): Promise<WebhookEventConnection> {
  const first = clampFirst(args.first, 20);
  const where: Record<string, unknown> = args.after
    ? { connectionId, ...rowsAfter('receivedAt', decodeCursor(args.after), 'desc') }
    : { connectionId };
  const rows = await em.find(WebhookEvent, where, {
    orderBy: { receivedAt: 'desc', id: 'desc' },
    limit: first + 1,
  });
  return pageOf(rows, first, (event) => ({ at: event.receivedAt, id: event.id }));
}
