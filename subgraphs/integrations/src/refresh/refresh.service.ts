import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager } from '@mikro-orm/core';
import type { Principal } from '@atrium/platform/auth';
import type { EventBus } from '@atrium/platform/events';
import type { Lock } from '@atrium/platform/lock';
import type { Logger } from '@atrium/platform/logging';
import type { ApiKeyChecker } from '../api-key/api-key-checker';
import type { Clock } from '../clock';
import { canSee, connectionNotFound } from '../connection/access';
import { publishConnectionChanged } from '../connection/connection-events';
import { Connection, ConnectionStatus } from '../connection/connection.entity';
import type { CredentialStore, StoredSecrets } from '../credentials/credential-store';
import { errors } from '../errors';
import { providerRefused } from '../oauth/oauth-flow';
import { ProviderRefusal, type TokenClient, type TokenSet } from '../oauth/token-client';
import type { ProviderDefinition } from '../provider/provider-definition';
import type { ProviderRegistry } from '../provider/provider-registry';

export interface RefreshServiceDeps {
  em: () => EntityManager;
  providers: ProviderRegistry;
  tokens: TokenClient;
  apiKeys: ApiKeyChecker;
  credentials: CredentialStore;
  lock: Lock;
  events: EventBus;
  clock: Clock;
  log: Logger;
  /** Tokens expiring within this many seconds are due. */
  marginSeconds: number;
  /** Longest a provider call may take; the lock outlives it. */
  providerTimeoutMs: number;
}

/** What one refresh attempt did; the scheduler counts these, `refreshConnection` returns the connection. */
export type RefreshOutcome = 'refreshed' | 'not-due' | 'busy' | 'fenced' | 'failed' | 'expired' | 'skipped';

/**
 * Refreshes OAuth tokens, one refresh per connection at a time across every process: the platform Lock keeps
 * others out, and a fencing check (compare-and-set on the credentials' version) makes sure a holder whose lock
 * expired mid-call can never overwrite the newer tokens of the one that came after it.
 */
export class RefreshService {
  constructor(private readonly deps: RefreshServiceDeps) {}

  /** `refreshConnection`: refreshes now (or, for an API key, tries it again) and returns the connection. */
  async refreshNow(principal: Principal, id: string): Promise<Connection> {
    const connection = await this.deps.em().findOne(Connection, { id });
    if (!connection || !canSee(principal, connection)) throw connectionNotFound();
    if (connection.status === ConnectionStatus.REVOKED)
      throw errors.BAD_USER_INPUT('This connection is disconnected; connect again instead');
    const outcome = await this.refresh(id, { force: true, waitIfBusy: true, throwOnFailure: true });
    this.deps.log.debug({ connectionId: id, outcome }, 'on-demand refresh');
    return (await this.deps.em().findOne(Connection, { id }))!;
  }

  /**
   * One refresh under the connection's lock. `force` refreshes even when not yet due. When another process
   * holds the lock, waits for it (`waitIfBusy`, then uses what it stored) or gives up ('busy').
   */
  async refresh(
    id: string,
    options: { force: boolean; waitIfBusy?: boolean; throwOnFailure?: boolean },
  ): Promise<RefreshOutcome> {
    const ttlMs = this.deps.providerTimeoutMs + 5_000;
    const key = `integrations:refresh:${id}`;
    const handle = await this.deps.lock.acquire(key, ttlMs);
    if (!handle) {
      if (options.waitIfBusy) await this.waitForRelease(key, ttlMs);
      return 'busy';
    }
    try {
      return await this.refreshLocked(id, options);
    } finally {
      await handle.release();
    }
  }

  private async waitForRelease(key: string, ttlMs: number): Promise<void> {
    for (let waited = 0; waited < ttlMs; waited += 50) {
      const probe = await this.deps.lock.acquire(key, 1_000);
      if (probe) return probe.release();
      await sleep(50);
    }
  }

  private async refreshLocked(
    id: string,
    options: { force: boolean; throwOnFailure?: boolean },
  ): Promise<RefreshOutcome> {
    const em = this.deps.em();
    const connection = await em.findOne(Connection, { id });
    const provider = connection && this.deps.providers.find(connection.providerId);
    if (!connection || !provider || connection.status === ConnectionStatus.REVOKED) return 'skipped';
    // Re-read under the lock: the process that held it before may already have refreshed.
    if (!options.force && !this.isDue(connection)) return 'not-due';
    const stored = await this.deps.credentials.read(id);
    if (!stored) return 'skipped';
    if (provider.apiKey) return this.recheckApiKey(connection, provider, stored, options);
    const refreshToken = stored.secrets.refreshToken;
    if (!refreshToken || !provider.oauth2?.refresh) {
      if (connection.expiresAt && connection.expiresAt <= this.deps.clock.now()) {
        await this.markFailed(
          connection,
          stored,
          ConnectionStatus.EXPIRED,
          'The access token expired and cannot be refreshed',
        );
        return 'expired';
      }
      return 'skipped';
    }
    let tokens: TokenSet;
    try {
      tokens = await this.deps.tokens.refresh(provider, refreshToken);
    } catch (error) {
      if (!(error instanceof ProviderRefusal)) {
        this.deps.log.warn({ connectionId: id, reason: (error as Error).message }, 'refresh postponed');
        if (options.throwOnFailure) throw error;
        return 'failed';
      }
      const reason = `${provider.name} refused the refresh: ${error.providerError}`;
      const marked = await this.markFailed(connection, stored, ConnectionStatus.REFRESH_FAILED, reason);
      if (options.throwOnFailure && marked) throw providerRefused(provider, error);
      return marked ? 'failed' : 'fenced';
    }
    return this.storeTokens(connection, stored, tokens, refreshToken);
  }

  private async storeTokens(
    connection: Connection,
    stored: StoredSecrets,
    tokens: TokenSet,
    previousRefreshToken: string,
  ): Promise<RefreshOutcome> {
    const now = this.deps.clock.now();
    const written = await this.deps.em().transactional(async (tx) => {
      const version = await this.deps.credentials.replace(
        connection.id,
        // Providers that do not rotate refresh tokens send none back: the old one stays valid.
        { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken ?? previousRefreshToken },
        stored.version,
        tx,
      );
      if (version === null) return false;
      Object.assign(connection, {
        status: ConnectionStatus.ACTIVE,
        expiresAt: tokens.expiresIn === null ? null : new Date(now.getTime() + tokens.expiresIn * 1000),
        lastRefreshedAt: now,
        lastError: null,
        updatedAt: now,
        ...(tokens.scopes && { scopes: tokens.scopes }),
      });
      tx.persist(connection);
      await tx.flush();
      return true;
    });
    if (!written) {
      this.deps.log.warn(
        { connectionId: connection.id },
        'refresh result discarded: newer tokens were stored',
      );
      return 'fenced';
    }
    await publishConnectionChanged(this.deps.events, this.deps.log, connection);
    return 'refreshed';
  }

  private async recheckApiKey(
    connection: Connection,
    provider: ProviderDefinition,
    stored: StoredSecrets,
    options: { throwOnFailure?: boolean },
  ): Promise<RefreshOutcome> {
    try {
      await this.deps.apiKeys.check(provider, stored.secrets.apiKey ?? '');
    } catch (error) {
      const code = (error as { extensions?: { code?: string } }).extensions?.code;
      if (code !== 'API_KEY_INVALID') throw error;
      await this.markFailed(connection, stored, ConnectionStatus.REFRESH_FAILED, (error as Error).message);
      if (options.throwOnFailure) throw error;
      return 'failed';
    }
    await this.setStatus(connection, ConnectionStatus.ACTIVE, null);
    return 'refreshed';
  }

  /** Marks the connection, unless newer credentials were stored meanwhile (then their writer decides). */
  async markFailed(
    connection: Connection,
    stored: StoredSecrets,
    status: ConnectionStatus,
    reason: string,
  ): Promise<boolean> {
    if (!(await this.deps.credentials.isCurrent(connection.id, stored.version))) return false;
    await this.setStatus(connection, status, reason);
    return true;
  }

  private async setStatus(connection: Connection, status: ConnectionStatus, reason: string | null) {
    Object.assign(connection, {
      status,
      lastError: reason?.slice(0, 500) ?? null,
      updatedAt: this.deps.clock.now(),
    });
    await this.deps.em().persistAndFlush(connection);
    await publishConnectionChanged(this.deps.events, this.deps.log, connection);
  }

  private isDue(connection: Connection): boolean {
    if (!connection.expiresAt) return false;
    return connection.expiresAt.getTime() - this.deps.clock.now().getTime() <= this.deps.marginSeconds * 1000;
  }

  /** ACTIVE OAuth connections whose tokens expire within the margin, soonest first. */
  async due(limit: number): Promise<string[]> {
    const horizon = new Date(this.deps.clock.now().getTime() + this.deps.marginSeconds * 1000);
    const rows = await this.deps
      .em()
      .find(
        Connection,
        { status: ConnectionStatus.ACTIVE, expiresAt: { $ne: null, $lte: horizon } },
        { orderBy: { expiresAt: 'asc' }, limit, fields: ['id'] },
      );
    return rows.map((row) => row.id);
  }
}
