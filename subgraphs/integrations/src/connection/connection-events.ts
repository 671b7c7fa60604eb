import type { EventBus } from '@atrium/platform/events';
import type { Logger } from '@atrium/platform/logging';
import type { Connection } from './connection.entity';

export const CONNECTION_TOPIC = 'integrations.connection';

/** What other processes learn when a connection changes: ids and status, never a credential. */
export interface ConnectionChanged {
  connectionId: string;
  ownerId: string;
  providerId: string;
  status: string;
  at: string;
}

/** Publishes after the change is stored; a bus outage loses the notice, never the change. */
export async function publishConnectionChanged(events: EventBus, log: Logger, connection: Connection) {
  const payload: ConnectionChanged = {
    connectionId: connection.id,
    ownerId: connection.ownerId,
    providerId: connection.providerId,
    status: connection.status,
    at: connection.updatedAt.toISOString(),
  };
  await events.publish(CONNECTION_TOPIC, payload).catch((error: unknown) => {
    log.warn({ err: error, connectionId: connection.id }, 'connection event not published');
  });
}
