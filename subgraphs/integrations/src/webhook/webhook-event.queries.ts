import type { EntityManager } from '@mikro-orm/core';
import { clampFirst, decodeCursor, encodeCursor } from '@atrium/platform/pagination';
import { WebhookEvent } from './webhook-event.entity';
import type { WebhookEventConnection } from './webhook-event.types';

type Cursor = [string, string];
const isCursor = (value: unknown): value is Cursor =>
  Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === 'string');

/** A connection's webhook events, newest first, keyset-paginated on (receivedAt, id). */
export async function listWebhookEvents(
  em: EntityManager,
  connectionId: string,
  args: { first?: number | null; after?: string | null },
): Promise<WebhookEventConnection> {
  const first = clampFirst(args.first, 20);
  const where: Record<string, unknown> = { connectionId };
  if (args.after) {
    const [at, id] = decodeCursor(args.after, isCursor);
    const receivedAt = new Date(at);
    where.$or = [{ receivedAt: { $lt: receivedAt } }, { receivedAt, id: { $lt: id } }];
  }
  const rows = await em.find(WebhookEvent, where, {
    orderBy: { receivedAt: 'desc', id: 'desc' },
    limit: first + 1,
  });
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({
    cursor: encodeCursor([node.receivedAt.toISOString(), node.id]),
    node,
  }));
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}
