import type { EntityManager } from '@mikro-orm/core';
import type { Logger } from '@atrium/platform/logging';
import { Connection, ConnectionStatus } from '../connection/connection.entity';
import type { RefreshService } from '../refresh/refresh.service';
import type { CredentialStore } from './credential-store';

/** A user's own key for an AI provider, decrypted for one run; never cached, logged or put in a payload. */
export interface AiCredential {
  providerId: string;
  connectionId: string;
  /** The credentials' version; a rejection report names it, so a key replaced meanwhile is not blamed. */
  version: number;
  apiKey: string;
}

/**
 * What the generation worker asks for over the internal route: the newest ACTIVE API-key connection of a user
 * per requested provider; and the report that a provider rejected one (the connection then needs the user).
 */
export class AiCredentials {
  constructor(
    private readonly deps: {
      em: () => EntityManager;
      credentials: CredentialStore;
      refresh: RefreshService;
      log: Logger;
    },
  ) {}

  async forUser(userId: string, providerIds: readonly string[]): Promise<AiCredential[]> {
    const rows = await this.deps
      .em()
      .find(
        Connection,
        { ownerId: userId, providerId: { $in: [...providerIds] }, status: ConnectionStatus.ACTIVE },
        { orderBy: { updatedAt: 'desc' } },
      );
    const found: AiCredential[] = [];
    for (const providerId of providerIds) {
      const connection = rows.find((row) => row.providerId === providerId);
      const stored = connection && (await this.deps.credentials.read(connection.id));
      const apiKey = stored?.secrets.apiKey;
      if (connection && apiKey)
        found.push({ providerId, connectionId: connection.id, version: stored.version, apiKey });
    }
    return found;
  }

  /** The provider answered 401 to this key: REFRESH_FAILED with a reason, unless the key changed meanwhile. */
  async rejected(userId: string, connectionId: string, version: number): Promise<boolean> {
    const connection = await this.deps.em().findOne(Connection, { id: connectionId, ownerId: userId });
    if (!connection || connection.status !== ConnectionStatus.ACTIVE) return false;
    return this.deps.refresh.markFailed(
      connection,
      { secrets: {}, version },
      ConnectionStatus.REFRESH_FAILED,
      'The provider rejected this API key (HTTP 401); connect a valid key',
    );
  }
}
