import type { EntityManager } from '@mikro-orm/core';
import type { Principal } from '@atrium/platform/auth';
import type { EventBus } from '@atrium/platform/events';
import type { Logger } from '@atrium/platform/logging';
import type { ApiKeyChecker } from '../api-key/api-key-checker';
import type { Clock } from '../clock';
import type { CredentialStore } from '../credentials/credential-store';
import { errors } from '../errors';
import type { Revoker } from '../oauth/revoker';
import { AuthScheme } from '../provider/integration-provider.type';
import type { ProviderRegistry } from '../provider/provider-registry';
import { canSee, connectionNotFound } from './access';
import { publishConnectionChanged } from './connection-events';
import { Connection, ConnectionStatus } from './connection.entity';

export interface ConnectionServiceDeps {
  em: () => EntityManager;
  providers: ProviderRegistry;
  credentials: CredentialStore;
  apiKeys: ApiKeyChecker;
  revoker: Revoker;
  events: EventBus;
  clock: Clock;
  log: Logger;
}

/** Listing, API-key connections and disconnecting; OAuth connections are created by OAuthFlow. */
export class ConnectionService {
  constructor(private readonly deps: ConnectionServiceDeps) {}

  /** A user's connections, newest first: the caller's own, or anyone's for an ADMIN. */
  list(principal: Principal, ownerId: string, status?: ConnectionStatus | null): Promise<Connection[]> {
    if (principal.userId !== ownerId && !principal.roles.includes('ADMIN'))
      throw errors.FORBIDDEN("Only the user themself or an ADMIN may list a user's connections");
    return this.deps
      .em()
      .find(
        Connection,
        { ownerId, ...(status ? { status } : {}) },
        { orderBy: { createdAt: 'desc', id: 'asc' } },
      );
  }

  async get(principal: Principal, id: string, em = this.deps.em()): Promise<Connection> {
    const connection = await em.findOne(Connection, { id });
    if (!connection || !canSee(principal, connection)) throw connectionNotFound();
    return connection;
  }

  /**
   * Checks the key (format, then the provider where it offers a cheap call) and stores it encrypted. A user has
   * one connection per API-key provider: connecting again replaces the key and makes it ACTIVE again.
   */
  async connectWithApiKey(principal: Principal, providerId: string, apiKey: string): Promise<Connection> {
    const provider = this.deps.providers.get(providerId);
    if (provider.authScheme !== AuthScheme.API_KEY)
      throw errors.BAD_USER_INPUT(
        `${provider.name} is connected with startConnection (OAuth), not an API key`,
      );
    const key = apiKey.trim();
    await this.deps.apiKeys.check(provider, key);
    const ownerId = principal.userId!;
    const now = this.deps.clock.now();
    const em = this.deps.em();
    const existing = await em.findOne(
      Connection,
      { ownerId, providerId, status: { $ne: ConnectionStatus.REVOKED } },
      { orderBy: { createdAt: 'desc' } },
    );
    const connection = await em.transactional(async (tx) => {
      const target =
        existing ?? tx.create(Connection, { ownerId, providerId, createdAt: now, updatedAt: now });
      Object.assign(target, { status: ConnectionStatus.ACTIVE, lastError: null, updatedAt: now });
      if (existing) tx.persist(existing);
      await tx.flush();
      await this.deps.credentials.delete(target.id, tx);
      await this.deps.credentials.create(target.id, { apiKey: key }, tx);
      return target;
    });
    await publishConnectionChanged(this.deps.events, this.deps.log, connection);
    return connection;
  }

  /**
   * Revokes the tokens at the provider where it supports revocation (best effort: a provider that is down does
   * not keep a user connected), then always deletes the credentials and marks the connection REVOKED.
   */
  async disconnect(principal: Principal, id: string): Promise<Connection> {
    const em = this.deps.em();
    const connection = await this.get(principal, id, em);
    if (connection.status === ConnectionStatus.REVOKED) return connection;
    const provider = this.deps.providers.find(connection.providerId);
    const stored = await this.deps.credentials.read(connection.id).catch((error: unknown) => {
      this.deps.log.warn({ err: error, connectionId: id }, 'credentials unreadable; deleting them anyway');
      return null;
    });
    if (provider && stored) await this.deps.revoker.revoke(provider, stored.secrets, connection.id);
    await em.transactional(async (tx) => {
      await this.deps.credentials.delete(connection.id, tx);
      Object.assign(connection, {
        status: ConnectionStatus.REVOKED,
        expiresAt: null,
        updatedAt: this.deps.clock.now(),
      });
      tx.persist(connection);
      await tx.flush();
    });
    await publishConnectionChanged(this.deps.events, this.deps.log, connection);
    return connection;
  }
}
